#include "core/config.h"
#include "core/config_values.h"
#include "core/dashboard_address.h"

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

using namespace config_values;

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

bool store(const AddressField& kind, std::string_view value, Config& config) {
    value = trim(value);
    if (!parse_dashboard_address(value)) return false;
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
    Variable{"SI_LEAK_REPORTS", IntField{&Config::leak_reports, 2, 1000}},
    Variable{"SI_BLOCK_SAMPLING_NS",
             QuantityField{&Config::block_sampling_ns, &kNanoseconds, kMillisecondNs,
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
    // Read by libsiagent.so (preload/loader/environment.h) before the agent exists; parsed
    // here too so that a bad value is said.
    Variable{"SI_START_DELAY",
             QuantityField{&Config::start_delay_ms, &kMilliseconds, 0, kMinuteMs}},
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
    return last_resort_spool_dir();
}

void fill_computed_defaults(const VariableLookup& lookup, Config& config) {
    config.app_name = executable_name();
    config.host_name = os_host_name();
    config.spool_dir = default_spool_dir(lookup);
}

}  // namespace

constexpr std::string_view kLastResortStart = "/tmp/siagent-";
constexpr std::string_view kLastResortEnd = "/spool";

std::string last_resort_spool_dir() {
    return std::string(kLastResortStart) + std::to_string(getuid()) + std::string(kLastResortEnd);
}

bool names_a_last_resort_spool_dir(const std::string& path) {
    return path.starts_with(kLastResortStart) && path.ends_with(kLastResortEnd);
}

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
    // A spool the user chose (SI_SPOOL_DIR, set and not blank) is used or reported, never
    // replaced.
    try {
        const char* chosen = lookup("SI_SPOOL_DIR");
        result.config.spool_dir_chosen = chosen != nullptr && !trim(chosen).empty();
    } catch (...) {
        result.config.spool_dir_chosen = true;
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
