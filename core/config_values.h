// The value forms shared by SI_* variables: trimming and case-insensitive matching, showing
// an untrusted value safely in a one-line message, decimal numbers, and quantities with unit
// suffixes (byte sizes, durations). Pure functions; no variable-specific knowledge.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>

namespace siagent::config_values {

// A value quoted in a problem line never takes more than this many bytes.
inline constexpr size_t kMaxShownBytes = 64;
inline constexpr std::string_view kEllipsis = "...";

// A non-negative decimal number `whole.fraction`; only the first kMaxFractionDigits
// fractional digits count (the rest lie below a nanosecond of a second).
struct Decimal {
    static constexpr size_t kMaxFractionDigits = 9;
    uint64_t whole = 0;
    uint64_t fraction = 0;        // < fraction_scale
    uint64_t fraction_scale = 1;  // 10^(counted fractional digits)
};

struct Suffix {
    std::string_view text;  // compared ignoring case
    uint64_t factor;        // in the field's unit
};

struct Units {
    // Accepted suffixes; among equal factors the first is the one used for printing.
    std::span<const Suffix> suffixes;
    uint64_t plain_factor;  // for a number without suffix
    bool decimals;          // whether a fractional part is accepted
    const char* noun;       // "a size", "a duration"
    const char* forms;      // completes "<noun> from <min> to <max>: "
};

inline constexpr uint64_t kKiB = 1024;
inline constexpr uint64_t kMiB = 1024 * kKiB;
inline constexpr uint64_t kGiB = 1024 * kMiB;

inline constexpr Suffix kByteSuffixes[] = {
    {"KiB", kKiB}, {"K", kKiB}, {"KB", kKiB},  //
    {"MiB", kMiB}, {"M", kMiB}, {"MB", kMiB},  //
    {"GiB", kGiB}, {"G", kGiB}, {"GB", kGiB},
};
inline constexpr Units kBytes{kByteSuffixes, 1, false, "a size",
                              "bytes, or a whole number with suffix K, M or G, 1024-based"};

inline constexpr uint64_t kSecondMs = 1000;
inline constexpr uint64_t kMinuteMs = 60 * kSecondMs;
inline constexpr uint64_t kHourMs = 60 * kMinuteMs;

inline constexpr Suffix kMillisecondSuffixes[] = {
    {"ms", 1}, {"s", kSecondMs}, {"m", kMinuteMs}, {"h", kHourMs}};
inline constexpr Units kMilliseconds{kMillisecondSuffixes, kSecondMs, true, "a duration",
                                     "seconds, or a number with suffix ms, s, m or h"};

inline constexpr uint64_t kMicrosecondNs = 1000;
inline constexpr uint64_t kMillisecondNs = 1000 * kMicrosecondNs;
inline constexpr uint64_t kSecondNs = 1000 * kMillisecondNs;

inline constexpr Suffix kNanosecondSuffixes[] = {
    {"ns", 1}, {"us", kMicrosecondNs}, {"ms", kMillisecondNs}, {"s", kSecondNs}};
inline constexpr Units kNanoseconds{kNanosecondSuffixes, 1, true, "a duration",
                                    "nanoseconds, or a number with suffix ns, us, ms or s"};

// Characters and text.
bool is_space(char c);
bool is_digit(char c);
char to_lower(char c);
std::string_view trim(std::string_view text);
bool equals_ignoring_case(std::string_view a, std::string_view b);
bool starts_with_ignoring_case(std::string_view text, std::string_view prefix);
bool has_control_character(std::string_view text);  // bytes below 0x20, or DEL
bool is_utf8_continuation(char c);

// Showing an untrusted value in a one-line message: control bytes, DEL, the quote and the
// backslash escaped; at most kMaxShownBytes, shortened with "..." never inside an escape or
// a UTF-8 sequence. quoted() adds the double quotes.
std::string escape_byte(char c);
std::string show(std::string_view raw);
std::string quoted(std::string_view raw);

// Numbers: digits only (nullopt when empty or above UINT64_MAX); `D+` or `D+.D+`; and
// number * factor rounded to the nearest integer (nullopt on overflow).
std::optional<uint64_t> parse_whole(std::string_view digits);
std::optional<Decimal> parse_decimal(std::string_view text);
std::optional<uint64_t> scale(const Decimal& number, uint64_t factor);

// Quantities: a number directly followed (spaces allowed) by an optional suffix of `units`;
// and the value written with the largest suffix that divides it exactly (parses back).
std::optional<uint64_t> parse_quantity(std::string_view text, const Units& units);
std::string format_quantity(uint64_t value, const Units& units);

}  // namespace siagent::config_values
