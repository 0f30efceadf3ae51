// certainty.hpp - MYCIN-style certainty factors in [-1, 1].
// Positives and negatives are each combined first, then joined, so the result
// does not depend on the order in which rules fired.
#pragma once

#include <algorithm>
#include <cmath>
#include <vector>

namespace pft::engine {

inline double cf_combine(double a, double b) {
    if (a >= 0 && b >= 0) return a + b * (1 - a);
    if (a <= 0 && b <= 0) return a + b * (1 + a);
    double d = 1 - std::min(std::fabs(a), std::fabs(b));
    return d <= 0 ? 0.0 : (a + b) / d;
}

inline double cf_combine_all(const std::vector<double>& cfs) {
    double pos = 0, neg = 0;
    for (double c : cfs) {
        if (c > 0) pos = cf_combine(pos, c);
        if (c < 0) neg = cf_combine(neg, c);
    }
    if (pos == 0) return neg;
    if (neg == 0) return pos;
    return cf_combine(pos, neg);
}

// A cause is concluded at or above this certainty and ruled out at or below its negative.
inline constexpr double kConcludeThreshold = 0.2;

} // namespace pft::engine
