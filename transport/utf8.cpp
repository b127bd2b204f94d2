#include "transport/utf8.h"

#include <cstdint>
#include <cstring>

namespace siagent {

size_t utf8_sequence(std::string_view text, size_t at) {
    auto byte = [&](size_t i) { return static_cast<unsigned char>(text[i]); };
    unsigned char lead = byte(at);
    if (lead < 0x80) return 1;
    size_t length = lead >= 0xf0 && lead <= 0xf4 ? 4 : lead >= 0xe0 ? 3 : lead >= 0xc2 ? 2 : 0;
    if (length == 0 || lead > 0xf4 || at + length > text.size()) return 0;
    for (size_t i = 1; i < length; ++i)
        if ((byte(at + i) & 0xc0) != 0x80) return 0;
    unsigned char second = byte(at + 1);
    if (lead == 0xe0 && second < 0xa0) return 0;  // overlong
    if (lead == 0xed && second >= 0xa0) return 0;  // surrogates
    if (lead == 0xf0 && second < 0x90) return 0;  // overlong
    if (lead == 0xf4 && second >= 0x90) return 0;  // beyond U+10FFFF
    return length;
}

bool is_valid_utf8(std::string_view text) {
    constexpr uint64_t kHighBits = 0x8080808080808080ull;
    size_t at = 0;
    while (at < text.size()) {
        if (at + sizeof(uint64_t) <= text.size()) {
            uint64_t word;
            std::memcpy(&word, text.data() + at, sizeof word);
            if ((word & kHighBits) == 0) {
                at += sizeof word;
                continue;
            }
        }
        const size_t length = utf8_sequence(text, at);
        if (length == 0) return false;
        at += length;
    }
    return true;
}

}  // namespace siagent
