// Crash records written by core/crash/crash_handler.cpp, read back outside the crashed process:
// parsed, symbolized against the recorded module map, and rendered as a readable report.
// Agent thread (the next agent) and the `siagent crashes` command.
#pragma once

#include "core/output_directory.h"

#include <cstdint>
#include <functional>
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

// The leaf an error profile shows for a crash: `SIGSEGV: SEGV_MAPERR at 0x10`, then the
// exception in flight, if any (`; std::runtime_error: what`). The type is the signal name.
std::string crash_leaf_name(const CrashRecord& record);

// A record claimed from the spool: renamed to `claim_path`, which only this agent holds.
struct ClaimedCrash {
    CrashRecord record;
    std::string spool_path;  // where it was
    std::string claim_path;  // where it is
};

// Spool pickup, step one: every complete record of `spool_dir` that `wanted` accepts is
// claimed (renamed, so two agents never both take one); the others stay where they are. A
// record that cannot be parsed is renamed to `*.bad` and left.
std::vector<ClaimedCrash> claim_crash_records(const std::string& spool_dir,
                                              const std::function<bool(const CrashRecord&)>& wanted);

// Writes the rendered report to crash-<pid>-<unix seconds>.txt in `output_dir` (atomically).
// Returns the path, or "" when it could not be written.
std::string write_crash_report(const CrashRecord& record, OutputDirectory& output_dir);

// Step two: a record that was reported is deleted; one that was not goes back into the spool
// for the next agent.
void release_crash_claim(const ClaimedCrash& claimed, bool reported);

}  // namespace siagent
