#include "dashboard/server/anomaly/leak_watch.h"

#include <algorithm>
#include <optional>

#include "dashboard/server/anomaly/anomaly_text.h"
#include "dashboard/server/anomaly/growing_sites.h"
#include "dashboard/server/anomaly/statistics.h"
#include "dashboard/server/json_out.h"
#include "dashboard/server/model/memory_metrics.h"

namespace siagent::dashboard::anomaly {
namespace {

bool is_memory_series(const ReportToStore& report) {
    return !report.blob && (is_resident_memory(report.series.category, report.series.name) ||
                            is_heap_in_use(report.series.category, report.series.name));
}

std::string message_of(const std::string& series, const LeakFinding& finding, double unit_bytes,
                       const std::vector<GrowingSite>& sites) {
    const double seconds = static_cast<double>(finding.to - finding.from);
    std::string message = series + " grew steadily by " + bytes_text(finding.slope_per_second * seconds * unit_bytes) +
                          " in " + duration_text(seconds) + " (" + bytes_text(finding.slope_per_second * 3600 * unit_bytes) +
                          "/h, +" + percent_text(finding.relative_growth) + " per window)";
    if (sites.empty()) return message + "; no heap-in-use profile in the window names the allocation sites";
    message += "; growing most: ";
    for (size_t i = 0; i < sites.size(); ++i) {
        if (i > 0) message += ", ";
        message += site_text(sites[i].function, sites[i].file, sites[i].line) + " +" +
                   bytes_text(sites[i].growth_bytes_per_second * 3600) + "/h";
    }
    return message;
}

std::string detail_of(const std::string& series, const LeakFinding& finding, const std::string& environment,
                      const std::string& host, const std::vector<GrowingSite>& sites) {
    JsonOut out;
    out.object().field("series", series).field("from", finding.from).field("to", finding.to);
    out.field("slope_per_second", finding.slope_per_second).field("relative_growth", finding.relative_growth);
    out.field("z", finding.z).key("sites").array();
    for (const GrowingSite& site : sites) {
        out.object().field("function", site.function).field("file", site.file).field("line", site.line);
        out.field("growth_bytes_per_second", site.growth_bytes_per_second).field("z", site.z).end_object();
    }
    out.end_array().key("profile").object().field("kind", "inuse").field("from", finding.from);
    out.field("to", finding.to).field("environment", environment).field("host", host).end_object();
    return out.end_object().str();
}

}  // namespace

std::vector<AnomalyRow> LeakWatch::observe(Storage& storage, const AppScope& scope, const std::string& environment,
                                           const std::string& host, const std::vector<ReportToStore>& reports,
                                           int64_t window_seconds) {
    std::vector<Check> checks;
    {
        std::lock_guard lock(mutex_);
        for (const ReportToStore& report : reports) {
            const double unit_bytes = bytes_per_unit(report.series.unit);
            if (!is_memory_series(report) || unit_bytes == 0) continue;
            std::string key = std::to_string(scope.app_id) + '\0' + environment + '\0' + host + '\0' + report.series.name;
            auto found = trends_.find(key);
            if (found == trends_.end()) {
                if (trends_.size() >= max_series_) trends_.erase(trends_.begin());
                LeakTrendConfig config;
                config.window = window_seconds;
                found = trends_.emplace(key, LeakTrend(config)).first;
            }
            if (auto finding = found->second.add(report.timestamp, report.value, unit_bytes)) {
                if (pending_.size() >= max_series_ && !pending_.count(key)) pending_.erase(pending_.begin());
                const int64_t patience = std::max<int64_t>(finding->window / 4, 10);
                pending_[key] = PendingLeak{*finding, report.series, report.timestamp, report.timestamp + patience};
            }
            if (pending_.count(key)) checks.push_back({std::move(key), report.timestamp});
        }
    }
    // The profile query runs outside the lock; a finding is claimed (erased) under it, so two
    // uploads checking the same finding report it once.
    std::vector<AnomalyRow> rows;
    for (const Check& check : checks) {
        std::optional<PendingLeak> pending;
        {
            std::lock_guard lock(mutex_);
            auto found = pending_.find(check.key);
            if (found != pending_.end()) pending = found->second;
        }
        if (!pending) continue;
        QueryFilter filter;
        filter.from = pending->finding.from;
        filter.to = std::max(pending->finding.to, check.at);
        filter.environment = environment;
        filter.host = host;
        const auto sites = growing_sites(storage, scope, filter, kSitesReported);
        if (sites.empty() && check.at < pending->give_up_at) continue;
        {
            std::lock_guard lock(mutex_);
            auto found = pending_.find(check.key);
            if (found == pending_.end() || found->second.found_at != pending->found_at) continue;
            pending_.erase(found);
        }
        const LeakFinding& finding = pending->finding;
        const std::string& series = pending->series.name;
        AnomalyRow row;
        row.time = pending->found_at;
        row.kind = "leak";
        row.category = pending->series.category;
        row.name = series;
        row.host = host;
        row.environment = environment;
        row.value = finding.slope_per_second * 3600;
        row.unit = pending->series.unit;  // value: growth per hour
        row.score = 1 - normal_upper_tail(finding.z);
        row.message = message_of(series, finding, bytes_per_unit(pending->series.unit), sites);
        row.detail = detail_of(series, finding, environment, host, sites);
        rows.push_back(std::move(row));
    }
    return rows;
}

}  // namespace siagent::dashboard::anomaly
