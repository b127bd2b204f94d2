// A destination of Reports (agent/report.h): local files under SI_OUTPUT_DIR
// (ProfileFileSink), the dashboard (DashboardSink), anything else later. Every sink on the
// agent's list (agent/report_sinks.h) gets the same Reports; adding a destination is one
// class implementing this. Agent thread only (the last report may come from the thread
// that shuts the agent down, when the agent thread's loop is lost: needs_event_loop).
#pragma once

#include <functional>

#include "agent/report.h"
#include "transport/clock.h"

namespace siagent {

class ReportSink {
public:
    virtual ~ReportSink() = default;
    // Keeps or sends what the sink wants of `report`. Returns false when part of it could
    // not be kept (a file not written): the crash records this sink wanted then go back to
    // the spool for the next agent.
    virtual bool deliver(const Report& report) = 0;
    // Whether this sink reports `record`. A record in the spool is claimed only when some
    // sink wants it; the others are left for an agent whose sinks do.
    virtual bool wants_crash(const CrashRecord& /*record*/) const { return false; }
    // Whether what the sink was given needs the agent thread's event loop afterwards (an
    // upload). Such a sink gets no Report made after the application took the loop's
    // descriptors (Agent::report_on_caller).
    virtual bool needs_event_loop() const { return false; }
    // The dashboard switched the agent off (false) or on again (true).
    virtual void set_enabled(bool /*enabled*/) {}
    // The agent is shutting down: finish what is pending, by `deadline` at the latest, then
    // call `done` (exactly once, on the agent thread; possibly before returning).
    virtual void finish(Clock::TimePoint /*deadline*/, std::function<void()> done) { done(); }
};

}  // namespace siagent
