#include "agent/dashboard_sink.h"

#include <atomic>
#include <random>

#include "core/crash/crash_profile.h"
#include "core/log.h"
#include "transport/openssl_lifetime.h"
#include "transport/profile_metric.h"
#include "transport/stackimpact_json.h"

namespace siagent {
namespace {

HttpClientOptions client_options(const Config& config, const TransportTimings& timings) {
    HttpClientOptions options;
    // The agent only builds this sink for an address that parses (make_dashboard_sink).
    options.address = parse_dashboard_address(config.dashboard_address).value_or(DashboardAddress{});
    options.ca_file = config.ca_file;
    options.connect_timeout = timings.connect_timeout;
    return options;
}

// Status codes that say the request itself is wrong: sending it again cannot help.
bool rejects_request(int status) { return status == 400 || status == 413 || status == 422; }

std::atomic<bool> missing_key_said{false};  // once per process tree (fork children inherit it)

}  // namespace

std::unique_ptr<DashboardSink> make_dashboard_sink(boost::asio::io_context& io,
                                                   const Config& config, const Clock& clock,
                                                   RemoteControl::Apply apply) {
    if (config.agent_key.empty()) {
        bool local_only = !config.output_dir.empty() && config.dashboard_address == Config{}.dashboard_address;
        if (local_only) {
            log_debug("SI_AGENT_KEY is not set: reports go to SI_OUTPUT_DIR only");
        } else {
            std::string line = "siagent: SI_AGENT_KEY is not set: nothing is sent to the dashboard at " +
                               config.dashboard_address +
                               " (set SI_AGENT_KEY; SI_OUTPUT_DIR keeps local pprof files)\n";
            warn_once(missing_key_said, line.c_str());
        }
        return nullptr;
    }
    if (!parse_dashboard_address(config.dashboard_address)) {
        log_warning("SI_DASHBOARD_ADDRESS cannot be used; nothing is sent to the dashboard");
        return nullptr;
    }
    TransportTimings timings = transport_timings_from_environment();
    return std::make_unique<DashboardSink>(io, config, clock, timings, std::move(apply));
}

DashboardSink::DashboardSink(boost::asio::io_context& io, const Config& config,
                             const Clock& clock, const TransportTimings& timings,
                             RemoteControl::Apply apply)
    : clock_(clock),
      timings_(timings),
      report_interval_nanos_(static_cast<int64_t>(config.report_interval_ms) * 1'000'000),
      app_name_(config.app_name),
      app_environment_(config.app_environment),
      connection_(io, clock, make_identity(config, clock.unix_seconds()), config.agent_key,
                  client_options(config, timings)),
      ids_(connection_.identity()),
      queue_(clock, std::chrono::milliseconds(config.message_ttl_ms), config.max_queue_bytes),
      backoff_(timings.backoff_first, timings.backoff_limit, std::random_device{}()),
      remote_(io, clock, connection_, timings, std::move(apply)),
      flush_timer_(io) {
    schedule_flush(timings_.flush_every);
    remote_.start();
}

DashboardSink::~DashboardSink() = default;

bool DashboardSink::deliver(const Report& report) {
    // Converted even while disabled: counters are deltas from the previous reading.
    std::vector<RuntimeMetric> runtime;
    for (const MetricsSnapshot& reading : report.metrics) {
        std::vector<RuntimeMetric> converted = runtime_metrics_.convert(reading);
        runtime.insert(runtime.end(), converted.begin(), converted.end());
    }
    if (!enabled_) return true;  // dropped, as the dashboard asked
    for (const RuntimeMetric& span : span_metrics(report.spans, report.start_ns, report.end_ns))
        enqueue_metric(span);
    for (const KindProfile& profile : report.profiles) enqueue_profile(profile);
    std::vector<CrashRecord> crashes;
    for (const CrashRecord& record : report.crashes)
        if (wants_crash(record)) crashes.push_back(record);
    if (!crashes.empty())
        enqueue_profile({"crash", crash_profile(crashes, report.start_ns, report.end_ns)});
    for (const RuntimeMetric& metric : runtime) enqueue_metric(metric);
    return true;
}

bool DashboardSink::wants_crash(const CrashRecord& record) const {
    return record.app == app_name_ && record.environment == app_environment_;
}

void DashboardSink::enqueue_profile(const KindProfile& profile) {
    Metric metric = profile_metric(profile, ids_, report_interval_nanos_);
    if (!metric.id.empty()) queue_.push(metric_message_json(metric));
}

void DashboardSink::enqueue_metric(const RuntimeMetric& runtime) {
    if (!enabled_) return;
    Metric metric;
    metric.type = runtime.type;
    metric.category = runtime.category;
    metric.name = runtime.name;
    metric.unit = runtime.unit;
    metric.id = ids_.id(metric.type, metric.category, metric.name, metric.unit);
    if (metric.id.empty()) return;
    metric.measurement_id = random_uuid();
    metric.value = runtime.value;
    metric.duration = runtime.duration;
    metric.stats = runtime.stats;
    metric.timestamp = runtime.timestamp != 0 ? runtime.timestamp : clock_.unix_seconds();
    queue_.push(metric_message_json(metric));
}

void DashboardSink::set_enabled(bool enabled) {
    if (enabled_ == enabled) return;
    enabled_ = enabled;
    if (!enabled) queue_.clear();  // a disabled agent sends nothing, not even later
    log_debug("dashboard uploads %s", enabled ? "enabled" : "disabled by the dashboard");
}

const DashboardStats& DashboardSink::stats() {
    stats_.queue = queue_.stats();
    return stats_;
}

void DashboardSink::schedule_flush(std::chrono::milliseconds delay) {
    flush_timer_.expires_after(delay);
    flush_timer_.async_wait([this](const boost::system::error_code& error) {
        if (!error) flush();
    });
}

void DashboardSink::flush() {
    if (uploading_ || (finishing_ && !finished_)) return;
    std::vector<const std::string*> messages;
    // Without OpenSSL (its library missing, or cleaned up by an application that
    // initialized it first) no request can be made: not even its Basic authorization.
    bool can_send = enabled_ && openssl_ready();
    uint64_t batch = can_send ? queue_.take_batch(timings_.max_batch_bytes, messages) : 0;
    if (batch == 0) {
        if (finishing_) return end_finish();
        return schedule_flush(timings_.flush_every);
    }
    uploading_ = true;
    Clock::TimePoint deadline = finishing_ ? finish_deadline_ : clock_.now() + timings_.request_timeout;
    auto size = std::make_shared<size_t>(0);
    const ProcessState state = finishing_ ? ProcessState::ending : ProcessState::running;
    *size = connection_.send("upload", upload_payload_json(messages, state), deadline,
                             [this, batch, size](HttpResult result) { on_uploaded(batch, *size, result); });
}

void DashboardSink::on_uploaded(uint64_t batch, size_t bytes, const HttpResult& result) {
    uploading_ = false;
    if (result.ok() || rejects_request(result.status)) {
        if (result.ok()) {
            queue_.confirm(batch);
            ++stats_.uploads;
            stats_.bytes_sent += bytes;
        } else {
            queue_.reject(batch);
            ++stats_.failed_uploads;
        }
        backoff_.reset();  // the dashboard answered: it is up
        // More waiting (a backlog after an outage): the next batch right away.
        if (finishing_ || !queue_.empty()) return flush();
        return schedule_flush(timings_.flush_every);
    }
    ++stats_.failed_uploads;
    if (finishing_) return end_finish();  // no retries at exit
    schedule_flush(backoff_.next_delay());
}

void DashboardSink::finish(Clock::TimePoint deadline, std::function<void()> done) {
    remote_.stop();
    flush_timer_.cancel();
    if (!enabled_ || (queue_.empty() && !uploading_)) return done();
    finishing_ = true;
    finish_deadline_ = deadline;
    finished_ = std::move(done);
    finish_timer_ = std::make_unique<boost::asio::steady_timer>(flush_timer_.get_executor());
    finish_timer_->expires_after(deadline - clock_.now());
    finish_timer_->async_wait([this](const boost::system::error_code& error) {
        if (!error) end_finish();
    });
    flush();  // or, with an upload under way, its completion continues
}

void DashboardSink::end_finish() {
    if (!finished_) return;
    auto done = std::move(finished_);
    finished_ = nullptr;
    finish_timer_->cancel();
    done();
}

}  // namespace siagent
