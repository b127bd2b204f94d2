#include "core/config.h"

#include <catch2/catch.hpp>

#include <climits>
#include <map>
#include <set>
#include <stdexcept>
#include <string>

#include <sys/utsname.h>
#include <unistd.h>

using siagent::Config;
using siagent::ConfigResult;
using siagent::config_variable_names;
using siagent::find_unknown_variables;
using siagent::parse_config;

namespace {

using Variables = std::map<std::string, std::string>;

// parse_config over `variables` only: the process environment is never read.
ConfigResult parse(const Variables& variables) {
    return parse_config([&variables](const char* name) -> const char* {
        auto found = variables.find(name);
        return found == variables.end() ? nullptr : found->second.c_str();
    });
}

ConfigResult parse_one(const std::string& name, const std::string& value) {
    return parse({{name, value}});
}

// The single problem that `value` causes for `name`; fails the test unless there is one.
std::string problem_for(const std::string& name, const std::string& value) {
    ConfigResult result = parse_one(name, value);
    REQUIRE(result.problems.size() == 1);
    return result.problems.front();
}

bool contains(const std::string& text, const std::string& part) {
    return text.find(part) != std::string::npos;
}

const Config kDefaults{};

std::string expected_executable_name() {
    char path[PATH_MAX];
    ssize_t length = readlink("/proc/self/exe", path, sizeof path);
    REQUIRE(length > 0);
    std::string full(path, static_cast<size_t>(length));
    return full.substr(full.rfind('/') + 1);
}

std::string expected_host_name() {
    struct utsname names = {};
    REQUIRE(uname(&names) == 0);
    return names.nodename;
}

const char* const kBooleans[] = {
    "SI_DEBUG",
    "SI_CPU_PROFILER_DISABLED",
    "SI_ALLOCATION_PROFILER_DISABLED",
    "SI_BLOCK_PROFILER_DISABLED",
    "SI_ERROR_PROFILER_DISABLED",
    "SI_INCLUDE_AGENT_FRAMES",
    "SI_AUTO_DESTROY",
};

bool boolean_field(const Config& config, const std::string& name) {
    if (name == "SI_DEBUG") return config.debug;
    if (name == "SI_CPU_PROFILER_DISABLED") return config.cpu_profiler_disabled;
    if (name == "SI_ALLOCATION_PROFILER_DISABLED") return config.allocation_profiler_disabled;
    if (name == "SI_BLOCK_PROFILER_DISABLED") return config.block_profiler_disabled;
    if (name == "SI_ERROR_PROFILER_DISABLED") return config.error_profiler_disabled;
    if (name == "SI_INCLUDE_AGENT_FRAMES") return config.include_agent_frames;
    if (name == "SI_AUTO_DESTROY") return config.auto_destroy;
    FAIL("not a boolean variable: " << name);
    return false;
}

const char* const kPlainStrings[] = {
    "SI_APP_NAME", "SI_APP_VERSION", "SI_APP_ENVIRONMENT", "SI_HOST_NAME",
    "SI_OUTPUT_DIR", "SI_CA_FILE", "SI_SPOOL_DIR", "SI_AGENT_KEY",
};

const std::string& string_field(const Config& config, const std::string& name) {
    if (name == "SI_AGENT_KEY") return config.agent_key;
    if (name == "SI_APP_NAME") return config.app_name;
    if (name == "SI_APP_VERSION") return config.app_version;
    if (name == "SI_APP_ENVIRONMENT") return config.app_environment;
    if (name == "SI_HOST_NAME") return config.host_name;
    if (name == "SI_OUTPUT_DIR") return config.output_dir;
    if (name == "SI_CA_FILE") return config.ca_file;
    if (name == "SI_SPOOL_DIR") return config.spool_dir;
    FAIL("not a plain string variable: " << name);
    return config.agent_key;
}

}  // namespace

// ---------------------------------------------------------------------------------------
// Names and defaults

TEST_CASE("config: every Config field has one distinct SI_ name", "[config]") {
    const auto& names = config_variable_names();
    CHECK(names.size() == 27);
    std::set<std::string> distinct(names.begin(), names.end());
    CHECK(distinct.size() == names.size());
    for (const auto& name : names) CHECK(name.rfind("SI_", 0) == 0);
    for (const char* name : {"SI_AGENT_KEY", "SI_APP_NAME", "SI_APP_VERSION",
                             "SI_APP_ENVIRONMENT", "SI_HOST_NAME", "SI_DASHBOARD_ADDRESS",
                             "SI_DEBUG", "SI_CPU_PROFILER_DISABLED",
                             "SI_ALLOCATION_PROFILER_DISABLED", "SI_BLOCK_PROFILER_DISABLED",
                             "SI_ERROR_PROFILER_DISABLED", "SI_INCLUDE_AGENT_FRAMES",
                             "SI_AUTO_DESTROY", "SI_CPU_SAMPLING_HZ", "SI_SPAN_SAMPLING_HZ",
                             "SI_ALLOCATION_SAMPLING_BYTES", "SI_LEAK_REPORTS",
                             "SI_BLOCK_SAMPLING_NS",
                             "SI_MAX_STACK_DEPTH", "SI_REPORT_INTERVAL", "SI_METRICS_INTERVAL",
                             "SI_MESSAGE_TTL", "SI_MAX_QUEUE_BYTES", "SI_OUTPUT_DIR",
                             "SI_CA_FILE", "SI_SPOOL_DIR", "SI_START_DELAY"}) {
        CHECK(distinct.count(name) == 1);
    }
    CHECK(names.front() == "SI_AGENT_KEY");
    CHECK(names.back() == "SI_START_DELAY");
}

TEST_CASE("config: nothing set gives the documented defaults and no problems", "[config]") {
    ConfigResult result = parse({});
    const Config& c = result.config;
    CHECK(result.problems.empty());
    CHECK(c.agent_key.empty());
    CHECK(c.app_version.empty());
    CHECK(c.app_environment.empty());
    CHECK(c.dashboard_address == "http://127.0.0.1:8080");
    CHECK_FALSE(c.debug);
    CHECK_FALSE(c.cpu_profiler_disabled);
    CHECK_FALSE(c.allocation_profiler_disabled);
    CHECK_FALSE(c.block_profiler_disabled);
    CHECK_FALSE(c.error_profiler_disabled);
    CHECK_FALSE(c.include_agent_frames);
    CHECK(c.auto_destroy);
    CHECK(c.cpu_sampling_hz == 100);
    CHECK(c.span_sampling_hz == 1000);
    CHECK(c.allocation_sampling_bytes == 524288);
    CHECK(c.leak_reports == 3);
    CHECK(c.block_sampling_ns == 10'000'000);
    CHECK(c.max_stack_depth == 128);
    CHECK(c.report_interval_ms == 60'000);
    CHECK(c.metrics_interval_ms == 60'000);
    CHECK(c.message_ttl_ms == 600'000);
    CHECK(c.max_queue_bytes == 8u * 1024 * 1024);
    CHECK(c.output_dir.empty());
    CHECK(c.ca_file.empty());
}

TEST_CASE("config: an empty or blank value counts as unset", "[config]") {
    for (const auto& name : config_variable_names()) {
        for (const char* blank : {"", "  ", "\t"}) {
            INFO(name << "=\"" << blank << "\"");
            ConfigResult result = parse_one(name, blank);
            CHECK(result.problems.empty());
        }
    }
    ConfigResult result = parse({{"SI_AUTO_DESTROY", ""}, {"SI_CPU_SAMPLING_HZ", " "}});
    CHECK(result.config.auto_destroy);
    CHECK(result.config.cpu_sampling_hz == 100);
}

// ---------------------------------------------------------------------------------------
// Computed defaults

TEST_CASE("config: app name defaults to the executable's name", "[config]") {
    CHECK(parse({}).config.app_name == expected_executable_name());
    CHECK(parse_one("SI_APP_NAME", "checkout").config.app_name == "checkout");
}

TEST_CASE("config: host name defaults to the OS host name", "[config]") {
    CHECK(parse({}).config.host_name == expected_host_name());
    CHECK(parse_one("SI_HOST_NAME", "web-7").config.host_name == "web-7");
}

TEST_CASE("config: spool dir defaults per user", "[config]") {
    SECTION("XDG_STATE_HOME first") {
        auto config = parse({{"XDG_STATE_HOME", "/state"}, {"HOME", "/home/u"}}).config;
        CHECK(config.spool_dir == "/state/siagent/spool");
    }
    SECTION("then HOME") {
        CHECK(parse({{"HOME", "/home/u"}}).config.spool_dir ==
              "/home/u/.local/state/siagent/spool");
        CHECK(parse({{"HOME", "/home/u/"}}).config.spool_dir ==
              "/home/u/.local/state/siagent/spool");
        CHECK(parse({{"HOME", "/"}}).config.spool_dir == "/.local/state/siagent/spool");
    }
    SECTION("empty or relative XDG_STATE_HOME is ignored") {
        CHECK(parse({{"XDG_STATE_HOME", ""}, {"HOME", "/h"}}).config.spool_dir ==
              "/h/.local/state/siagent/spool");
        CHECK(parse({{"XDG_STATE_HOME", "state"}, {"HOME", "/h"}}).config.spool_dir ==
              "/h/.local/state/siagent/spool");
    }
    SECTION("else /tmp with the uid") {
        std::string expected = "/tmp/siagent-" + std::to_string(getuid()) + "/spool";
        CHECK(parse({}).config.spool_dir == expected);
        CHECK(parse({{"HOME", "relative"}}).config.spool_dir == expected);
    }
    SECTION("SI_SPOOL_DIR wins") {
        auto config = parse({{"SI_SPOOL_DIR", "/var/spool/si"}, {"HOME", "/h"}}).config;
        CHECK(config.spool_dir == "/var/spool/si");
    }
    SECTION("a spool set with SI_SPOOL_DIR is chosen (never replaced); a default is not") {
        CHECK(siagent::last_resort_spool_dir() == "/tmp/siagent-" + std::to_string(getuid()) + "/spool");
        CHECK_FALSE(parse({{"HOME", "/nonexistent"}}).config.spool_dir_chosen);
        CHECK_FALSE(parse({}).config.spool_dir_chosen);
        CHECK(parse({{"SI_SPOOL_DIR", "/var/spool/si"}, {"HOME", "/h"}}).config.spool_dir_chosen);
        CHECK_FALSE(parse({{"SI_SPOOL_DIR", " "}, {"HOME", "/h"}}).config.spool_dir_chosen);
    }
}

TEST_CASE("config: an invalid computed-default string falls back to the computed default",
          "[config]") {
    std::string problem = problem_for("SI_APP_NAME", "bad\nname");
    CHECK(contains(problem, "using \"" + expected_executable_name() + "\""));
    ConfigResult result = parse_one("SI_HOST_NAME", "bad\tname");
    CHECK(result.config.host_name == expected_host_name());
}

// ---------------------------------------------------------------------------------------
// Booleans

TEST_CASE("config: booleans accept 1/0/true/false/yes/no in any case", "[config]") {
    const std::pair<const char*, bool> forms[] = {
        {"1", true},     {"0", false},   {"true", true},    {"false", false},
        {"yes", true},   {"no", false},  {"TRUE", true},    {"False", false},
        {"YeS", true},   {"NO", false},  {" yes ", true},   {"\tfalse\n", false},
    };
    for (const char* name : kBooleans) {
        for (const auto& [text, value] : forms) {
            INFO(name << "=\"" << text << "\"");
            ConfigResult result = parse_one(name, text);
            CHECK(result.problems.empty());
            CHECK(boolean_field(result.config, name) == value);
        }
    }
}

TEST_CASE("config: invalid booleans keep the default with one problem", "[config]") {
    for (const char* name : kBooleans) {
        for (const char* text : {"2", "on", "off", "y", "n", "truee", "-1", "1 0"}) {
            INFO(name << "=\"" << text << "\"");
            ConfigResult result = parse_one(name, text);
            REQUIRE(result.problems.size() == 1);
            CHECK(boolean_field(result.config, name) == boolean_field(kDefaults, name));
            CHECK(contains(result.problems[0], "(expected 1, 0, true, false, yes or no)"));
        }
    }
    CHECK(problem_for("SI_DEBUG", "maybe") ==
          "siagent: SI_DEBUG=\"maybe\" is not valid (expected 1, 0, true, false, yes or no); "
          "using false");
    CHECK(contains(problem_for("SI_AUTO_DESTROY", "maybe"), "; using true"));
}

// ---------------------------------------------------------------------------------------
// Integers

TEST_CASE("config: SI_CPU_SAMPLING_HZ is an integer from 1 to 1000", "[config]") {
    CHECK(parse_one("SI_CPU_SAMPLING_HZ", "1").config.cpu_sampling_hz == 1);
    CHECK(parse_one("SI_CPU_SAMPLING_HZ", "1000").config.cpu_sampling_hz == 1000);
    CHECK(parse_one("SI_CPU_SAMPLING_HZ", " 250 ").config.cpu_sampling_hz == 250);
    CHECK(parse_one("SI_CPU_SAMPLING_HZ", "0099").config.cpu_sampling_hz == 99);
    for (const char* bad : {"0", "1001", "-1", "+5", "abc", "1.5", "1e3", "10 0",
                            "99999999999999999999999"}) {
        INFO(bad);
        ConfigResult result = parse_one("SI_CPU_SAMPLING_HZ", bad);
        CHECK(result.config.cpu_sampling_hz == 100);
        CHECK(result.problems.size() == 1);
    }
    CHECK(problem_for("SI_CPU_SAMPLING_HZ", "abc") ==
          "siagent: SI_CPU_SAMPLING_HZ=\"abc\" is not valid (expected an integer from 1 to "
          "1000); using 100");
}

TEST_CASE("config: SI_SPAN_SAMPLING_HZ is an integer from 1 to 1000", "[config]") {
    CHECK(parse_one("SI_SPAN_SAMPLING_HZ", "1").config.span_sampling_hz == 1);
    CHECK(parse_one("SI_SPAN_SAMPLING_HZ", "1000").config.span_sampling_hz == 1000);
    CHECK(parse_one("SI_SPAN_SAMPLING_HZ", "0").config.span_sampling_hz == 1000);
    CHECK(parse_one("SI_SPAN_SAMPLING_HZ", "1001").config.span_sampling_hz == 1000);
    CHECK(contains(problem_for("SI_SPAN_SAMPLING_HZ", "fast"), "; using 1000"));
}

TEST_CASE("config: SI_MAX_STACK_DEPTH is an integer from 4 to 128", "[config]") {
    CHECK(parse_one("SI_MAX_STACK_DEPTH", "4").config.max_stack_depth == 4);
    CHECK(parse_one("SI_MAX_STACK_DEPTH", "128").config.max_stack_depth == 128);
    CHECK(parse_one("SI_MAX_STACK_DEPTH", "64").config.max_stack_depth == 64);
    CHECK(parse_one("SI_MAX_STACK_DEPTH", "3").config.max_stack_depth == 128);
    CHECK(parse_one("SI_MAX_STACK_DEPTH", "129").config.max_stack_depth == 128);
    CHECK(problem_for("SI_MAX_STACK_DEPTH", "3") ==
          "siagent: SI_MAX_STACK_DEPTH=\"3\" is not valid (expected an integer from 4 to 128); "
          "using 128");
}

// ---------------------------------------------------------------------------------------
// Byte sizes

TEST_CASE("config: byte sizes accept plain bytes and 1024-based suffixes", "[config]") {
    const std::pair<const char*, uint64_t> forms[] = {
        {"1", 1},
        {"4096", 4096},
        {"1K", 1024},
        {"1k", 1024},
        {"2KB", 2048},
        {"2kib", 2048},
        {"3M", 3u << 20},
        {"3mb", 3u << 20},
        {"3MiB", 3u << 20},
        {"1G", 1u << 30},
        {"1gB", 1u << 30},
        {"1GiB", 1u << 30},
        {" 512 KiB ", 512u << 10},
        {"1073741824", 1u << 30},
    };
    for (const auto& [text, bytes] : forms) {
        INFO(text);
        ConfigResult result = parse_one("SI_ALLOCATION_SAMPLING_BYTES", text);
        CHECK(result.problems.empty());
        CHECK(result.config.allocation_sampling_bytes == bytes);
    }
}

TEST_CASE("config: SI_ALLOCATION_SAMPLING_BYTES is from 1 byte to 1 GiB", "[config]") {
    for (const char* bad : {"0", "0K", "1073741825", "2G", "1025M", "1.5M", "K", "10X", "10 B",
                            "-1", "1T", "18446744073709551616", "99999999999G"}) {
        INFO(bad);
        ConfigResult result = parse_one("SI_ALLOCATION_SAMPLING_BYTES", bad);
        CHECK(result.config.allocation_sampling_bytes == 524288);
        CHECK(result.problems.size() == 1);
    }
    std::string problem = problem_for("SI_ALLOCATION_SAMPLING_BYTES", "lots");
    CHECK(contains(problem, "SI_ALLOCATION_SAMPLING_BYTES=\"lots\" is not valid"));
    CHECK(contains(problem, "from 1 to 1GiB"));
    CHECK(contains(problem, "; using 512KiB"));
}

TEST_CASE("config: SI_MAX_QUEUE_BYTES is from 64 KiB to 1 GiB", "[config]") {
    CHECK(parse_one("SI_MAX_QUEUE_BYTES", "64K").config.max_queue_bytes == 65536);
    CHECK(parse_one("SI_MAX_QUEUE_BYTES", "65536").config.max_queue_bytes == 65536);
    CHECK(parse_one("SI_MAX_QUEUE_BYTES", "1G").config.max_queue_bytes == 1u << 30);
    CHECK(parse_one("SI_MAX_QUEUE_BYTES", "32m").config.max_queue_bytes == 32u << 20);
    for (const char* bad : {"65535", "63K", "1073741825", "2G", "big"}) {
        INFO(bad);
        ConfigResult result = parse_one("SI_MAX_QUEUE_BYTES", bad);
        CHECK(result.config.max_queue_bytes == 8u << 20);
        CHECK(result.problems.size() == 1);
    }
    std::string problem = problem_for("SI_MAX_QUEUE_BYTES", "65535");
    CHECK(contains(problem, "from 64KiB to 1GiB"));
    CHECK(contains(problem, "; using 8MiB"));
}

// ---------------------------------------------------------------------------------------
// Durations

TEST_CASE("config: intervals accept seconds and ms/s/m/h suffixes", "[config]") {
    const std::pair<const char*, uint64_t> forms[] = {
        {"1", 1000},          {"2.5", 2500},      {"1000ms", 1000},  {"1500ms", 1500},
        {"30s", 30'000},      {"30S", 30'000},    {"1.5s", 1500},    {"2m", 120'000},
        {"0.5m", 30'000},     {"1h", 3'600'000},  {"24h", 86'400'000}, {"86400", 86'400'000},
        {" 90 s ", 90'000},   {"1.0005", 1001},   {"1.25h", 4'500'000},
    };
    for (const char* name : {"SI_REPORT_INTERVAL", "SI_METRICS_INTERVAL"}) {
        for (const auto& [text, ms] : forms) {
            INFO(name << "=\"" << text << "\"");
            ConfigResult result = parse_one(name, text);
            CHECK(result.problems.empty());
            uint64_t parsed = std::string(name) == "SI_REPORT_INTERVAL"
                                  ? result.config.report_interval_ms
                                  : result.config.metrics_interval_ms;
            CHECK(parsed == ms);
        }
    }
}

TEST_CASE("config: intervals are from 1 s to 24 h", "[config]") {
    for (const char* name : {"SI_REPORT_INTERVAL", "SI_METRICS_INTERVAL"}) {
        for (const char* bad : {"0", "0.5", "999ms", "86401", "24.001h", "1441m", "25h", "1d",
                                "1.", ".5", "1..5", "-1", "1 m s", "soon", "1e3"}) {
            INFO(name << "=\"" << bad << "\"");
            ConfigResult result = parse_one(name, bad);
            CHECK(result.config.report_interval_ms == 60'000);
            CHECK(result.config.metrics_interval_ms == 60'000);
            CHECK(result.problems.size() == 1);
        }
        std::string problem = problem_for(name, "soon");
        CHECK(contains(problem, "(expected a duration from 1s to 24h: seconds"));
        CHECK(contains(problem, "; using 1m"));
    }
}

TEST_CASE("config: SI_MESSAGE_TTL is from 1 s to 7 days", "[config]") {
    CHECK(parse_one("SI_MESSAGE_TTL", "1").config.message_ttl_ms == 1000);
    CHECK(parse_one("SI_MESSAGE_TTL", "168h").config.message_ttl_ms == 604'800'000);
    CHECK(parse_one("SI_MESSAGE_TTL", "604800").config.message_ttl_ms == 604'800'000);
    CHECK(parse_one("SI_MESSAGE_TTL", "15m").config.message_ttl_ms == 900'000);
    for (const char* bad : {"0.9", "604801", "169h", "7d", "forever"}) {
        INFO(bad);
        ConfigResult result = parse_one("SI_MESSAGE_TTL", bad);
        CHECK(result.config.message_ttl_ms == 600'000);
        CHECK(result.problems.size() == 1);
    }
    std::string problem = problem_for("SI_MESSAGE_TTL", "7d");
    CHECK(contains(problem, "from 1s to 168h"));
    CHECK(contains(problem, "; using 10m"));
}

TEST_CASE("config: SI_BLOCK_SAMPLING_NS accepts nanoseconds and ns/us/ms/s", "[config]") {
    const std::pair<const char*, uint64_t> forms[] = {
        {"1000000", 1'000'000}, {"1ms", 1'000'000},     {"1MS", 1'000'000},
        {"1000us", 1'000'000},  {"1000000ns", 1'000'000}, {"1.5ms", 1'500'000},
        {"10ms", 10'000'000},   {"10s", 10'000'000'000}, {"10000000000", 10'000'000'000},
        {"0.5s", 500'000'000},
    };
    for (const auto& [text, ns] : forms) {
        INFO(text);
        ConfigResult result = parse_one("SI_BLOCK_SAMPLING_NS", text);
        CHECK(result.problems.empty());
        CHECK(result.config.block_sampling_ns == ns);
    }
    // Below 1 ms the agent thread would look at the calls under way too often.
    for (const char* bad : {"999999", "999us", "0.9ms", "1us", "10001ms", "11s", "10000000001", "1m",
                            "1h", "fast", "-5ms"}) {
        INFO(bad);
        ConfigResult result = parse_one("SI_BLOCK_SAMPLING_NS", bad);
        CHECK(result.config.block_sampling_ns == 10'000'000);
        CHECK(result.problems.size() == 1);
    }
    std::string problem = problem_for("SI_BLOCK_SAMPLING_NS", "fast");
    CHECK(contains(problem, "(expected a duration from 1ms to 10s: nanoseconds"));
    CHECK(contains(problem, "; using 10ms"));
}

// ---------------------------------------------------------------------------------------
// Strings

TEST_CASE("config: SI_DASHBOARD_ADDRESS accepts http(s) URLs", "[config]") {
    for (const char* good :
         {"http://localhost", "https://dashboard.example.com", "http://127.0.0.1:8080",
          "https://example.com:443/api/v1", "http://host/", "HTTPS://Host.Example:1",
          "http://host:65535", "http://[::1]:8080", "http://[::1]", "http://my_host.local/x?y=1"}) {
        INFO(good);
        ConfigResult result = parse_one("SI_DASHBOARD_ADDRESS", good);
        CHECK(result.problems.empty());
        CHECK(result.config.dashboard_address == good);
    }
    CHECK(parse_one("SI_DASHBOARD_ADDRESS", " http://h:1 ").config.dashboard_address ==
          "http://h:1");
}

TEST_CASE("config: SI_DASHBOARD_ADDRESS rejects other forms", "[config]") {
    for (const char* bad :
         {"localhost:8080", "ftp://host", "http://", "https:///path", "http://:80", "http://host:",
          "http://host:0", "http://host:65536", "http://host:http", "http://user@host",
          "http://ho st", "http://host/a b", "http://[::1", "http://[]:80", "http://[::1]x",
          "http//host", "http://host?x"}) {
        INFO(bad);
        ConfigResult result = parse_one("SI_DASHBOARD_ADDRESS", bad);
        CHECK(result.config.dashboard_address == "http://127.0.0.1:8080");
        CHECK(result.problems.size() == 1);
    }
    CHECK(problem_for("SI_DASHBOARD_ADDRESS", "ftp://x") ==
          "siagent: SI_DASHBOARD_ADDRESS=\"ftp://x\" is not valid (expected http:// or https:// "
          "followed by a host, an optional :port from 1 to 65535 and an optional path); using "
          "\"http://127.0.0.1:8080\"");
}

TEST_CASE("config: free-form strings take any value without control characters", "[config]") {
    for (const char* name : kPlainStrings) {
        INFO(name);
        for (const char* good : {"x", "/var/lib/my app", "v1.2.3-rc.1+build", "ünïcödé", "a=b;c"}) {
            ConfigResult result = parse_one(name, good);
            CHECK(result.problems.empty());
            CHECK(string_field(result.config, name) == good);
        }
        for (const char* bad : {"line\nbreak", "tab\there", "\x1b[31mred", "cr\r"}) {
            ConfigResult result = parse_one(name, bad);
            CHECK(result.problems.size() == 1);
            CHECK(string_field(result.config, name) == string_field(parse({}).config, name));
        }
    }
    CHECK(problem_for("SI_OUTPUT_DIR", "a\nb") ==
          "siagent: SI_OUTPUT_DIR=\"a\\x0ab\" is not valid (expected at most 4096 bytes without "
          "control characters); using \"\"");
}

TEST_CASE("config: values up to 4096 bytes are accepted, longer ones rejected", "[config]") {
    std::string longest(4096, 'v');
    CHECK(parse_one("SI_APP_VERSION", longest).config.app_version == longest);
    CHECK(parse_one("SI_APP_VERSION", longest).problems.empty());
    for (const auto& name : config_variable_names()) {
        INFO(name);
        ConfigResult result = parse_one(name, longest + "v");
        CHECK(result.problems.size() == 1);
    }
    CHECK(parse_one("SI_APP_VERSION", longest + "v").config.app_version.empty());
}

// ---------------------------------------------------------------------------------------
// Problem lines

TEST_CASE("config: every variable reports one well-formed problem per invalid value",
          "[config]") {
    for (const auto& name : config_variable_names()) {
        INFO(name);
        ConfigResult result = parse({{name, "bad\x01value"}, {"SI_DEBUG_X", "1"}});
        REQUIRE(result.problems.size() == 1);
        const std::string& line = result.problems[0];
        CHECK(line.rfind("siagent: " + name + "=", 0) == 0);
        CHECK(contains(line, " is not valid (expected "));
        CHECK(contains(line, "); using "));
        CHECK_FALSE(contains(line, "\x01"));
        CHECK(line.find('\n') == std::string::npos);
    }
}

TEST_CASE("config: several invalid values give one problem each", "[config]") {
    ConfigResult result = parse({{"SI_DEBUG", "perhaps"},
                                 {"SI_CPU_SAMPLING_HZ", "0"},
                                 {"SI_REPORT_INTERVAL", "0s"},
                                 {"SI_MAX_STACK_DEPTH", "64"}});
    CHECK(result.problems.size() == 3);
    CHECK(result.config.max_stack_depth == 64);
}

TEST_CASE("config: the agent key never appears in a problem", "[config]") {
    const std::string key = "sk-live-0123456789abcdef";
    CHECK(parse_one("SI_AGENT_KEY", key).config.agent_key == key);

    for (const std::string& bad : {key + "\n", "\t" + key, key + std::string(4096, 'k')}) {
        ConfigResult result = parse({{"SI_AGENT_KEY", bad}, {"SI_CPU_SAMPLING_HZ", "x"},
                                     {"SI_DASHBOARD_ADDRESS", "nope"}});
        CHECK(result.config.agent_key.empty());
        REQUIRE(result.problems.size() == 3);
        for (const auto& line : result.problems) {
            CHECK_FALSE(contains(line, key));
            CHECK_FALSE(contains(line, "sk-live"));
        }
        CHECK(result.problems[0] ==
              "siagent: SI_AGENT_KEY=<hidden> is not valid (expected at most 4096 bytes without "
              "control characters); using \"\"");
    }
}

TEST_CASE("config: shown values are escaped and truncated to 64 bytes", "[config]") {
    auto shown_value = [](const std::string& line) {
        size_t open = line.find("=\"");
        size_t close = line.find("\" is not valid");
        REQUIRE(open != std::string::npos);
        REQUIRE(close != std::string::npos);
        return line.substr(open + 2, close - open - 2);
    };
    std::string value = shown_value(problem_for("SI_CPU_SAMPLING_HZ", std::string(100, '7')));
    CHECK(value.size() == 64);
    CHECK(value == std::string(61, '7') + "...");

    CHECK(shown_value(problem_for("SI_CPU_SAMPLING_HZ", std::string(64, '7'))) ==
          std::string(64, '7'));
    CHECK(shown_value(problem_for("SI_DEBUG", "say \"hi\"\\")) == "say \\\"hi\\\"\\\\");
    CHECK(shown_value(problem_for("SI_DEBUG", "a\x7f\x1b")) == "a\\x7f\\x1b");

    // Escapes and multi-byte characters are never cut in half.
    std::string escapes = shown_value(problem_for("SI_DEBUG", std::string(40, '\x01')));
    CHECK(escapes.size() <= 64);
    CHECK(escapes == [] {
        std::string expected;
        for (int i = 0; i < 15; ++i) expected += "\\x01";
        return expected + "...";
    }());
    std::string accents;
    for (int i = 0; i < 40; ++i) accents += "\xc3\xa9";  // é
    // 61 bytes would end in the first byte of an "é": the cut backs off to 60.
    std::string cut = shown_value(problem_for("SI_DEBUG", "xy" + accents));
    CHECK(cut == "xy" + accents.substr(0, 58) + "...");
}

TEST_CASE("config: a failing lookup does not throw", "[config]") {
    auto throwing = [](const char* name) -> const char* {
        if (std::string(name) == "SI_CPU_SAMPLING_HZ") throw std::runtime_error("boom");
        if (std::string(name) == "SI_DEBUG") return "yes";
        return nullptr;
    };
    ConfigResult result;
    REQUIRE_NOTHROW(result = parse_config(throwing));
    CHECK(result.config.debug);
    CHECK(result.config.cpu_sampling_hz == 100);
    REQUIRE(result.problems.size() == 1);
    CHECK(contains(result.problems[0], "SI_CPU_SAMPLING_HZ"));

    REQUIRE_NOTHROW(result = parse_config(siagent::VariableLookup{}));
    CHECK(result.config.cpu_sampling_hz == 100);
}

// ---------------------------------------------------------------------------------------
// Unknown variables

TEST_CASE("config: unknown SI_ variables are reported, others ignored", "[config]") {
    const char* const environment[] = {
        "PATH=/usr/bin",      "SI_CPU_SAMPLING_RATE=50", "SI_DEBUG=1",      "XSI_FOO=1",
        "si_debug=1",         "SI_=x",                   "SI_AGENT_KEY=secret-key",
        "SI_NO_EQUALS",       "SI_AGENT_KEYS=secret-key", "HOME=/root",     nullptr,
    };
    auto lines = find_unknown_variables(environment);
    REQUIRE(lines.size() == 4);
    CHECK(lines[0] ==
          "siagent: unknown variable SI_CPU_SAMPLING_RATE is ignored (see docs/configuration.md)");
    CHECK(lines[1] == "siagent: unknown variable SI_ is ignored (see docs/configuration.md)");
    CHECK(lines[2] ==
          "siagent: unknown variable SI_NO_EQUALS is ignored (see docs/configuration.md)");
    CHECK(lines[3] ==
          "siagent: unknown variable SI_AGENT_KEYS is ignored (see docs/configuration.md)");
    for (const auto& line : lines) CHECK_FALSE(contains(line, "secret"));
}

TEST_CASE("config: every known name passes the unknown-variable finder", "[config]") {
    std::vector<std::string> entries;
    for (const auto& name : config_variable_names()) entries.push_back(name + "=1");
    std::vector<const char*> environment;
    for (const auto& entry : entries) environment.push_back(entry.c_str());
    environment.push_back(nullptr);
    CHECK(find_unknown_variables(environment.data()).empty());

    const char* const empty[] = {nullptr};
    CHECK(find_unknown_variables(empty).empty());
    CHECK(find_unknown_variables(nullptr).empty());
}

TEST_CASE("config: unknown names are escaped in the report", "[config]") {
    const char* const environment[] = {"SI_\x1b[2J=1", nullptr};
    auto lines = find_unknown_variables(environment);
    REQUIRE(lines.size() == 1);
    CHECK(lines[0] == "siagent: unknown variable SI_\\x1b[2J is ignored (see docs/configuration.md)");
}

TEST_CASE("config: SI_LEAK_REPORTS is an integer from 2 to 1000", "[config]") {
    CHECK(parse_one("SI_LEAK_REPORTS", "5").config.leak_reports == 5);
    for (const char* bad : {"1", "1001", "many", "-3"}) {
        ConfigResult result = parse_one("SI_LEAK_REPORTS", bad);
        CHECK(result.config.leak_reports == 3);
        CHECK(result.problems.size() == 1);
    }
}
