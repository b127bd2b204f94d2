// Where uploads are judged for anomalies: by one instance of those sharing a database, the
// holder of Storage's judging lease. Each stored upload is queued with what the rules read
// of it (queued_upload.h), in the transaction that stores it, and the holder judges the
// queue in order with the metric detectors (metric_watch.h) and the leak, regression and
// error rules (anomaly_rules.h). So two instances never judge the same point, and a
// series' detector sees all of its points whichever instance received them.
//
// When: the holder judges the queue right after each upload it stores (on one instance, an
// upload's anomalies are recorded before it is answered), and its thread every second, for
// the uploads other instances stored. A store only one process uses (Storage::shared()
// false: SQLite) queues nothing: each upload is judged as it is stored (judge_now). The others' threads try to take the lease every
// second, so when the holder dies (its database session ends) another one takes over
// within about a second and judges what was queued meanwhile.
//
// What persists: the metric detectors are saved every kSaveSeconds and at stop, and a new
// holder (a restart, a failover) loads each series' detector as it meets it instead of
// warming up again. Lost on a failover: up to kSaveSeconds of the detectors' learning, and
// the leak, regression and error rules' memory, which refills from new uploads and stored
// data; an upload judged but not yet removed from the queue when the holder died is judged
// again (a metric detector skips points it has seen; a rule may report its finding twice).
// A save that fails leaves its detectors marked changed, so the next save (or the one at
// stop) writes them.
// Thread-safe.
#pragma once

#include <atomic>
#include <condition_variable>
#include <functional>
#include <iostream>
#include <memory>
#include <mutex>
#include <thread>

#include "dashboard/server/anomaly/account_threshold.h"
#include "dashboard/server/anomaly/anomaly_rules.h"
#include "dashboard/server/anomaly/anomaly_sink.h"
#include "dashboard/server/anomaly/judging_failures.h"
#include "dashboard/server/anomaly/metric_watch.h"
#include "dashboard/server/anomaly/rule_settings.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::anomaly {

class UploadJudge {
public:
    static constexpr int64_t kSaveSeconds = 300;
    static constexpr size_t kBatch = 200;         // queued uploads read at once
    static constexpr size_t kBatchesPerTick = 25;  // a backlog is judged over several ticks

    // `log`: where failures are said (judging_failures.h: at most once a minute per kind).
    UploadJudge(Storage& storage, const RuleSettings& rules, AccountThresholds& thresholds,
                std::function<int64_t()> clock, std::ostream& log = std::cerr);
    ~UploadJudge();
    UploadJudge(const UploadJudge&) = delete;
    UploadJudge& operator=(const UploadJudge&) = delete;

    void set_sink(AnomalySink* sink) { sink_ = sink; }  // before start()
    // Tries the lease once, then starts the thread; stop() (or the destructor) judges what is
    // left in the queue if this instance holds the lease, saves the detectors and joins.
    void start(std::chrono::milliseconds tick = std::chrono::seconds(1));
    void stop();

    // After an upload was stored (and queued): judges the queue now when this instance holds
    // the lease.
    void after_upload();
    // An upload just stored and not queued (a store that is not shared), judged at once.
    void judge_now(int64_t account_id, const ProcessKey& process, const Envelope& envelope,
                   const std::vector<ReportToStore>& reports);
    // One pass of the thread: refreshes the lease, then judges the queue if held (at most
    // kBatchesPerTick batches: the holder's own uploads wait for one batch at most between
    // them) and saves the detectors when they are due. Returns the uploads judged.
    size_t tick();

    bool leading() const { return leading_.load(std::memory_order_relaxed); }
    size_t series() const { return metrics_.series(); }
    uint64_t judged() const { return judged_.load(std::memory_order_relaxed); }

private:
    bool refresh_lease();
    size_t judge_batch();  // one batch of the queue; call with judging_ held
    void judge_one(int64_t account_id, const ProcessKey& process, const Envelope& envelope,
                   const std::vector<ReportToStore>& reports);  // call with judging_ held
    void save_states();

    Storage& storage_;
    std::ostream& log_;
    JudgingFailures failures_;
    RuleSettings settings_;
    AccountThresholds& thresholds_;
    std::function<int64_t()> clock_;
    AnomalySink* sink_ = nullptr;

    std::mutex judging_;  // one pass over the queue at a time; guards rules_
    MetricWatch metrics_;
    std::unique_ptr<AnomalyRules> rules_;
    std::atomic<bool> leading_{false};
    std::atomic<uint64_t> judged_{0};
    int64_t last_save_ = 0;

    std::mutex stop_mutex_;
    std::condition_variable stop_wake_;
    bool stopping_ = false;
    std::thread thread_;
};

}  // namespace siagent::dashboard::anomaly
