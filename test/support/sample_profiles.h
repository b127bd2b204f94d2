// Small profiles with known content, for tests of the encoders and the transport.
#pragma once

#include <string>
#include <vector>

#include "core/profile.h"

namespace siagent::testing {

// One stack of a sample: function names outermost first (each its own frame, with file
// "<function>.cpp" and line 10 + its position), and its values.
struct SampleSpec {
    std::vector<std::string> stack;
    std::vector<int64_t> values;
    std::vector<Label> labels;
};

// A profile of `kind`'s sample types (design.md's file contract), covering `seconds`.
Profile make_profile(const std::string& kind, const std::vector<SampleSpec>& samples,
                     double seconds = 10);

// A CPU profile of about `nodes` distinct breakdown nodes (a tree of `branching` fan-out).
Profile make_wide_cpu_profile(size_t nodes, size_t branching = 10);

}  // namespace siagent::testing
