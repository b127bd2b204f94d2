#include "core/config_values.h"

namespace siagent::config_values {

// ---------------------------------------------------------------------------------------
// Text helpers

bool is_space(char c) { return c == ' ' || (c >= '\t' && c <= '\r'); }

bool is_digit(char c) { return c >= '0' && c <= '9'; }

char to_lower(char c) { return c >= 'A' && c <= 'Z' ? static_cast<char>(c - 'A' + 'a') : c; }

std::string_view trim(std::string_view text) {
    while (!text.empty() && is_space(text.front())) text.remove_prefix(1);
    while (!text.empty() && is_space(text.back())) text.remove_suffix(1);
    return text;
}

bool equals_ignoring_case(std::string_view a, std::string_view b) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
        if (to_lower(a[i]) != to_lower(b[i])) return false;
    }
    return true;
}

bool starts_with_ignoring_case(std::string_view text, std::string_view prefix) {
    return text.size() >= prefix.size() &&
           equals_ignoring_case(text.substr(0, prefix.size()), prefix);
}

bool has_control_character(std::string_view text) {
    for (char c : text) {
        if (static_cast<unsigned char>(c) < 0x20) return true;
    }
    return false;
}

// How one byte of a value appears in a problem line: control bytes, DEL, the quote and the
// backslash are escaped so that a line stays one line and cannot drive the terminal.
std::string escape_byte(char c) {
    auto byte = static_cast<unsigned char>(c);
    if (c == '"' || c == '\\') return std::string{'\\', c};
    if (byte >= 0x20 && byte != 0x7f) return std::string(1, c);
    static constexpr char kHex[] = "0123456789abcdef";
    return std::string{'\\', 'x', kHex[byte >> 4], kHex[byte & 0xf]};
}

bool is_utf8_continuation(char c) { return (static_cast<unsigned char>(c) & 0xc0) == 0x80; }

// The escaped form of `raw`, at most kMaxShownBytes long. A shortened value ends in "..."
// and is never cut inside an escape sequence or a UTF-8 sequence.
std::string show(std::string_view raw) {
    std::string shown;
    for (char c : raw) shown += escape_byte(c);
    if (shown.size() <= kMaxShownBytes) return shown;

    size_t kept_bytes = 0;  // of `raw`
    size_t kept_width = 0;  // of their escaped form
    while (kept_bytes < raw.size()) {
        size_t width = escape_byte(raw[kept_bytes]).size();
        if (kept_width + width > kMaxShownBytes - kEllipsis.size()) break;
        kept_width += width;
        ++kept_bytes;
    }
    while (kept_bytes > 0 && is_utf8_continuation(raw[kept_bytes])) --kept_bytes;

    shown.clear();
    for (char c : raw.substr(0, kept_bytes)) shown += escape_byte(c);
    return shown.append(kEllipsis);
}

std::string quoted(std::string_view raw) { return '"' + show(raw) + '"'; }

// ---------------------------------------------------------------------------------------
// Numbers

// Digits only (no sign, no spaces); nullopt when empty or above UINT64_MAX.
std::optional<uint64_t> parse_whole(std::string_view digits) {
    if (digits.empty()) return std::nullopt;
    uint64_t value = 0;
    for (char c : digits) {
        if (!is_digit(c)) return std::nullopt;
        if (__builtin_mul_overflow(value, 10u, &value) ||
            __builtin_add_overflow(value, static_cast<uint64_t>(c - '0'), &value)) {
            return std::nullopt;
        }
    }
    return value;
}


// Accepts `D+` or `D+.D+`.
std::optional<Decimal> parse_decimal(std::string_view text) {
    size_t dot = text.find('.');
    auto whole = parse_whole(text.substr(0, dot));
    if (!whole) return std::nullopt;
    Decimal number{.whole = *whole};
    if (dot == std::string_view::npos) return number;

    std::string_view digits = text.substr(dot + 1);
    if (digits.empty()) return std::nullopt;
    for (size_t i = 0; i < digits.size(); ++i) {
        if (!is_digit(digits[i])) return std::nullopt;
        if (i >= Decimal::kMaxFractionDigits) continue;
        number.fraction = number.fraction * 10 + static_cast<uint64_t>(digits[i] - '0');
        number.fraction_scale *= 10;
    }
    return number;
}

// number * factor, rounded to the nearest integer; nullopt on overflow.
// fraction * factor cannot overflow: fraction < 10^9, and where units accept decimals every
// factor is at most 10^9.
std::optional<uint64_t> scale(const Decimal& number, uint64_t factor) {
    uint64_t result = 0;
    if (__builtin_mul_overflow(number.whole, factor, &result)) return std::nullopt;
    uint64_t fraction =
        (number.fraction * factor + number.fraction_scale / 2) / number.fraction_scale;
    if (__builtin_add_overflow(result, fraction, &result)) return std::nullopt;
    return result;
}


// `text` is a number directly followed (spaces allowed) by an optional suffix.
std::optional<uint64_t> parse_quantity(std::string_view text, const Units& units) {
    size_t number_end = 0;
    while (number_end < text.size() && (is_digit(text[number_end]) || text[number_end] == '.')) {
        ++number_end;
    }
    std::string_view number_text = text.substr(0, number_end);
    std::string_view suffix_text = trim(text.substr(number_end));
    if (!units.decimals && number_text.find('.') != std::string_view::npos) return std::nullopt;

    auto number = parse_decimal(number_text);
    if (!number) return std::nullopt;
    if (suffix_text.empty()) return scale(*number, units.plain_factor);
    for (const Suffix& suffix : units.suffixes) {
        if (equals_ignoring_case(suffix_text, suffix.text)) return scale(*number, suffix.factor);
    }
    return std::nullopt;
}

// The value with the largest suffix that divides it exactly; the result parses back to
// `value`.
std::string format_quantity(uint64_t value, const Units& units) {
    const Suffix* best = nullptr;
    for (const Suffix& suffix : units.suffixes) {
        bool divides = value % suffix.factor == 0;
        if (divides && (best == nullptr || suffix.factor > best->factor)) best = &suffix;
    }
    if (best != nullptr) return std::to_string(value / best->factor) + std::string(best->text);
    // Only units without a factor-1 suffix get here, and their plain factor is 1.
    return std::to_string(value / units.plain_factor);
}

}  // namespace siagent::config_values
