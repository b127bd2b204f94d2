// The dashboard as a ReportSink: of every Report, each span name's summary becomes a `span`
// metric, each profile a `profile` metric, the crash records of this app and environment
// one `crash` profile (sent as the error profile Crashes), and the metrics reading
// `state`/`counter` metrics (agent/runtime_metrics.h); all queued (MessageQueue) and
// uploaded every flush interval, backing off after failures. The remote control's answers
// go to the agent through `apply`. At exit, finish() uploads what is left until its deadline.
//
// Agent thread only. Owns its timers and sessions' callbacks refer to it: it must be
// destroyed only after the io_context stopped running (the Agent's member order does it).
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>

#include <memory>

#include "agent/remote_control.h"
#include "agent/report_sink.h"
#include "agent/runtime_metrics.h"
#include "core/config.h"
#include "transport/backoff.h"
#include "transport/dashboard_connection.h"
#include "transport/message_queue.h"
#include "transport/transport_timings.h"

namespace siagent {

struct DashboardStats {
    QueueStats queue;
    uint64_t uploads = 0;          // requests that succeeded
    uint64_t failed_uploads = 0;   // requests that failed (and were retried later)
    uint64_t bytes_sent = 0;       // gzipped request bodies of successful uploads
};

class DashboardSink : public ReportSink {
public:
    DashboardSink(boost::asio::io_context& io, const Config& config, const Clock& clock,
                  const TransportTimings& timings, RemoteControl::Apply apply);
    ~DashboardSink() override;

    bool deliver(const Report& report) override;
    // The crashes of this app and environment: the dashboard lists them under this
    // process's identity.
    bool wants_crash(const CrashRecord& record) const override;
    bool needs_event_loop() const override { return true; }
    void set_enabled(bool enabled) override;
    void finish(Clock::TimePoint deadline, std::function<void()> done) override;

    // Queues a runtime metric (ignored while the dashboard has the agent disabled).
    void enqueue_metric(const RuntimeMetric& metric);

    const DashboardStats& stats();
    const AgentIdentity& identity() const { return connection_.identity(); }

private:
    void enqueue_profile(const KindProfile& profile);
    void schedule_flush(std::chrono::milliseconds delay);
    void flush();
    void on_uploaded(uint64_t batch, size_t bytes, const HttpResult& result);
    void end_finish();

    const Clock& clock_;
    TransportTimings timings_;
    int64_t report_interval_nanos_;  // SI_REPORT_INTERVAL: the least period of a rate
    std::string app_name_, app_environment_;
    RuntimeMetricsConverter runtime_metrics_;
    DashboardConnection connection_;
    MetricIds ids_;
    MessageQueue queue_;
    Backoff backoff_;
    RemoteControl remote_;
    boost::asio::steady_timer flush_timer_;
    bool enabled_ = true;
    bool uploading_ = false;
    // Set by finish(): upload until empty or `finish_deadline_`, then call `finished_`.
    bool finishing_ = false;
    Clock::TimePoint finish_deadline_;
    std::function<void()> finished_;
    std::unique_ptr<boost::asio::steady_timer> finish_timer_;
    DashboardStats stats_;
};

// The dashboard sink `config` asks for, or nullptr when there is none: without
// SI_AGENT_KEY nothing is uploaded, which is said once on stderr unless the user only asked
// for local files (SI_OUTPUT_DIR set and SI_DASHBOARD_ADDRESS left at its default).
std::unique_ptr<DashboardSink> make_dashboard_sink(boost::asio::io_context& io,
                                                   const Config& config, const Clock& clock,
                                                   RemoteControl::Apply apply);

}  // namespace siagent
