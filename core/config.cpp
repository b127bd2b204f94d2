#include "core/config.h"

#include <array>
#include <climits>
#include <optional>
#include <span>
#include <string_view>
#include <variant>

#include <sys/utsname.h>
#include <unistd.h>

namespace siagent {
namespace {

// Longer values are rejected whatever the variable.
constexpr size_t kMaxValueBytes = 4096;
// A value quoted in a problem line never takes more than this many bytes.
constexpr size_t kMaxShownBytes = 64;
constexpr std::string_view kEllipsis = "...";

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

// A non-negative decimal number `whole.fraction`; only the first kMaxFractionDigits
// fractional digits count (the rest lie below a nanosecond of a second).
struct Decimal {
    static constexpr size_t kMaxFractionDigits = 9;
    uint64_t whole = 0;
    uint64_t fraction = 0;        // < fraction_scale
    uint64_t fraction_scale = 1;  // 10^(counted fractional digits)
};

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

// ---------------------------------------------------------------------------------------
// Units of byte sizes and durations

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

constexpr uint64_t kKiB = 1024;
constexpr uint64_t kMiB = 1024 * kKiB;
constexpr uint64_t kGiB = 1024 * kMiB;

constexpr Suffix kByteSuffixes[] = {
    {"KiB", kKiB}, {"K", kKiB}, {"KB", kKiB},  //
    {"MiB", kMiB}, {"M", kMiB}, {"MB", kMiB},  //
    {"GiB", kGiB}, {"G", kGiB}, {"GB", kGiB},
};
constexpr Units kBytes{kByteSuffixes, 1, false, "a size",
                       "bytes, or a whole number with suffix K, M or G, 1024-based"};

constexpr uint64_t kSecondMs = 1000;
constexpr uint64_t kMinuteMs = 60 * kSecondMs;
constexpr uint64_t kHourMs = 60 * kMinuteMs;

constexpr Suffix kMillisecondSuffixes[] = {
    {"ms", 1}, {"s", kSecondMs}, {"m", kMinuteMs}, {"h", kHourMs}};
constexpr Units kMilliseconds{kMillisecondSuffixes, kSecondMs, true, "a duration",
                              "seconds, or a number with suffix ms, s, m or h"};

constexpr uint64_t kMicrosecondNs = 1000;
constexpr uint64_t kMillisecondNs = 1000 * kMicrosecondNs;
constexpr uint64_t kSecondNs = 1000 * kMillisecondNs;

constexpr Suffix kNanosecondSuffixes[] = {
    {"ns", 1}, {"us", kMicrosecondNs}, {"ms", kMillisecondNs}, {"s", kSecondNs}};
constexpr Units kNanoseconds{kNanosecondSuffixes, 1, true, "a duration",
                             "nanoseconds, or a number with suffix ns, us, ms or s"};

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

// ---------------------------------------------------------------------------------------
// Variable kinds. Each kind has `store` (false when the value is not valid, leaving the
// config untouched), `expected` (completes "expected ...") and `show_default`.

struct BoolField {
    bool Config::*field;
};

struct IntField {
    int Config::*field;
    int min;
    int max;
};

struct QuantityField {
    uint64_t Config::*field;
    const Units* units;
    uint64_t min;
    uint64_t max;
};

struct TextField {
    std::string Config::*field;
    bool secret;  // its value never appears in a message
};

struct AddressField {
    std::string Config::*field;
};

using Field = std::variant<BoolField, IntField, QuantityField, TextField, AddressField>;

bool store(const BoolField& kind, std::string_view value, Config& config) {
    value = trim(value);
    for (std::string_view yes : {"1", "true", "yes"}) {
        if (equals_ignoring_case(value, yes)) {
            config.*kind.field = true;
            return true;
        }
    }
    for (std::string_view no : {"0", "false", "no"}) {
        if (equals_ignoring_case(value, no)) {
            config.*kind.field = false;
            return true;
        }
    }
    return false;
}

std::string expected(const BoolField&) { return "1, 0, true, false, yes or no"; }

std::string show_default(const BoolField& kind, const Config& config) {
    return config.*kind.field ? "true" : "false";
}

bool store(const IntField& kind, std::string_view value, Config& config) {
    auto number = parse_whole(trim(value));
    if (!number || *number < static_cast<uint64_t>(kind.min) ||
        *number > static_cast<uint64_t>(kind.max)) {
        return false;
    }
    config.*kind.field = static_cast<int>(*number);
    return true;
}

std::string expected(const IntField& kind) {
    return "an integer from " + std::to_string(kind.min) + " to " + std::to_string(kind.max);
}

std::string show_default(const IntField& kind, const Config& config) {
    return std::to_string(config.*kind.field);
}

bool store(const QuantityField& kind, std::string_view value, Config& config) {
    auto quantity = parse_quantity(trim(value), *kind.units);
    if (!quantity || *quantity < kind.min || *quantity > kind.max) return false;
    config.*kind.field = *quantity;
    return true;
}

std::string expected(const QuantityField& kind) {
    const Units& units = *kind.units;
    return std::string(units.noun) + " from " + format_quantity(kind.min, units) + " to " +
           format_quantity(kind.max, units) + ": " + units.forms;
}

std::string show_default(const QuantityField& kind, const Config& config) {
    return format_quantity(config.*kind.field, *kind.units);
}

bool store(const TextField& kind, std::string_view value, Config& config) {
    if (has_control_character(value)) return false;
    config.*kind.field = std::string(value);
    return true;
}

std::string expected(const TextField&) {
    return "at most " + std::to_string(kMaxValueBytes) + " bytes without control characters";
}

std::string show_default(const TextField& kind, const Config& config) {
    return quoted(config.*kind.field);
}

bool is_host_character(char c) {
    char lower = to_lower(c);
    return is_digit(c) || (lower >= 'a' && lower <= 'z') || c == '-' || c == '.' || c == '_';
}

bool is_ipv6_character(char c) {
    char lower = to_lower(c);
    return is_digit(c) || (lower >= 'a' && lower <= 'f') || c == ':' || c == '.';
}

bool valid_port(std::string_view text) {
    auto port = parse_whole(text);
    return port && *port >= 1 && *port <= 65535;
}

// `host[:port]` or `[ipv6][:port]`, host non-empty.
bool valid_authority(std::string_view authority) {
    std::string_view host = authority;
    std::string_view rest;
    bool ipv6 = !authority.empty() && authority.front() == '[';
    if (ipv6) {
        size_t close = authority.find(']');
        if (close == std::string_view::npos) return false;
        host = authority.substr(1, close - 1);
        rest = authority.substr(close + 1);
    } else if (size_t colon = authority.find(':'); colon != std::string_view::npos) {
        host = authority.substr(0, colon);
        rest = authority.substr(colon);
    }
    if (host.empty()) return false;
    for (char c : host) {
        if (!(ipv6 ? is_ipv6_character(c) : is_host_character(c))) return false;
    }
    if (rest.empty()) return true;
    return rest.front() == ':' && valid_port(rest.substr(1));
}

// http(s)://authority[/path]; the path has no spaces or control characters.
bool valid_dashboard_address(std::string_view address) {
    for (std::string_view scheme : {"http://", "https://"}) {
        if (!starts_with_ignoring_case(address, scheme)) continue;
        std::string_view rest = address.substr(scheme.size());
        size_t slash = rest.find('/');
        std::string_view path = slash == std::string_view::npos ? "" : rest.substr(slash);
        for (char c : path) {
            if (static_cast<unsigned char>(c) <= 0x20 || c == 0x7f) return false;
        }
        return valid_authority(rest.substr(0, slash));
    }
    return false;
}

bool store(const AddressField& kind, std::string_view value, Config& config) {
    value = trim(value);
    if (!valid_dashboard_address(value)) return false;
    config.*kind.field = std::string(value);
    return true;
}

std::string expected(const AddressField&) {
    return "http:// or https:// followed by a host, an optional :port from 1 to 65535 "
           "and an optional path";
}

std::string show_default(const AddressField& kind, const Config& config) {
    return quoted(config.*kind.field);
}

// ---------------------------------------------------------------------------------------
// The variables, in the order of docs/configuration.md. Each writes only its own field.

struct Variable {
    const char* name;
    Field field;
};

constexpr std::array kVariables{
    Variable{"SI_AGENT_KEY", TextField{&Config::agent_key, true}},
    Variable{"SI_APP_NAME", TextField{&Config::app_name, false}},
    Variable{"SI_APP_VERSION", TextField{&Config::app_version, false}},
    Variable{"SI_APP_ENVIRONMENT", TextField{&Config::app_environment, false}},
    Variable{"SI_HOST_NAME", TextField{&Config::host_name, false}},
    Variable{"SI_DASHBOARD_ADDRESS", AddressField{&Config::dashboard_address}},
    Variable{"SI_DEBUG", BoolField{&Config::debug}},
    Variable{"SI_CPU_PROFILER_DISABLED", BoolField{&Config::cpu_profiler_disabled}},
    Variable{"SI_ALLOCATION_PROFILER_DISABLED", BoolField{&Config::allocation_profiler_disabled}},
    Variable{"SI_BLOCK_PROFILER_DISABLED", BoolField{&Config::block_profiler_disabled}},
    Variable{"SI_ERROR_PROFILER_DISABLED", BoolField{&Config::error_profiler_disabled}},
    Variable{"SI_INCLUDE_AGENT_FRAMES", BoolField{&Config::include_agent_frames}},
    Variable{"SI_AUTO_DESTROY", BoolField{&Config::auto_destroy}},
    Variable{"SI_CPU_SAMPLING_HZ", IntField{&Config::cpu_sampling_hz, 1, 1000}},
    Variable{"SI_SPAN_SAMPLING_HZ", IntField{&Config::span_sampling_hz, 1, 1000}},
    Variable{"SI_ALLOCATION_SAMPLING_BYTES",
             QuantityField{&Config::allocation_sampling_bytes, &kBytes, 1, kGiB}},
    Variable{"SI_BLOCK_SAMPLING_NS",
             QuantityField{&Config::block_sampling_ns, &kNanoseconds, kMicrosecondNs,
                           10 * kSecondNs}},
    Variable{"SI_MAX_STACK_DEPTH", IntField{&Config::max_stack_depth, 4, 128}},
    Variable{"SI_REPORT_INTERVAL",
             QuantityField{&Config::report_interval_ms, &kMilliseconds, kSecondMs, 24 * kHourMs}},
    Variable{"SI_METRICS_INTERVAL",
             QuantityField{&Config::metrics_interval_ms, &kMilliseconds, kSecondMs,
                           24 * kHourMs}},
    Variable{"SI_MESSAGE_TTL",
             QuantityField{&Config::message_ttl_ms, &kMilliseconds, kSecondMs, 7 * 24 * kHourMs}},
    Variable{"SI_MAX_QUEUE_BYTES",
             QuantityField{&Config::max_queue_bytes, &kBytes, 64 * kKiB, kGiB}},
    Variable{"SI_OUTPUT_DIR", TextField{&Config::output_dir, false}},
    Variable{"SI_CA_FILE", TextField{&Config::ca_file, false}},
    Variable{"SI_SPOOL_DIR", TextField{&Config::spool_dir, false}},
};

bool is_secret(const Variable& variable) {
    auto* text = std::get_if<TextField>(&variable.field);
    return text != nullptr && text->secret;
}

std::string problem_line(const Variable& variable, std::string_view value, const Config& config) {
    std::string shown = is_secret(variable) ? "=<hidden>" : "=" + quoted(value);
    auto expected_form =
        std::visit([](const auto& kind) { return expected(kind); }, variable.field);
    // `config` still holds the default: a variable's field is written only with a valid value.
    auto fallback = std::visit([&config](const auto& kind) { return show_default(kind, config); },
                               variable.field);
    return "siagent: " + std::string(variable.name) + shown + " is not valid (expected " +
           expected_form + "); using " + fallback;
}

void read_variable(const Variable& variable, const VariableLookup& lookup, ConfigResult& result) {
    const char* raw = lookup(variable.name);
    if (raw == nullptr) return;
    std::string_view value = raw;
    if (trim(value).empty()) return;  // set but empty counts as unset

    bool stored = value.size() <= kMaxValueBytes &&
                  std::visit([&](const auto& kind) { return store(kind, value, result.config); },
                             variable.field);
    if (!stored) result.problems.push_back(problem_line(variable, value, result.config));
}

// Only for messages about failures that leave nothing else to do.
void add_problem_quietly(std::vector<std::string>& problems, std::string line) {
    try {
        problems.push_back(std::move(line));
    } catch (...) {
    }
}

// ---------------------------------------------------------------------------------------
// Computed defaults

std::string executable_name() {
    char path[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", path, sizeof path);
    if (length <= 0 || static_cast<size_t>(length) >= sizeof path) return "unknown";
    std::string_view full(path, static_cast<size_t>(length));
    constexpr std::string_view kDeleted = " (deleted)";  // the binary was replaced or removed
    if (full.ends_with(kDeleted)) full.remove_suffix(kDeleted.size());
    std::string_view base = full.substr(full.rfind('/') + 1);
    return base.empty() ? "unknown" : std::string(base);
}

std::string os_host_name() {
    struct utsname names = {};
    if (uname(&names) != 0 || names.nodename[0] == '\0') return "unknown";
    return names.nodename;
}

// `raw` without trailing slashes, when it is an absolute path.
std::optional<std::string> absolute_directory(const char* raw) {
    if (raw == nullptr || raw[0] != '/') return std::nullopt;
    std::string_view path = raw;
    while (!path.empty() && path.back() == '/') path.remove_suffix(1);
    return std::string(path);
}

// XDG_STATE_HOME and HOME are read through `lookup` too, so that a caller decides where
// they come from. Relative values are ignored, as the XDG base directory spec says.
std::string default_spool_dir(const VariableLookup& lookup) {
    if (auto state = absolute_directory(lookup("XDG_STATE_HOME"))) {
        return *state + "/siagent/spool";
    }
    if (auto home = absolute_directory(lookup("HOME"))) {
        return *home + "/.local/state/siagent/spool";
    }
    return "/tmp/siagent-" + std::to_string(getuid()) + "/spool";
}

void fill_computed_defaults(const VariableLookup& lookup, Config& config) {
    config.app_name = executable_name();
    config.host_name = os_host_name();
    config.spool_dir = default_spool_dir(lookup);
}

}  // namespace

ConfigResult parse_config(const VariableLookup& lookup) {
    ConfigResult result;
    try {
        fill_computed_defaults(lookup, result.config);
    } catch (...) {
        add_problem_quietly(result.problems,
                            "siagent: the default app name, host name or spool directory could "
                            "not be computed; some stay empty");
    }
    for (const Variable& variable : kVariables) {
        try {
            read_variable(variable, lookup, result);
        } catch (...) {
            add_problem_quietly(result.problems, "siagent: " + std::string(variable.name) +
                                                     " could not be read; using its default");
        }
    }
    return result;
}

std::vector<std::string> find_unknown_variables(const char* const* environ_entries) {
    std::vector<std::string> lines;
    if (environ_entries == nullptr) return lines;
    try {
        const auto& known = config_variable_names();
        for (const char* const* entry = environ_entries; *entry != nullptr; ++entry) {
            std::string_view text = *entry;
            if (!text.starts_with("SI_")) continue;
            std::string_view name = text.substr(0, text.find('='));
            bool is_known = false;
            for (const std::string& candidate : known) is_known = is_known || candidate == name;
            if (!is_known) {
                lines.push_back("siagent: unknown variable " + show(name) +
                                " is ignored (see docs/configuration.md)");
            }
        }
    } catch (...) {
        // Reporting typos is best effort: the lines found so far are returned.
    }
    return lines;
}

const std::vector<std::string>& config_variable_names() {
    static const std::vector<std::string> names = [] {
        std::vector<std::string> all;
        for (const Variable& variable : kVariables) all.emplace_back(variable.name);
        return all;
    }();
    return names;
}

}  // namespace siagent
