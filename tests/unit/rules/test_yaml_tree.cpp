// test_yaml_tree.cpp - the libyaml-based tree the loader reads: null spellings, tags of quoted
// scalars, first match for duplicate keys, anchors, marks, multiple documents, syntax errors, numbers.
// It does not test the loader's schema checks (test_loader.cpp does).
#include "rules/yaml_tree.hpp"

#include <catch2/catch.hpp>

#include <cmath>

using namespace pft::rules;

TEST_CASE("yaml tree: scalars, nulls, quoted tags, duplicate keys, anchors and marks", "[rules][yaml]") {
    yaml::Stream s;
    yaml::Stream::Error err;
    REQUIRE(s.parse("a: 1\nb: ~\nc:\nd: 'null'\ne: \"x\"\nf: plain\na: 2\ng: &x [1, {k: v}]\nh: *x\ni: |\n  lit\n", &err));
    REQUIRE(s.documents().size() == 1);
    auto d = s.documents()[0];
    REQUIRE(d.IsMap());
    REQUIRE(d["a"].Scalar() == "1"); // first of duplicate keys
    REQUIRE(d["b"].IsNull());
    REQUIRE(d["c"].IsNull());
    REQUIRE(d["d"].IsScalar());
    REQUIRE(d["d"].Scalar() == "null");
    REQUIRE(d["d"].Tag() == "!");
    REQUIRE(d["e"].Tag() == "!");
    REQUIRE(d["f"].Tag() == "?");
    REQUIRE(d["i"].Tag() == "!");
    REQUIRE(d["i"].Scalar() == "lit\n");
    REQUIRE_FALSE(d["zz"].IsDefined());
    REQUIRE(d["zz"].mark().line == -1);
    REQUIRE(d["g"].IsSequence());
    REQUIRE(d["g"].size() == 2);
    REQUIRE(d["h"].items()[1]["k"].Scalar() == "v");
    REQUIRE(d["f"].mark().line == 5);
    REQUIRE(d["f"].mark().column == 3);
    REQUIRE(d.entries().size() == 10);
}

TEST_CASE("yaml tree: documents and syntax errors", "[rules][yaml]") {
    yaml::Stream s;
    yaml::Stream::Error err;
    REQUIRE(s.parse("---\na: 1\n---\n- x\n...\n", &err));
    REQUIRE(s.documents().size() == 2);
    REQUIRE(s.documents()[1].IsSequence());
    yaml::Stream empty;
    REQUIRE(empty.parse("# nothing\n", &err));
    REQUIRE(empty.documents().empty());
    yaml::Stream bad;
    REQUIRE_FALSE(bad.parse("a: [1, 2\nb: c\n", &err));
    REQUIRE(err.mark.line >= 1);
    REQUIRE_FALSE(err.message.empty());
    yaml::Stream alias;
    REQUIRE_FALSE(alias.parse("a: *nope\n", &err));
}

TEST_CASE("yaml tree: numbers as yaml-cpp's as<double> read them", "[rules][yaml]") {
    REQUIRE(yaml::to_double("0.5") == 0.5);
    REQUIRE(yaml::to_double("+0.5") == 0.5);
    REQUIRE(yaml::to_double("-1") == -1.0);
    REQUIRE(yaml::to_double(".5") == 0.5);
    REQUIRE(yaml::to_double("1e-1") == 0.1);
    REQUIRE(yaml::to_double("2 ") == 2.0);
    REQUIRE(std::isinf(*yaml::to_double(".inf")));
    REQUIRE(std::isnan(*yaml::to_double(".nan")));
    REQUIRE_FALSE(yaml::to_double("abc"));
    REQUIRE_FALSE(yaml::to_double("inf"));
    REQUIRE_FALSE(yaml::to_double(" 1"));
    REQUIRE_FALSE(yaml::to_double("1x"));
    REQUIRE_FALSE(yaml::to_double("0x10"));
    REQUIRE_FALSE(yaml::to_double(""));
}
