#include "dashboard/server/anomaly/upload_judge.h"

#include "dashboard/server/anomaly/anomaly_recording.h"
#include "dashboard/server/anomaly/queued_upload.h"

namespace siagent::dashboard::anomaly {

UploadJudge::UploadJudge(Storage& storage, const RuleSettings& rules, AccountThresholds& thresholds,
                         std::function<int64_t()> clock, std::ostream& log)
    : storage_(storage),
      log_(log),
      failures_(log),
      settings_(rules),
      thresholds_(thresholds),
      clock_(std::move(clock)),
      metrics_(MetricWatch::kDefaultMaxSeries, DetectorConfig{}, &storage),
      rules_(std::make_unique<AnomalyRules>()) {}

UploadJudge::~UploadJudge() { stop(); }

void UploadJudge::start(std::chrono::milliseconds tick_period) {
    refresh_lease();
    last_save_ = clock_();
    thread_ = std::thread([this, tick_period] {
        std::unique_lock lock(stop_mutex_);
        while (!stop_wake_.wait_for(lock, tick_period, [this] { return stopping_; })) {
            lock.unlock();
            tick();
            lock.lock();
        }
    });
}

void UploadJudge::stop() {
    {
        std::lock_guard lock(stop_mutex_);
        if (stopping_ || !thread_.joinable()) return;
        stopping_ = true;
    }
    stop_wake_.notify_all();
    thread_.join();
    if (!leading()) return;
    tick();
    save_states();
}

// A new holder starts from what is saved: detectors kept from an earlier lease may be older
// than what the holder in between saved.
bool UploadJudge::refresh_lease() {
    const bool held = storage_.hold_judging_lease();
    if (held && !leading()) {
        std::lock_guard lock(judging_);
        metrics_.clear();
        rules_ = std::make_unique<AnomalyRules>();
        log_ << "siagent-dashboard: this instance judges the uploads for anomalies (it holds the judging lease)" << std::endl;
    } else if (!held && leading()) {
        log_ << "siagent-dashboard: this instance no longer judges the uploads (the judging lease was lost)" << std::endl;
    }
    leading_.store(held, std::memory_order_relaxed);
    return held;
}

void UploadJudge::after_upload() {
    if (!leading()) return;
    try {
        std::lock_guard lock(judging_);
        judge_batch();
    } catch (const std::exception& error) {
        failures_.record("judging uploads", error.what(), clock_());
    }
}

void UploadJudge::judge_now(int64_t account_id, const ProcessKey& process, const Envelope& envelope,
                            const std::vector<ReportToStore>& reports) {
    try {
        std::lock_guard lock(judging_);
        judge_one(account_id, process, envelope, reports);
        judged_.fetch_add(1, std::memory_order_relaxed);
    } catch (const std::exception& error) {
        failures_.record("judging an upload", error.what(), clock_());
    }
}

void UploadJudge::judge_one(int64_t account_id, const ProcessKey& process, const Envelope& envelope,
                            const std::vector<ReportToStore>& reports) {
    const int64_t now = clock_();
    const AppRef app{account_id, process.app_id, envelope.app_name};
    const double threshold = thresholds_.get(storage_, account_id, now);
    record_anomalies(storage_, sink_, app,
                     metrics_.observe(app.app_id, envelope.app_environment, envelope.host_name, reports, threshold));
    record_anomalies(storage_, sink_, app, rules_->observe(storage_, settings_, account_id, process, envelope, reports, now));
}

size_t UploadJudge::tick() {
    size_t judged = 0;
    try {
        if (!refresh_lease()) return 0;
        for (size_t batches = 0; batches < kBatchesPerTick; ++batches) {
            std::lock_guard lock(judging_);  // released between batches
            const size_t batch = judge_batch();
            judged += batch;
            if (batch < kBatch) break;
        }
        if (clock_() - last_save_ >= kSaveSeconds) save_states();
    } catch (const std::exception& error) {
        failures_.record("judging uploads", error.what(), clock_());
    }
    return judged;
}

size_t UploadJudge::judge_batch() {
    const std::vector<QueuedUpload> queued = storage_.queued_uploads(kBatch);
    std::vector<int64_t> judged;
    judged.reserve(queued.size());
    try {
        for (const QueuedUpload& row : queued) {
            judged.push_back(row.id);  // judged or not, never read again: a bad row cannot block the queue
            const auto upload = decode_upload(row.payload);
            if (upload) judge_one(upload->account_id, upload->process, upload->envelope, upload->reports);
        }
    } catch (...) {
        storage_.forget_queued_uploads(judged);
        throw;
    }
    storage_.forget_queued_uploads(judged);
    judged_.fetch_add(judged.size(), std::memory_order_relaxed);
    return judged.size();
}

void UploadJudge::save_states() {
    last_save_ = clock_();
    const std::vector<DetectorState> states = metrics_.changed_states();
    try {
        storage_.save_detector_states(states, last_save_);
    } catch (const std::exception& error) {
        metrics_.mark_unsaved(states);
        failures_.record("saving the anomaly detectors", error.what(), last_save_);
    }
}

}  // namespace siagent::dashboard::anomaly
