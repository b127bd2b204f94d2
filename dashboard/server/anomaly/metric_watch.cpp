#include "dashboard/server/anomaly/metric_watch.h"

#include "dashboard/server/anomaly/anomaly_text.h"

#include <algorithm>
#include <numeric>

namespace siagent::dashboard::anomaly {
namespace {

bool is_series(const ReportToStore& report) {
    return !report.blob && (report.series.type == "state" || report.series.type == "counter");
}

std::string series_key(int64_t app_id, const std::string& environment, const std::string& host,
                       const SeriesKey& series) {
    std::string key = std::to_string(app_id);
    for (const std::string* part : {&environment, &host, &series.category, &series.name}) {
        key += '\0';
        key += *part;
    }
    return key;
}

std::string message_of(const ReportToStore& report, const PointResult& result) {
    std::string unit = report.series.unit.empty() ? "" : " " + report.series.unit;
    return report.series.category + " / " + report.series.name + " at " + short_number(report.value) + unit +
           ", expected about " + short_number(result.expected) + unit + " (" + short_number(result.z) + " deviations)";
}

}  // namespace

MetricWatch::MetricWatch(size_t max_series, const DetectorConfig& config)
    : max_series_(std::max<size_t>(max_series, 1)), config_(config) {}

size_t MetricWatch::series() const {
    std::lock_guard lock(mutex_);
    return detectors_.size();
}

MetricWatch::Entry& MetricWatch::entry(const std::string& key) {
    auto found = detectors_.find(key);
    if (found != detectors_.end()) {
        recent_.splice(recent_.begin(), recent_, found->second.recent);
        return found->second;
    }
    if (detectors_.size() >= max_series_) {
        detectors_.erase(recent_.back());
        recent_.pop_back();
    }
    recent_.push_front(key);
    return detectors_.emplace(key, Entry{SeriesDetector(config_), recent_.begin(), Episode(), 0, 0, 0}).first->second;
}

bool MetricWatch::starts_anomaly(Entry& entry, int64_t time, const PointResult& result, double threshold) const {
    if (result.status != PointStatus::scored && result.status != PointStatus::warming_up) return false;
    if (entry.points++ == 0) entry.first = time;
    entry.last = time;
    if (threshold == config_.threshold) return result.flag;
    const double interval = entry.points > 1 ? static_cast<double>(entry.last - entry.first) / static_cast<double>(entry.points - 1) : 0;
    const bool above = result.status == PointStatus::scored && result.score >= threshold;
    return entry.episode.observe(time, above, config_.episode_quiet_steps * interval);
}

std::vector<AnomalyRow> MetricWatch::observe(int64_t app_id, const std::string& environment, const std::string& host,
                                             const std::vector<ReportToStore>& reports, double threshold) {
    std::vector<size_t> order(reports.size());
    std::iota(order.begin(), order.end(), size_t{0});
    order.erase(std::remove_if(order.begin(), order.end(), [&](size_t i) { return !is_series(reports[i]); }),
                order.end());
    std::stable_sort(order.begin(), order.end(),
                     [&](size_t a, size_t b) { return reports[a].timestamp < reports[b].timestamp; });

    std::vector<AnomalyRow> flagged;
    std::lock_guard lock(mutex_);
    for (size_t i : order) {
        const ReportToStore& report = reports[i];
        Entry& series = entry(series_key(app_id, environment, host, report.series));
        const PointResult result = series.detector.add(report.timestamp, report.value);
        if (!starts_anomaly(series, report.timestamp, result, threshold)) continue;
        AnomalyRow anomaly;
        anomaly.time = report.timestamp;
        anomaly.kind = "metric";
        anomaly.category = report.series.category;
        anomaly.name = report.series.name;
        anomaly.host = host;
        anomaly.environment = environment;
        anomaly.value = report.value;
        anomaly.unit = report.series.unit;
        anomaly.score = result.score;
        anomaly.message = message_of(report, result);
        flagged.push_back(std::move(anomaly));
    }
    return flagged;
}

}  // namespace siagent::dashboard::anomaly
