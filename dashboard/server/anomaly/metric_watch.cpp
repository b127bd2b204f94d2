#include "dashboard/server/anomaly/metric_watch.h"

#include "dashboard/server/anomaly/anomaly_text.h"

#include <algorithm>
#include <cstring>
#include <numeric>
#include <type_traits>

namespace siagent::dashboard::anomaly {
namespace {

bool is_series(const ReportToStore& report) {
    return !report.blob && (report.series.type == "state" || report.series.type == "counter");
}

std::string joined_key(int64_t app_id, std::initializer_list<const std::string*> parts) {
    std::string key = std::to_string(app_id);
    for (const std::string* part : parts) {
        key += '\0';
        key += *part;
    }
    return key;
}

std::string series_key(int64_t app_id, const std::string& environment, const std::string& host,
                       const std::string& category, const std::string& name) {
    return joined_key(app_id, {&environment, &host, &category, &name});
}

std::string group_key(int64_t app_id, const std::string& environment, const std::string& host) {
    return joined_key(app_id, {&environment, &host});
}

// The parts of a series_key, for saving.
DetectorState state_of(const std::string& key) {
    DetectorState state;
    size_t start = key.find('\0');
    state.app_id = std::stoll(key.substr(0, start));
    std::string* parts[] = {&state.environment, &state.host, &state.category, &state.name};
    for (std::string* part : parts) {
        const size_t end = std::min(key.find('\0', start + 1), key.size());
        *part = key.substr(start + 1, end - start - 1);
        start = end;
    }
    return state;
}

std::string message_of(const ReportToStore& report, const PointResult& result) {
    std::string unit = report.series.unit.empty() ? "" : " " + report.series.unit;
    return report.series.category + " / " + report.series.name + " at " + short_number(report.value) + unit +
           ", expected about " + short_number(result.expected) + unit + " (" + short_number(result.z) + " deviations)";
}

}  // namespace

// A saved state: this format's tag, then the bytes of Learned. kStateVersion goes up with
// every change to the members of Learned or of what it holds (the sizes in the tag catch
// most forgotten ones), so bytes of another layout are never read as this one's.
static_assert(std::is_trivially_copyable_v<SeriesDetector> && std::is_trivially_copyable_v<Episode>);
constexpr uint64_t kStateVersion = 3;
constexpr uint64_t kStateFormat = (kStateVersion << 48) | (sizeof(SeriesDetector) << 16) | sizeof(Episode);

MetricWatch::MetricWatch(size_t max_series, const DetectorConfig& config, Storage* states)
    : max_series_(std::max<size_t>(max_series, 1)), config_(config), states_(states) {}

void MetricWatch::clear() {
    std::lock_guard lock(mutex_);
    detectors_.clear();
    recent_.clear();
    loaded_.clear();
}

std::vector<DetectorState> MetricWatch::changed_states() {
    std::vector<DetectorState> states;
    if (!states_) return states;
    std::lock_guard lock(mutex_);
    for (auto& [key, series] : detectors_) {
        if (!series.changed) continue;
        series.changed = false;
        DetectorState state = state_of(key);
        state.state.resize(sizeof(kStateFormat) + sizeof(Learned));
        std::memcpy(state.state.data(), &kStateFormat, sizeof(kStateFormat));
        std::memcpy(state.state.data() + sizeof(kStateFormat), &series.learned, sizeof(Learned));
        states.push_back(std::move(state));
    }
    return states;
}

void MetricWatch::mark_unsaved(const std::vector<DetectorState>& states) {
    std::lock_guard lock(mutex_);
    for (const DetectorState& state : states) {
        auto found = detectors_.find(series_key(state.app_id, state.environment, state.host, state.category, state.name));
        if (found != detectors_.end()) found->second.changed = true;
    }
}

// Called with mutex_ held. A series already in memory keeps its (newer) detector.
void MetricWatch::load_group(int64_t app_id, const std::string& environment, const std::string& host) {
    if (!states_) return;
    if (!loaded_.insert(group_key(app_id, environment, host)).second) return;
    if (loaded_.size() > max_series_) loaded_ = {group_key(app_id, environment, host)};
    for (const DetectorState& saved : states_->detector_states(app_id, environment, host)) {
        uint64_t format = 0;
        if (saved.state.size() != sizeof(format) + sizeof(Learned)) continue;
        std::memcpy(&format, saved.state.data(), sizeof(format));
        if (format != kStateFormat) continue;
        const std::string key = series_key(app_id, environment, host, saved.category, saved.name);
        if (detectors_.count(key)) continue;
        Entry& series = entry(key);
        std::memcpy(&series.learned, saved.state.data() + sizeof(format), sizeof(Learned));
        series.learned.detector.use_config(config_);
    }
}

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
    return detectors_.emplace(key, Entry{Learned{SeriesDetector(config_), Episode(), 0, 0, 0}, recent_.begin(), false})
        .first->second;
}

bool MetricWatch::starts_anomaly(Learned& entry, int64_t time, const PointResult& result, double threshold) const {
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
    if (!order.empty()) load_group(app_id, environment, host);
    for (size_t i : order) {
        const ReportToStore& report = reports[i];
        Entry& series = entry(series_key(app_id, environment, host, report.series.category, report.series.name));
        const PointResult result = series.learned.detector.add(report.timestamp, report.value);
        series.changed = true;
        if (!starts_anomaly(series.learned, report.timestamp, result, threshold)) continue;
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
