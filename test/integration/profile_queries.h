// Questions the integration tests ask of decoded profiles.
#pragma once

#include <string>
#include <vector>

#include "core/profile.h"

namespace siagent::testing {

// Sum of sample value `index` over all profiles.
int64_t total_value(const std::vector<Profile>& profiles, size_t index);

// Sum of value `index` over samples whose leaf frame's function (the function that owns
// the code, outermost of the inline chain) contains `function`.
int64_t self_value(const std::vector<Profile>& profiles, const std::string& function, size_t index);

// Sum of value `index` over samples with `function` anywhere on the stack.
int64_t total_value_through(const std::vector<Profile>& profiles, const std::string& function, size_t index);

// Sum of value `index` over samples with a label `key` whose value contains `value`.
int64_t labeled_value(const std::vector<Profile>& profiles, const std::string& key, const std::string& value,
                      size_t index);

// Sum of value `index` over samples whose leaf frame's function name is exactly `name`
// (pseudo frames such as an exception's message).
int64_t leaf_named_value(const std::vector<Profile>& profiles, const std::string& name, size_t index);

// Like total_value_through, over samples that carry `label` (any sample when its key is
// empty); an empty `function` matches every sample.
int64_t labeled_value_through(const std::vector<Profile>& profiles, const std::string& function,
                              const Label& label, size_t index);

// Lines (file, line) at which leaf samples of `function` were taken.
struct CodePosition {
    std::string file;
    int64_t line;
};
std::vector<CodePosition> leaf_positions(const std::vector<Profile>& profiles, const std::string& function);
// Lines at which any frame owned by a function named exactly `function` sits.
std::vector<CodePosition> frame_positions(const std::vector<Profile>& profiles, const std::string& function);

}  // namespace siagent::testing
