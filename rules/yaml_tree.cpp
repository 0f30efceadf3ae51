// yaml_tree.cpp - libyaml events -> node tree (anchors and aliases shared, not copied).
// Scalars are never interpreted here except for yaml-cpp's null spellings.
#include "rules/yaml_tree.hpp"

#include <yaml.h>

#include <cctype>
#include <charconv>
#include <cmath>
#include <limits>
#include <new>
#include <unordered_map>

namespace pft::rules::yaml {

namespace {

const std::string kEmpty;

bool is_null_text(const std::string& s) { return s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL"; }

const std::string kPlain = "?";
const std::string kQuoted = "!";

} // namespace

Kind Node::kind() const { return d_ ? d_->kind : Kind::Undefined; }
const std::string& Node::Scalar() const { return d_ && d_->kind == Kind::Scalar ? d_->value : kEmpty; }
const std::string& Node::Tag() const { return d_ && d_->tag ? *d_->tag : kEmpty; }
Mark Node::mark() const { return d_ ? d_->mark : Mark{}; }

Node Node::operator[](std::string_view key) const {
    if (!d_ || d_->kind != Kind::Map) return Node();
    for (const auto& [k, v] : d_->entries)
        if (k->kind == Kind::Scalar && k->value == key) return Node(v);
    return Node();
}

std::vector<Node> Node::items() const {
    std::vector<Node> out;
    if (!d_ || d_->kind != Kind::Sequence) return out;
    out.reserve(d_->items.size());
    for (const NodeData* n : d_->items) out.emplace_back(n);
    return out;
}

std::vector<std::pair<Node, Node>> Node::entries() const {
    std::vector<std::pair<Node, Node>> out;
    if (!d_ || d_->kind != Kind::Map) return out;
    out.reserve(d_->entries.size());
    for (const auto& [k, v] : d_->entries) out.emplace_back(Node(k), Node(v));
    return out;
}

std::size_t Node::size() const {
    if (!d_) return 0;
    if (d_->kind == Kind::Sequence) return d_->items.size();
    if (d_->kind == Kind::Map) return d_->entries.size();
    return 0;
}

NodeData* Stream::make() {
    if (used_ == kBlock) {
        // Raw storage: a page is touched only when a node on it is constructed.
        blocks_.emplace_back(static_cast<NodeData*>(::operator new(kBlock * sizeof(NodeData))));
        used_ = 0;
    }
    return new (blocks_.back().get() + used_++) NodeData();
}

Stream::~Stream() {
    for (std::size_t b = 0; b < blocks_.size(); ++b)
        for (std::size_t i = 0, n = b + 1 == blocks_.size() ? used_ : kBlock; i < n; ++i) blocks_[b].get()[i].~NodeData();
}

const std::string* Stream::tag(const unsigned char* explicit_tag, const std::string& implicit) {
    if (!explicit_tag) return &implicit;
    tags_.push_back(std::make_unique<std::string>(reinterpret_cast<const char*>(explicit_tag)));
    return tags_.back().get();
}

bool Stream::parse(const std::string& text, Error* err) {
    constexpr std::size_t max_depth = 200;
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p)) {
        if (err) *err = {Mark{0, 0}, "cannot initialise the YAML parser"};
        return false;
    }
    yaml_parser_set_input_string(&p, reinterpret_cast<const unsigned char*>(text.data()), text.size());
    struct Frame {
        NodeData* node;
        const NodeData* key = nullptr;
        bool have_key = false;
    };
    std::vector<Frame> stack;
    std::unordered_map<std::string, const NodeData*> anchors;
    const NodeData* root = nullptr;
    auto attach = [&](const NodeData* n) {
        if (stack.empty()) {
            root = n;
            return;
        }
        Frame& f = stack.back();
        if (f.node->kind == Kind::Sequence) {
            f.node->items.push_back(n);
        } else if (!f.have_key) {
            f.key = n;
            f.have_key = true;
        } else {
            f.node->entries.emplace_back(f.key, n);
            f.have_key = false;
        }
    };
    auto anchor = [&](const yaml_char_t* a, const NodeData* n) {
        if (a) anchors[reinterpret_cast<const char*>(a)] = n;
    };
    bool ok = true, done = false;
    while (!done) {
        yaml_event_t ev;
        if (!yaml_parser_parse(&p, &ev)) {
            if (err) {
                err->mark = {static_cast<int>(p.problem_mark.line), static_cast<int>(p.problem_mark.column)};
                err->message = p.problem ? p.problem : "syntax error";
                if (p.context) err->message += std::string(" (") + p.context + ")";
            }
            ok = false;
            break;
        }
        Mark m{static_cast<int>(ev.start_mark.line), static_cast<int>(ev.start_mark.column)};
        switch (ev.type) {
        case YAML_STREAM_END_EVENT: done = true; break;
        case YAML_DOCUMENT_START_EVENT:
            root = nullptr;
            stack.clear();
            anchors.clear();
            break;
        case YAML_DOCUMENT_END_EVENT: {
            if (!root) {
                NodeData* n = make();
                n->kind = Kind::Null;
                n->mark = m;
                root = n;
            }
            docs_.emplace_back(root);
            break;
        }
        case YAML_ALIAS_EVENT: {
            auto it = anchors.find(reinterpret_cast<const char*>(ev.data.alias.anchor));
            if (it == anchors.end()) {
                if (err) *err = {m, std::string("unknown anchor '") + reinterpret_cast<const char*>(ev.data.alias.anchor) + "'"};
                ok = false;
                done = true;
                break;
            }
            attach(it->second);
            break;
        }
        case YAML_SCALAR_EVENT: {
            NodeData* n = make();
            n->mark = m;
            n->value.assign(reinterpret_cast<const char*>(ev.data.scalar.value), ev.data.scalar.length);
            bool plain = ev.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
            n->tag = tag(ev.data.scalar.tag, plain ? kPlain : kQuoted);
            n->kind = plain && !ev.data.scalar.tag && is_null_text(n->value) ? Kind::Null : Kind::Scalar;
            if (n->kind == Kind::Null) n->value.clear();
            anchor(ev.data.scalar.anchor, n);
            attach(n);
            break;
        }
        case YAML_SEQUENCE_START_EVENT:
        case YAML_MAPPING_START_EVENT: {
            NodeData* n = make();
            n->mark = m;
            bool seq = ev.type == YAML_SEQUENCE_START_EVENT;
            n->kind = seq ? Kind::Sequence : Kind::Map;
            n->tag = tag(seq ? ev.data.sequence_start.tag : ev.data.mapping_start.tag, kPlain);
            anchor(seq ? ev.data.sequence_start.anchor : ev.data.mapping_start.anchor, n);
            attach(n);
            stack.push_back({n});
            // libyaml's scanner spends time in proportion to the flow depth on every token
            // (quadratic on "[[[[..."), and readers of the tree recurse: stop early.
            if (stack.size() > max_depth) {
                if (err) *err = {m, "nested deeper than " + std::to_string(max_depth) + " levels"};
                ok = false;
                done = true;
            }
            break;
        }
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_END_EVENT:
            if (!stack.empty()) {
                Frame& f = stack.back();
                if (f.have_key) f.node->entries.emplace_back(f.key, nullptr); // cannot happen in valid YAML
                stack.pop_back();
            }
            break;
        default: break;
        }
        yaml_event_delete(&ev);
    }
    yaml_parser_delete(&p);
    // A map entry without a value (defensive): drop it rather than keep a null pointer.
    for (std::size_t b = 0; b < blocks_.size(); ++b)
        for (std::size_t i = 0, n = b + 1 == blocks_.size() ? used_ : kBlock; i < n; ++i)
            if (NodeData& d = blocks_[b].get()[i]; d.kind == Kind::Map)
                std::erase_if(d.entries, [](const auto& e) { return e.second == nullptr; });
    return ok;
}

std::optional<double> to_double(const std::string& s) {
    if (s.empty()) return std::nullopt;
    std::size_t end = s.size();
    while (end > 0 && (s[end - 1] == ' ' || s[end - 1] == '\t' || s[end - 1] == '\n' || s[end - 1] == '\r')) --end;
    std::string_view v(s.data(), end);
    if (v == ".inf" || v == ".Inf" || v == ".INF" || v == "+.inf" || v == "+.Inf" || v == "+.INF")
        return std::numeric_limits<double>::infinity();
    if (v == "-.inf" || v == "-.Inf" || v == "-.INF") return -std::numeric_limits<double>::infinity();
    if (v == ".nan" || v == ".NaN" || v == ".NAN") return std::numeric_limits<double>::quiet_NaN();
    bool neg = false;
    if (!v.empty() && (v[0] == '+' || v[0] == '-')) {
        neg = v[0] == '-';
        v.remove_prefix(1);
    }
    // Only what a C++ stream reads as a number: digits or a point first (no "inf", "nan", hex).
    if (v.empty() || !(std::isdigit(static_cast<unsigned char>(v[0])) || v[0] == '.')) return std::nullopt;
    double x = 0;
    auto r = std::from_chars(v.data(), v.data() + v.size(), x, std::chars_format::general);
    if (r.ec != std::errc() || r.ptr != v.data() + v.size()) return std::nullopt;
    return neg ? -x : x;
}

} // namespace pft::rules::yaml
