// Agent configuration: every SI_* variable, parsed and validated in one place.
//
// The same parser serves the environment (library constructor) and the C API
// (si_start's "SI_NAME=value" options, which are looked up before the environment).
// Invalid values never stop the agent: each produces one problem line naming the variable
// and the accepted form, and the default is used.
#pragma once

#include <cstdint>
#include <functional>
#include <string>
#include <vector>

namespace siagent {

struct Config {
    // Identity and destination (StackImpact's options).
    std::string agent_key;          // SI_AGENT_KEY: secret, never printed
    std::string app_name;           // SI_APP_NAME: default the executable's name
    std::string app_version;        // SI_APP_VERSION
    std::string app_environment;    // SI_APP_ENVIRONMENT
    std::string host_name;          // SI_HOST_NAME: default the OS host name
    std::string dashboard_address = "http://127.0.0.1:8080";  // SI_DASHBOARD_ADDRESS

    bool debug = false;                         // SI_DEBUG
    bool cpu_profiler_disabled = false;         // SI_CPU_PROFILER_DISABLED
    bool allocation_profiler_disabled = false;  // SI_ALLOCATION_PROFILER_DISABLED
    bool block_profiler_disabled = false;       // SI_BLOCK_PROFILER_DISABLED
    bool error_profiler_disabled = false;       // SI_ERROR_PROFILER_DISABLED
    bool include_agent_frames = false;          // SI_INCLUDE_AGENT_FRAMES
    bool auto_destroy = true;                   // SI_AUTO_DESTROY

    // Native profiling.
    int cpu_sampling_hz = 100;                          // SI_CPU_SAMPLING_HZ: 1..1000
    int span_sampling_hz = 1000;                        // SI_SPAN_SAMPLING_HZ: 1..1000
    uint64_t allocation_sampling_bytes = 512 * 1024;    // SI_ALLOCATION_SAMPLING_BYTES
    int leak_reports = 3;                               // SI_LEAK_REPORTS: 2..1000
    uint64_t block_sampling_ns = 10'000'000;            // SI_BLOCK_SAMPLING_NS
    int max_stack_depth = 128;                          // SI_MAX_STACK_DEPTH: 4..128
    uint64_t report_interval_ms = 60'000;               // SI_REPORT_INTERVAL
    uint64_t metrics_interval_ms = 60'000;              // SI_METRICS_INTERVAL
    uint64_t message_ttl_ms = 600'000;                  // SI_MESSAGE_TTL
    uint64_t max_queue_bytes = 8u << 20;                // SI_MAX_QUEUE_BYTES
    std::string output_dir;                             // SI_OUTPUT_DIR: empty = no files
    std::string ca_file;                                // SI_CA_FILE
    std::string spool_dir;                              // SI_SPOOL_DIR: default per user
    // SI_SPOOL_DIR was set (not blank): spool_dir is used as it is, never replaced. A default
    // spool_dir falls back to the last resort where it cannot be made (a HOME that does not
    // exist or is not writable, as nobody's /nonexistent): core/crash/crash_context.h.
    bool spool_dir_chosen = false;
    uint64_t start_delay_ms = 50;                       // SI_START_DELAY
};

// Returns the value of a variable, or nullptr when it is not set.
using VariableLookup = std::function<const char*(const char* name)>;

struct ConfigResult {
    Config config;
    // Complete one-line messages for stderr, e.g.
    // `siagent: SI_CPU_SAMPLING_HZ="abc" is not valid (expected an integer from 1 to 1000); using 100`
    std::vector<std::string> problems;
};

// Reads every SI_* variable through `lookup`; fills the computed defaults (app name from
// /proc/self/exe, host name from uname, spool dir from the user) for those left unset.
ConfigResult parse_config(const VariableLookup& lookup);

// /tmp/siagent-<uid>/spool, for the process's uid now: the spool directory of a user
// without a usable home.
std::string last_resort_spool_dir();

// Whether `path` is a last resort spool directory, of any uid (a configuration read before
// the process changed its uid names its former one).
bool names_a_last_resort_spool_dir(const std::string& path);

// Problem lines for SI_* entries of `environ` that parse_config does not know (typos such
// as SI_CPU_SAMPLING_RATE), e.g. `siagent: unknown variable SI_CPU_SAMPLING_RATE is ignored`.
std::vector<std::string> find_unknown_variables(const char* const* environ_entries);

// The names parse_config understands, in the order of docs/configuration.md.
const std::vector<std::string>& config_variable_names();

}  // namespace siagent
