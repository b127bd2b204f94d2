#include "dashboard/server/anomaly/error_watch.h"

#include <algorithm>

#include "dashboard/server/anomaly/anomaly_text.h"
#include "dashboard/server/model/error_events.h"
#include "dashboard/server/json_out.h"

namespace siagent::dashboard::anomaly {
namespace {

std::string times(double count) { return short_number(count) + (count == 1 ? " time" : " times"); }

std::string message_of(const ErrorFinding& finding) {
    const std::string at = finding.site.empty() ? "" : " at " + finding.site;
    if (finding.rule == "new_type") return "New exception type " + finding.type + at + ", " + times(finding.count);
    if (finding.rule == "new_site") return finding.type + " thrown from a new site" + at + ", " + times(finding.count);
    if (finding.rule == "new_crash") {
        std::string where;
        for (size_t i = 0; i < std::min<size_t>(finding.frames.size(), 3); ++i) where += (i ? " ← " : " at ") + finding.frames[i];
        return "New crash signature " + finding.type + where + ", " + times(finding.count);
    }
    return "Exceptions jumped to " + short_number(finding.count) + " in one report, about " +
           short_number(finding.expected) + " expected from the recent rate";
}

AnomalyRow row_of(const ErrorFinding& finding, const ReportToStore& report, const std::string& environment,
                  const std::string& host, double score) {
    AnomalyRow row;
    row.time = report.timestamp;
    row.kind = "error";
    row.category = report.series.category;
    row.name = finding.rule == "rate_jump" ? report.series.name : finding.type;
    row.host = host;
    row.environment = environment;
    row.value = finding.count;
    row.score = score;
    row.message = message_of(finding);
    JsonOut out;
    out.object().field("rule", finding.rule).field("type", finding.type).field("site", finding.site);
    out.field("frames", finding.frames).field("count", finding.count).field("expected", finding.expected);
    row.detail = out.end_object().str();
    return row;
}

bool is_error_report(const ReportToStore& report) { return report.blob && report.series.category == "error-profile"; }

}  // namespace

ErrorWatch::App& ErrorWatch::app(Storage& storage, int64_t app_id, int64_t stored_before) {
    auto found = apps_.find(app_id);
    if (found != apps_.end()) return found->second;
    if (apps_.size() >= kMaxApps) apps_.erase(apps_.begin());
    App& app = apps_[app_id];
    const ErrorHistory history = storage.error_history(app_id, stored_before, kMaxSignatures);
    app.created = app.last_new = history.app_created;
    for (const ErrorRow& error : history.signatures) {
        app.novelty.remember(error.crash, error.type, error.site, frames_from_text(error.frames));
    }
    return app;
}

bool ErrorWatch::warming_up(const App& app, int64_t time, int64_t warmup_seconds) {
    const int64_t age = time - app.created;
    if (age >= warmup_seconds) return false;
    const int64_t shortest = std::min(kMinWarmup, warmup_seconds);
    if (age < shortest) return true;
    return time - app.last_new < std::max(app.last_new - app.created, shortest);
}

std::vector<AnomalyRow> ErrorWatch::observe(Storage& storage, const ProcessKey& process, const std::string& environment,
                                            const std::string& host, const std::vector<ReportToStore>& reports,
                                            int64_t warmup_seconds) {
    std::vector<const ReportToStore*> errors;
    for (const ReportToStore& report : reports) {
        if (is_error_report(report)) errors.push_back(&report);
    }
    if (errors.empty()) return {};
    std::stable_sort(errors.begin(), errors.end(),
                     [](const ReportToStore* a, const ReportToStore* b) { return a->timestamp < b->timestamp; });
    std::vector<AnomalyRow> rows;
    std::lock_guard lock(mutex_);
    // This upload's errors are already stored: the history is what came before them.
    App& known = app(storage, process.app_id, errors.front()->timestamp);
    for (const ReportToStore* report : errors) {
        const bool warming = warming_up(known, report->timestamp, warmup_seconds);
        const size_t known_before = known.novelty.known();
        for (const ErrorFinding& finding : known.novelty.observe(report->errors, report->crash, warming)) {
            rows.push_back(row_of(finding, *report, environment, host, 1.0));
        }
        if (warming && known.novelty.known() > known_before) known.last_new = std::max(known.last_new, report->timestamp);
        if (report->crash) continue;
        double count = 0;
        for (const ErrorEvent& event : report->errors) count += event.count;
        count = std::max(count, report->value);
        if (rates_.size() >= kMaxProcesses && !rates_.count(process.process_id)) rates_.erase(rates_.begin());
        if (auto jump = rates_[process.process_id].add(report->timestamp, count, warming)) {
            ErrorFinding finding{"rate_jump", "", "", {}, jump->count, jump->expected};
            rows.push_back(row_of(finding, *report, environment, host, 1 - jump->tail));
        }
    }
    return rows;
}

}  // namespace siagent::dashboard::anomaly
