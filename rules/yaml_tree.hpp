// yaml_tree.hpp - a read-only YAML document tree built from libyaml's event parser, with the
// node semantics the loader relied on from yaml-cpp (null scalars, "!" tag on quoted scalars,
// first match for a key, 0-based marks) at a fraction of yaml-cpp's cost on large files.
// It does not convert types (beyond to_double), emit YAML, or resolve merge keys.
#pragma once

#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace pft::rules::yaml {

struct Mark {
    int line = -1; // 0-based; -1 when the node is undefined
    int column = -1;
};

enum class Kind { Undefined, Null, Scalar, Sequence, Map };

struct NodeData;

// A cheap handle to a node of a Document; a default Node is undefined (a missing key).
class Node {
public:
    Node() = default;
    explicit Node(const NodeData* d) : d_(d) {}

    Kind kind() const;
    bool IsDefined() const { return kind() != Kind::Undefined; }
    bool IsNull() const { return kind() == Kind::Null; }
    bool IsScalar() const { return kind() == Kind::Scalar; }
    bool IsSequence() const { return kind() == Kind::Sequence; }
    bool IsMap() const { return kind() == Kind::Map; }
    // The scalar's text ("" for other kinds).
    const std::string& Scalar() const;
    // As yaml-cpp: "!" for a quoted or block scalar, "?" for a plain one, else the explicit tag.
    const std::string& Tag() const;
    Mark mark() const;
    // The value of the first entry whose key is the scalar `key`; undefined if none (or not a map).
    Node operator[](std::string_view key) const;

    // Sequence items, or map entries (key, value), in document order.
    std::vector<Node> items() const;
    std::vector<std::pair<Node, Node>> entries() const;
    std::size_t size() const;

private:
    const NodeData* d_ = nullptr;
};

struct NodeData {
    Kind kind = Kind::Null;
    Mark mark;
    std::string value;                 // scalar text
    const std::string* tag = nullptr;  // "?", "!" (shared) or an explicit tag kept by the Stream
    std::vector<const NodeData*> items;                              // sequence
    std::vector<std::pair<const NodeData*, const NodeData*>> entries; // map
};

// All documents of one YAML stream; the nodes live as long as the Stream.
class Stream {
public:
    struct Error {
        Mark mark;
        std::string message;
    };
    // Parses text; on a syntax error returns false and fills *err (documents before it are kept).
    bool parse(const std::string& text, Error* err);
    const std::vector<Node>& documents() const { return docs_; }

    Stream() = default;
    ~Stream();
    Stream(const Stream&) = delete;
    Stream& operator=(const Stream&) = delete;
    Stream(Stream&&) noexcept = default;
    Stream& operator=(Stream&&) = delete;

private:
    NodeData* make();
    const std::string* tag(const unsigned char* explicit_tag, const std::string& implicit);
    // Nodes live in blocks of kBlock (stable addresses), constructed one by one as the
    // parser needs them: a std::deque allocated a block per 4 nodes (512 bytes), and that
    // was a fifth of loading the knowledge base.
    static constexpr std::size_t kBlock = 256;
    struct FreeBlock {
        void operator()(NodeData* p) const { ::operator delete(p); }
    };
    std::vector<std::unique_ptr<NodeData, FreeBlock>> blocks_;
    std::size_t used_ = kBlock; // nodes constructed in blocks_.back()
    std::vector<std::unique_ptr<std::string>> tags_; // explicit tags ("!!str", "!custom")
    std::vector<Node> docs_;
};

// yaml-cpp's as<double>: a decimal number (sign, fraction, exponent), or .inf / -.inf / .nan.
std::optional<double> to_double(const std::string& s);

} // namespace pft::rules::yaml
