// config_view_test.cpp - which lookup tables the configuration names. Found in
// the fault lab: Postfix's own caches (verify, postscreen, TLS session, SASL
// auth) and the proxy_*_maps lists are not postmap tables, and a healthy
// default install must not report them missing.
#include "probe_test_support.hpp"
#include "probes/config_view.hpp"

#include <catch2/catch.hpp>

using namespace pft::probes;

TEST_CASE("config view: daemon caches and proxymap lists are not lookup tables", "[config][tables]") {
    test::MemorySource src;
    src.files["postconf.txt"] =
        "data_directory = /var/lib/postfix\n"
        "address_verify_map = btree:$data_directory/verify_cache\n"
        "postscreen_cache_map = btree:$data_directory/postscreen_cache\n"
        "smtpd_tls_session_cache_database = btree:${data_directory}/smtpd_scache\n"
        "smtp_sasl_auth_cache_name = lmdb:/var/lib/postfix/sasl_auth_cache\n"
        "proxy_write_maps = $smtp_sasl_auth_cache_name $address_verify_map $postscreen_cache_map\n"
        "transport_maps = hash:/etc/postfix/transport\n"
        "address_verify_transport_maps = $transport_maps\n";
    auto cfg = ConfigView::load(src);
    REQUIRE(cfg.ok());
    auto t = cfg.tables();
    REQUIRE(t.size() == 1);
    CHECK(t[0].path == "/etc/postfix/transport");
    CHECK(t[0].param == "transport_maps"); // the parameter a person sets, not the derived default
}
