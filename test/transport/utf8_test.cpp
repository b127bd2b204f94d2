#include "transport/utf8.h"

#include <catch2/catch.hpp>
#include <string>

using siagent::is_valid_utf8;

TEST_CASE("whole texts are valid UTF-8 only when every sequence is, wherever it falls in the 8-byte steps") {
    CHECK(is_valid_utf8(""));
    CHECK(is_valid_utf8("plain ASCII, longer than one eight-byte word"));
    CHECK(is_valid_utf8("caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x98\x80 \xf4\x8f\xbf\xbf"));  // é € 😀 U+10FFFF
    const std::string bad[] = {
        "\xff",              // never a UTF-8 byte
        "\xc0\xaf",          // overlong '/'
        "\xe0\x80\xaf",      // overlong '/' in three bytes
        "\xed\xa0\x80",      // a surrogate, U+D800
        "\xf4\x90\x80\x80",  // U+110000
        "\xe2\x82",          // cut short
        "\x80",              // a continuation byte alone
    };
    // Each bad sequence at every offset of a 24-byte ASCII run: before, inside and after the
    // words the fast path skips, and at the very end (a sequence cut by the text's end).
    for (const std::string& sequence : bad) {
        for (size_t offset = 0; offset <= 24; ++offset) {
            std::string text = std::string(offset, 'a') + sequence + std::string(24 - offset, 'b');
            INFO("offset " << offset);
            CHECK_FALSE(is_valid_utf8(text));
        }
        CHECK_FALSE(is_valid_utf8(std::string(16, 'a') + sequence));
    }
    for (size_t offset = 0; offset <= 24; ++offset) {
        CHECK(is_valid_utf8(std::string(offset, 'a') + "\xe2\x82\xac" + std::string(24 - offset, 'b')));
    }
}
