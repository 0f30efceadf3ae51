// tls_client.cpp - non-blocking socket and SSL with poll() against one deadline.
#include "probes/tls_client.hpp"

#include "engine/fact.hpp"

#include <openssl/err.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>
#include <openssl/x509.h>

#include <arpa/inet.h>
#include <cerrno>
#include <csignal>
#include <cstring>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace pft::probes {

namespace {

// OpenSSL writes to the socket with write(): a peer that has closed the connection
// would kill the whole process with SIGPIPE. Block it in this thread while OpenSSL
// runs (the write fails with EPIPE instead) and discard a SIGPIPE raised meanwhile.
class NoSigpipe {
public:
    NoSigpipe() {
        sigemptyset(&pipe_);
        sigaddset(&pipe_, SIGPIPE);
        sigset_t pending;
        sigpending(&pending);
        was_pending_ = sigismember(&pending, SIGPIPE) == 1;
        blocked_ = pthread_sigmask(SIG_BLOCK, &pipe_, &old_) == 0;
    }
    ~NoSigpipe() {
        if (!blocked_) return;
        sigset_t pending;
        sigpending(&pending);
        if (!was_pending_ && sigismember(&pending, SIGPIPE) == 1) {
            timespec zero{0, 0};
            while (sigtimedwait(&pipe_, nullptr, &zero) == -1 && errno == EINTR) {
            }
        }
        pthread_sigmask(SIG_SETMASK, &old_, nullptr);
    }
    NoSigpipe(const NoSigpipe&) = delete;
    NoSigpipe& operator=(const NoSigpipe&) = delete;

private:
    sigset_t pipe_{}, old_{};
    bool was_pending_ = false, blocked_ = false;
};

using clock = std::chrono::steady_clock;

int ms_left(clock::time_point d) {
    auto l = std::chrono::duration_cast<std::chrono::milliseconds>(d - clock::now()).count();
    return l < 0 ? 0 : static_cast<int>(std::min<long long>(l, 60000));
}

bool wait_fd(int fd, short ev, clock::time_point d) {
    while (true) {
        pollfd p{fd, ev, 0};
        int r = ::poll(&p, 1, ms_left(d));
        if (r > 0) return true;
        if (r == 0 || errno != EINTR) return false;
    }
}

std::string name_line(X509_NAME* n) {
    BIO* b = BIO_new(BIO_s_mem());
    X509_NAME_print_ex(b, n, 0, XN_FLAG_ONELINE & ~ASN1_STRFLGS_ESC_MSB);
    char* data = nullptr;
    long len = BIO_get_mem_data(b, &data);
    std::string s(data, static_cast<std::size_t>(len));
    BIO_free(b);
    return s;
}

std::string pem_of(X509* x) {
    BIO* b = BIO_new(BIO_s_mem());
    PEM_write_bio_X509(b, x);
    char* data = nullptr;
    long len = BIO_get_mem_data(b, &data);
    std::string s(data, static_cast<std::size_t>(len));
    BIO_free(b);
    return s;
}

// One SMTP reply (multi-line aware), bounded; "" on timeout or close.
std::string smtp_reply(int fd, std::string& buf, clock::time_point d) {
    while (buf.size() < 65536) {
        // complete reply: a line whose 4th char is ' '
        std::size_t pos = 0;
        while (true) {
            auto nl = buf.find('\n', pos);
            if (nl == std::string::npos) break;
            if (nl - pos >= 4 && buf[pos + 3] == ' ') {
                std::string r = buf.substr(0, nl + 1);
                buf.erase(0, nl + 1);
                return r;
            }
            if (nl - pos == 3) { // "250\r\n"? treat as final
                std::string r = buf.substr(0, nl + 1);
                buf.erase(0, nl + 1);
                return r;
            }
            pos = nl + 1;
        }
        if (!wait_fd(fd, POLLIN, d)) return {};
        char tmp[4096];
        ssize_t n = ::recv(fd, tmp, sizeof tmp, 0);
        if (n <= 0) {
            if (n < 0 && (errno == EINTR || errno == EAGAIN)) continue;
            return {};
        }
        buf.append(tmp, static_cast<std::size_t>(n));
    }
    return {};
}

bool send_all(int fd, const std::string& s, clock::time_point d) {
    std::size_t off = 0;
    while (off < s.size()) {
        if (!wait_fd(fd, POLLOUT, d)) return false;
        ssize_t n = ::send(fd, s.data() + off, s.size() - off, MSG_NOSIGNAL);
        if (n < 0 && errno != EINTR && errno != EAGAIN) return false;
        if (n > 0) off += static_cast<std::size_t>(n);
    }
    return true;
}

// After an SSL_read or SSL_write returned n <= 0: waits for the socket when OpenSSL asks
// to; true when the call should be made again, false on an error or at the deadline.
bool ssl_retry(SSL* ssl, int fd, int n, clock::time_point d) {
    int e = SSL_get_error(ssl, n);
    return (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) &&
           wait_fd(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, d);
}

// Over TLS: reads one complete SMTP reply (the last line's 4th char is ' ') and, when
// `send` is not empty, first writes it. False on an error or at the deadline.
bool ssl_exchange(SSL* ssl, int fd, const std::string& send, bool read_first, clock::time_point d) {
    auto read_reply = [&] {
        std::string got;
        char tmp[1024];
        while (got.size() < 16384) {
            int n = SSL_read(ssl, tmp, sizeof tmp);
            if (n > 0) {
                got.append(tmp, static_cast<std::size_t>(n));
                if (got.size() >= 2 && got.back() == '\n') { // the last line is complete
                    auto prev = got.rfind('\n', got.size() - 2);
                    std::size_t start = prev == std::string::npos ? 0 : prev + 1;
                    if (got.size() - start >= 5 && got[start + 3] == ' ') return true; // "NNN text"
                }
                continue;
            }
            if (!ssl_retry(ssl, fd, n, d)) return false;
        }
        return false;
    };
    if (read_first && !read_reply()) return false;
    std::size_t off = 0;
    while (off < send.size()) {
        int n = SSL_write(ssl, send.data() + off, static_cast<int>(send.size() - off));
        if (n > 0) {
            off += static_cast<std::size_t>(n);
            continue;
        }
        if (!ssl_retry(ssl, fd, n, d)) return false;
    }
    return read_reply();
}

std::string ssl_errors() {
    std::string s;
    unsigned long e;
    while ((e = ERR_get_error()) != 0) {
        char buf[256];
        ERR_error_string_n(e, buf, sizeof buf);
        if (s.empty()) s = buf;
    }
    return s;
}

} // namespace

std::string tls_handshake_text(const std::string& host, int port, bool starttls, std::chrono::milliseconds timeout) {
    auto deadline = clock::now() + timeout;
    std::string out = "; pftriage TLS probe of " + host + ":" + std::to_string(port) +
                      (starttls ? " (STARTTLS)" : " (implicit TLS)") + "\n";
    sockaddr_storage ss{};
    socklen_t sl = 0;
    auto* a4 = reinterpret_cast<sockaddr_in*>(&ss);
    auto* a6 = reinterpret_cast<sockaddr_in6*>(&ss);
    if (inet_pton(AF_INET, host.c_str(), &a4->sin_addr) == 1) {
        a4->sin_family = AF_INET;
        a4->sin_port = htons(static_cast<uint16_t>(port));
        sl = sizeof *a4;
    } else if (inet_pton(AF_INET6, host.c_str(), &a6->sin6_addr) == 1) {
        a6->sin6_family = AF_INET6;
        a6->sin6_port = htons(static_cast<uint16_t>(port));
        sl = sizeof *a6;
    } else {
        return out + "error: not a numeric address: " + engine::printable(host, 60) + "\n";
    }
    int fd = ::socket(ss.ss_family, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    if (fd < 0) return out + "error: socket: " + std::strerror(errno) + "\n";
    struct Closer {
        int fd;
        ~Closer() { ::close(fd); }
    } closer{fd};
    if (::connect(fd, reinterpret_cast<sockaddr*>(&ss), sl) != 0 && errno != EINPROGRESS)
        return out + "connect: " + std::strerror(errno) + "\nconnect:errno=" + std::to_string(errno) + "\n";
    if (!wait_fd(fd, POLLOUT, deadline)) return out + "error: connect timed out\n";
    int soerr = 0;
    socklen_t l = sizeof soerr;
    ::getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &l);
    if (soerr) return out + "connect: " + std::strerror(soerr) + "\nconnect:errno=" + std::to_string(soerr) + "\n";
    out += "CONNECTED(" + std::to_string(fd) + ")\n";

    if (starttls) {
        std::string buf;
        std::string banner = smtp_reply(fd, buf, deadline);
        if (banner.rfind("220", 0) != 0)
            return out + "error: no SMTP banner" + (banner.empty() ? std::string(" (timed out)") : ": " + engine::printable(banner, 120)) + "\n";
        if (!send_all(fd, "EHLO pftriage.invalid\r\n", deadline)) return out + "error: EHLO not sent\n";
        std::string ehlo = smtp_reply(fd, buf, deadline);
        if (ehlo.rfind("250", 0) != 0) return out + "error: EHLO refused: " + engine::printable(ehlo, 120) + "\n";
        if (ehlo.find("STARTTLS") == std::string::npos) return out + "Didn't find STARTTLS in server response, trying anyway...\nerror: server does not offer STARTTLS\n";
        if (!send_all(fd, "STARTTLS\r\n", deadline)) return out + "error: STARTTLS not sent\n";
        std::string go = smtp_reply(fd, buf, deadline);
        if (go.rfind("220", 0) != 0) return out + "error: STARTTLS refused: " + engine::printable(go, 120) + "\n";
    }

    NoSigpipe no_sigpipe; // for every OpenSSL call below, SSL_free included
    SSL_CTX* ctx = SSL_CTX_new(TLS_client_method());
    if (!ctx) return out + "error: SSL_CTX_new: " + ssl_errors() + "\n";
    SSL_CTX_set_default_verify_paths(ctx);
    SSL_CTX_set_verify(ctx, SSL_VERIFY_NONE, nullptr);
    SSL* ssl = SSL_new(ctx);
    SSL_set_fd(ssl, fd);
    int rc = 0;
    std::string err;
    while (true) {
        rc = SSL_connect(ssl);
        if (rc == 1) break;
        int e = SSL_get_error(ssl, rc);
        if (e == SSL_ERROR_WANT_READ || e == SSL_ERROR_WANT_WRITE) {
            if (!wait_fd(fd, e == SSL_ERROR_WANT_READ ? POLLIN : POLLOUT, deadline)) {
                err = "handshake timed out";
                break;
            }
            continue;
        }
        err = ssl_errors();
        if (err.empty()) err = e == SSL_ERROR_SYSCALL ? "connection closed during the handshake" : "handshake failed";
        break;
    }
    if (rc == 1) {
        STACK_OF(X509)* chain = SSL_get_peer_cert_chain(ssl);
        out += "---\nCertificate chain\n";
        for (int i = 0; chain && i < sk_X509_num(chain) && i < 16; ++i) {
            X509* x = sk_X509_value(chain, i);
            out += " " + std::to_string(i) + " s:" + name_line(X509_get_subject_name(x)) + "\n";
            out += "   i:" + name_line(X509_get_issuer_name(x)) + "\n";
            out += pem_of(x);
        }
        long v = SSL_get_verify_result(ssl);
        out += "---\nNew, " + std::string(SSL_get_version(ssl)) + ", Cipher is " + SSL_get_cipher_name(ssl) + "\n";
        out += "Verify return code: " + std::to_string(v) + " (" + X509_verify_cert_error_string(v) + ")\n---\n";
        // Take leave as a mail client does (after implicit TLS the greeting comes first), so
        // the server logs a QUIT rather than "lost connection after STARTTLS". At most a
        // second more; a server that does not answer is simply left.
        if (!ssl_exchange(ssl, fd, "QUIT\r\n", !starttls, std::min(deadline, clock::now() + std::chrono::seconds(1))))
            ERR_clear_error(); // a failed goodbye must not colour the next handshake's error text
        SSL_shutdown(ssl);
        ERR_clear_error();
    } else {
        out += "---\nno peer certificate available\n---\nNew, (NONE), Cipher is (NONE)\n---\nerror: " +
               engine::printable(err, 200) + "\n";
    }
    SSL_free(ssl);
    SSL_CTX_free(ctx);
    return out;
}

} // namespace pft::probes
