// Reading what a benchmark's background server printed (its first start's secrets).
#pragma once

#include <string>

namespace siagent::bench {

// The whole file, or "" when it cannot be read.
std::string read_text(const std::string& path);

// The word after the first `label` in `text` ("password:" -> the password), or "".
std::string word_after(const std::string& text, const std::string& label);

}  // namespace siagent::bench
