// yaml_tree.hpp - a read-only YAML document tree built from libyaml's event parser, with the
// node semantics the loader relied on from yaml-cpp (null scalars, "!" tag on quoted scalars,
// first match for a key, 0-based marks) at a fraction of yaml-cpp's cost on large files.
// It does not convert types (beyond to_double), emit YAML, or resolve merge keys.
#pragma once

#include <deque>
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
    std::string value; // scalar text
    std::string tag;
    Mark mark;
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

private:
    NodeData* make();
    std::deque<NodeData> arena_;
    std::vector<Node> docs_;
};

// yaml-cpp's as<double>: a decimal number (sign, fraction, exponent), or .inf / -.inf / .nan.
std::optional<double> to_double(const std::string& s);

} // namespace pft::rules::yaml
