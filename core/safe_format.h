// Formatting into a fixed buffer without allocation, locale or stdio, for code that runs
// in a crash handler. signal-safe, malloc-safe. Output past the capacity is dropped (the
// text stays NUL-ended and `overflowed` says so).
#pragma once

#include <cstddef>
#include <cstdint>

namespace siagent {

class SafeText {
public:
    SafeText(char* buffer, size_t capacity) : buffer_(buffer), capacity_(capacity) {
        if (capacity_ > 0) buffer_[0] = '\0';
    }

    SafeText& add(const char* text) {
        while (text != nullptr && *text != '\0') put(*text++);
        return *this;
    }
    SafeText& add(const char* text, size_t length) {
        for (size_t i = 0; i < length; ++i) put(text[i]);
        return *this;
    }
    // Control characters (a newline in a message) are written as \xNN: one record line
    // stays one line.
    SafeText& add_escaped(const char* text) {
        static const char kDigits[] = "0123456789abcdef";
        for (; text != nullptr && *text != '\0'; ++text) {
            auto c = static_cast<unsigned char>(*text);
            if (c >= 0x20 && c != 0x7f && c != '\\') {
                put(static_cast<char>(c));
            } else {
                put('\\'), put('x'), put(kDigits[c >> 4]), put(kDigits[c & 15]);
            }
        }
        return *this;
    }
    SafeText& add_decimal(uint64_t value) {
        char digits[24];
        int count = 0;
        do digits[count++] = static_cast<char>('0' + value % 10); while ((value /= 10) != 0);
        while (count > 0) put(digits[--count]);
        return *this;
    }
    SafeText& add_signed(int64_t value) {
        if (value < 0) {
            put('-');
            return add_decimal(static_cast<uint64_t>(-(value + 1)) + 1);
        }
        return add_decimal(static_cast<uint64_t>(value));
    }
    SafeText& add_hex(uint64_t value) {
        static const char kDigits[] = "0123456789abcdef";
        put('0'), put('x');
        int shift = 60;
        while (shift > 0 && ((value >> shift) & 15) == 0) shift -= 4;
        for (; shift >= 0; shift -= 4) put(kDigits[(value >> shift) & 15]);
        return *this;
    }

    const char* text() const { return buffer_; }
    size_t length() const { return length_; }
    bool overflowed() const { return overflowed_; }
    void clear() {
        length_ = 0;
        overflowed_ = false;
        if (capacity_ > 0) buffer_[0] = '\0';
    }

private:
    void put(char c) {
        if (length_ + 1 >= capacity_) {
            overflowed_ = true;
            return;
        }
        buffer_[length_++] = c;
        buffer_[length_] = '\0';
    }

    char* buffer_;
    size_t capacity_;
    size_t length_ = 0;
    bool overflowed_ = false;
};

}  // namespace siagent
