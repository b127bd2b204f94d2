// One kind of profiler as the agent thread sees it: started and stopped, drained every
// 50 ms (agent/agent.cpp), asked for its profiles (and the crash reporter for its crash
// records) at each report. Every profiler (CPU, allocations, blocking, errors, crashes)
// implements this; the agent starts them from one list (agent/profilers.h), and a source
// does not know where its report goes.
//
// Agent thread only, except where a method says otherwise.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <chrono>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "core/config.h"
#include "core/crash/crash_record.h"
#include "core/symbols/module_map.h"
#include "core/profile.h"

namespace siagent {

class Symbolizer;
class ThreadNames;

// A profile and the kind it is reported as (the file contract's kinds: "cpu", "alloc",
// "inuse", "block", "error").
struct KindProfile {
    std::string kind;
    Profile profile;
};

// A profiler's own health, for the runtime metrics (cumulative since it started).
struct SourceHealth {
    uint64_t samples = 0;       // records taken
    uint64_t dropped = 0;       // records lost to a full ring
    uint64_t memory_bytes = 0;  // fixed buffers it mapped (rings, tables)
};

// What every profile of one report shares.
struct ReportContext {
    Symbolizer& symbolizer;
    ThreadNames& thread_names;
    int64_t start_ns = 0;  // wall clock, Unix epoch
    int64_t end_ns = 0;
    CodeRanges hidden_code;                 // the agent's own code, unless shown
    std::vector<std::string> common_comments;  // identity line(s) for every profile
};

class ProfileSource {
public:
    virtual ~ProfileSource() = default;

    // For log lines, e.g. "CPU profiler".
    virtual const char* name() const = 0;
    // Starts sampling (the agent thread, `agent_tid`, is never sampled). Returns false with
    // `error` set when this profiler cannot run (empty when the reason was said already);
    // the others still do.
    virtual bool start(const Config& config, pid_t agent_tid, std::string& error) = 0;
    // Stops sampling. May be called from the thread that shuts the agent down.
    virtual void stop() = 0;

    // Moves captured records out of the rings into this period's aggregate.
    virtual void drain(ThreadNames& thread_names) = 0;
    // Hands the addresses first seen since the last call to the symbolizer
    // (Symbolizer::note: resolved during the period rather than all at the report).
    // Skips frames in `hidden`.
    virtual void symbolize_new_stacks(Symbolizer& symbolizer, const CodeRanges& hidden) = 0;
    // Appends the profiles of the period that ends now and starts a new period. Appends
    // nothing when there is nothing to say.
    virtual void collect(ReportContext& context, std::vector<KindProfile>& out) = 0;
    // Appends the crash records claimed from the spool (at the first thread rescan): those
    // `wanted` accepts (some sink reports them). The agent releases every claim once the
    // sinks had the report (release_crash_claim, core/crash/crash_record.h).
    virtual void claim_crashes(const std::function<bool(const CrashRecord&)>& /*wanted*/,
                               std::vector<ClaimedCrash>& /*out*/) {}

    // Periodic housekeeping (~1 s), e.g. arming threads nobody registered.
    virtual void rescan() {}
    // Work at moments the source chooses (the block profiler's looks at calls under way):
    // called once soon after the agent starts, then after each delay it returns; nullopt
    // for a source that has none (the agent asks again a second later).
    virtual std::optional<std::chrono::nanoseconds> watch() { return std::nullopt; }
    // The agent thread was replaced (Agent::pause_thread): leave the new one out.
    virtual void exclude_thread(pid_t /*agent_tid*/) {}
    // One debug line about the whole run, printed at shutdown; empty for none.
    virtual std::string summary() const { return {}; }
    // For the runtime metrics.
    virtual SourceHealth health() const { return {}; }
};

}  // namespace siagent
