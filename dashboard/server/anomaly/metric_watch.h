// The server side of metric anomaly detection: one SeriesDetector per metric series, keyed
// by (app, environment, host, category, name), kept in memory and fed at ingest. Bounded:
// past `max_series` series the least recently updated one is dropped (it warms up again if
// it comes back). With a Storage for states, the detectors persist: changed_states() returns
// the series changed since its last call, in the form Storage::save_detector_states keeps,
// and the first time a series of an app, environment and host is met, that group's saved
// detectors are loaded, so a restarted server (or another instance taking over the judging:
// upload_judge.h) goes on where the saved state left off instead of warming up again. A
// saved state written by a build with another detector layout is ignored (that series warms
// up again). Each upload is judged
// at its account's threshold (account_threshold.h): at the detector's own threshold the
// detector's flags are the anomalies; at another one a point scoring at least that threshold
// starts an episode, which ends after the detector's quiet time (episode_quiet_steps of the
// series' mean interval) below it. The scores are the same whatever the threshold. Thread-safe.
#pragma once

#include <cstdint>
#include <list>
#include <mutex>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "dashboard/server/anomaly/detector.h"
#include "dashboard/server/anomaly/episode.h"
#include "dashboard/server/model/storage.h"

namespace siagent::dashboard::anomaly {

class MetricWatch {
public:
    MetricWatch() : MetricWatch(kDefaultMaxSeries) {}
    explicit MetricWatch(size_t max_series, const DetectorConfig& config = {}, Storage* states = nullptr);

    static constexpr size_t kDefaultMaxSeries = 100'000;

    // Scores the state and counter metrics of one upload (profiles, with a breakdown, are not
    // series), each series in time order, and returns the flagged points as anomalies.
    std::vector<AnomalyRow> observe(int64_t app_id, const std::string& environment, const std::string& host,
                                    const std::vector<ReportToStore>& reports, double threshold);
    std::vector<AnomalyRow> observe(int64_t app_id, const std::string& environment, const std::string& host,
                                    const std::vector<ReportToStore>& reports) {
        return observe(app_id, environment, host, reports, config_.threshold);
    }

    size_t series() const;

    // The detectors changed since the last call, to save (see above); empty without states.
    std::vector<DetectorState> changed_states();
    // Marks these (from changed_states(), whose save failed) changed again, those still kept.
    void mark_unsaved(const std::vector<DetectorState>& states);
    // Forgets every detector (they load again from the saved states as series come).
    void clear();

private:
    // What a series' detector is, saved as its bytes (trivially copyable).
    struct Learned {
        SeriesDetector detector;
        Episode episode;                          // at a threshold other than the detector's
        int64_t first = 0, last = 0, points = 0;  // accepted points, for the mean interval
    };
    struct Entry {
        Learned learned;
        std::list<std::string>::iterator recent;  // position in recent_
        bool changed = false;                     // since the last changed_states()
    };
    Entry& entry(const std::string& key);
    void load_group(int64_t app_id, const std::string& environment, const std::string& host);
    bool starts_anomaly(Learned& learned, int64_t time, const PointResult& result, double threshold) const;

    size_t max_series_;
    DetectorConfig config_;
    Storage* states_;                         // null: nothing saved or loaded
    std::unordered_set<std::string> loaded_;  // groups (app, environment, host) loaded; bounded by max_series_
    mutable std::mutex mutex_;
    std::unordered_map<std::string, Entry> detectors_;
    std::list<std::string> recent_;  // keys, most recently updated first
};

}  // namespace siagent::dashboard::anomaly
