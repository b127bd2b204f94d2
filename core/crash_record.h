// Crash records written by core/crash_handler.cpp, read back outside the crashed process:
// parsed, symbolized against the recorded module map, and rendered as a readable report.
// Agent thread (the next agent) and the `siagent crashes` command.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace siagent {

struct CrashModule {
    uint64_t start = 0;
    uint64_t end = 0;
    uint64_t bias = 0;
    std::string build_id;  // "" when none
    std::string path;
};

struct CrashRecord {
    int signal = 0;
    std::string signal_name;
    int64_t code = 0;
    uint64_t fault_address = 0;
    int64_t pid = 0;
    int64_t tid = 0;
    int64_t time_unix_ms = 0;
    std::string exception_type;  // demangled; empty when no exception was in flight
    std::string exception_what;
    std::string app, version, environment, host, executable;
    std::vector<uint64_t> frames;  // frames[0] is the crashing instruction
    std::vector<CrashModule> modules;
};

// False with `error` when `text` is not a complete record (version 1).
bool parse_crash_record(const std::string& text, CrashRecord& out, std::string& error);

// The report: identity, signal with its code and fault address, the exception, the
// function it crashed in (the innermost frame outside the C and C++ runtimes and the
// agent), and the whole stack symbolized from the recorded module map.
std::string render_crash_report(const CrashRecord& record);

// Spool pickup: every complete record in `spool_dir` is claimed (renamed, so two agents
// never both take one), rendered into `output_dir/crash-<pid>-<unix seconds>.txt`, and
// deleted. Returns the reports written. A record that cannot be parsed is renamed to
// `*.bad` and left.
std::vector<std::string> collect_crash_records(const std::string& spool_dir, const std::string& output_dir);

}  // namespace siagent
