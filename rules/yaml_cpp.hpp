// yaml_cpp.hpp - includes yaml-cpp with GCC 12's -Wdangling-pointer silenced for
// its headers only: yaml-cpp 0.7's node/impl.h trips a known false positive
// (a temporary kept alive by a const reference) wherever a node is indexed.
#pragma once

#pragma GCC diagnostic push
#if defined(__GNUC__) && !defined(__clang__) && __GNUC__ >= 12
#pragma GCC diagnostic ignored "-Wdangling-pointer"
#endif
#include <yaml-cpp/yaml.h>
#pragma GCC diagnostic pop
