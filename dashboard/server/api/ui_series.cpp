// Metric series and errors for the UI.
#include <algorithm>
#include <map>
#include <tuple>

#include "dashboard/server/json_out.h"
#include "dashboard/server/model/metric_points.h"
#include "dashboard/server/model/throw_site.h"
#include "dashboard/server/model/time_buckets.h"
#include "dashboard/server/api/ui_profile.h"

namespace siagent::dashboard {
namespace {

constexpr size_t kMaxErrorRows = 10'000;
constexpr size_t kMaxCrashes = 200;
constexpr size_t kMaxMessagesPerGroup = 100;  // distinct messages counted per exception group
constexpr size_t kMessagesShown = 5;          // the most frequent ones listed

void write_chart_series(JsonOut& out, const ChartSeries& series, bool per_process) {
    out.object().field("category", series.key.category).field("name", series.key.name);
    out.field("unit", series.key.unit).field("type", series.key.type);
    if (per_process) out.field("host", series.host).field("pid", series.pid).field("processes", series.processes);
    out.key("points").array();
    for (const auto& [time, value] : series.points) out.array().value(time).value(value).end_array();
    out.end_array().end_object();
}

void write_frames(JsonOut& out, const std::string& text) {
    out.array();
    for (const std::string& frame : frames_from_text(text)) out.value(frame);
    out.end_array();
}

}  // namespace

Response metrics_response(ServerContext& context, const Request& request, const AppScope& scope,
                          const QueryFilter& filter) {
    const std::string group = query_parameters(request.target())["group"];
    if (!group.empty() && group != "process") return error_response(400, "group is empty (merged) or process");
    const bool per_process = group == "process";
    const auto all = context.storage.metrics(scope, filter);  // by series, then process
    JsonOut out;
    out.object().key("series").array();
    for (auto first = all.begin(); first != all.end();) {
        auto end = std::find_if(first, all.end(), [&](const MetricSeries& series) {
            return std::tie(series.key.type, series.key.category, series.key.name, series.key.unit) !=
                   std::tie(first->key.type, first->key.category, first->key.name, first->key.unit);
        });
        const std::span<const MetricSeries> processes(first, end);
        if (per_process) {
            for (const ChartSeries& series : metric_per_process(processes, filter)) write_chart_series(out, series, true);
        } else {
            write_chart_series(out, merged_metric(processes, filter), false);
        }
        first = end;
    }
    out.end_array().end_object();
    return json_response(http::status::ok, out.str());
}

Response errors_response(ServerContext& context, const AppScope& scope, const QueryFilter& filter) {
    // One group per exception type and throw site (throw_site: the same for every process
    // whatever its load address). Rows recorded before sites were normalized get theirs
    // from their frames.
    struct ExceptionGroup {
        double count = 0;
        int64_t first_seen = 0, last_seen = 0;
        std::map<std::string, double> messages;  // at most kMaxMessagesPerGroup; the rest uncounted
        double stack_count = 0;                  // the most counted row's count
        std::string frames;                      // its stack
    };
    std::map<std::pair<std::string, std::string>, ExceptionGroup> groups;
    std::vector<ErrorRow> crashes;  // newest first, as storage returns them
    const int64_t width = bucket_seconds(filter.from, filter.to);
    std::map<int64_t, double> thrown;  // exceptions per bucket
    for (ErrorRow& row : context.storage.errors(scope, filter, kMaxErrorRows)) {
        if (row.crash) {
            if (crashes.size() < kMaxCrashes) crashes.push_back(std::move(row));
            continue;
        }
        ExceptionGroup& group = groups[{row.type, throw_site(frames_from_text(row.frames))}];
        group.count += row.count;
        group.first_seen = group.first_seen == 0 ? row.time : std::min(group.first_seen, row.time);
        group.last_seen = std::max(group.last_seen, row.time);
        auto message = group.messages.find(row.message);
        if (message != group.messages.end()) message->second += row.count;
        else if (group.messages.size() < kMaxMessagesPerGroup) group.messages.emplace(row.message, row.count);
        if (row.count > group.stack_count) {
            group.stack_count = row.count;
            group.frames = std::move(row.frames);
        }
        thrown[bucket_time(bucket_index(row.time, filter.from, width), filter.from, width)] += row.count;
    }
    JsonOut out;
    out.object().field("bucket_seconds", width).key("exceptions_per_bucket").array();
    for (const auto& [time, count] : thrown) out.array().value(time).value(count).end_array();
    out.end_array().key("exceptions").array();
    for (const auto& [key, group] : groups) {
        std::vector<std::pair<std::string, double>> messages(group.messages.begin(), group.messages.end());
        std::stable_sort(messages.begin(), messages.end(), [](const auto& a, const auto& b) { return a.second > b.second; });
        out.object().field("type", key.first).field("site", key.second);
        out.field("message", messages.empty() ? std::string() : messages.front().first);
        out.key("messages").array();
        for (size_t i = 0; i < messages.size() && i < kMessagesShown; ++i)
            out.object().field("message", messages[i].first).field("count", messages[i].second).end_object();
        out.end_array().field("distinct_messages", static_cast<int64_t>(messages.size()));
        out.field("count", group.count).field("first_seen", group.first_seen).field("last_seen", group.last_seen);
        out.key("frames");
        write_frames(out, group.frames);
        out.end_object();
    }
    out.end_array().key("crashes").array();
    for (const ErrorRow& row : crashes) {
        const size_t exception = row.message.find("; ");
        out.object().field("time", row.time).field("signal", row.type).field("message", row.message);
        out.field("exception", exception == std::string::npos ? std::string() : row.message.substr(exception + 2));
        out.field("host", row.host).field("pid", row.pid).field("version", row.version);
        out.field("top_frame", crash_site(frames_from_text(row.frames))).key("frames");
        write_frames(out, row.frames);
        out.end_object();
    }
    out.end_array().end_object();
    return json_response(http::status::ok, out.str());
}

}  // namespace siagent::dashboard
