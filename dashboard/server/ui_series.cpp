// Metric series and errors for the UI.
#include <map>
#include <tuple>

#include "dashboard/server/json_out.h"
#include "dashboard/server/ui_profile.h"

namespace siagent::dashboard {
namespace {

constexpr size_t kMaxPoints = 500;       // per series; points are bucketed to fit
constexpr size_t kMaxErrorRows = 10'000;
constexpr size_t kMaxCrashes = 200;

// Buckets of at least a minute, as many as fit kMaxPoints over the range. Within a bucket
// counters (deltas) add up across processes and reports; states are averaged.
std::vector<std::pair<int64_t, double>> bucketed(const MetricSeries& series, const QueryFilter& filter) {
    const int64_t width = std::max<int64_t>(60, (filter.to - filter.from) / static_cast<int64_t>(kMaxPoints) + 1);
    std::map<int64_t, std::pair<double, int>> buckets;
    for (const auto& [time, value] : series.points) {
        auto& bucket = buckets[time - (time - filter.from) % width];
        bucket.first += value;
        ++bucket.second;
    }
    const bool counter = series.key.type == "counter";
    std::vector<std::pair<int64_t, double>> points;
    for (const auto& [time, bucket] : buckets) {
        points.emplace_back(time, counter ? bucket.first : bucket.first / bucket.second);
    }
    return points;
}

void write_frames(JsonOut& out, const std::string& lines) {
    out.array();
    for (size_t start = 0; start < lines.size();) {
        const size_t end = std::min(lines.find('\n', start), lines.size());
        out.value(std::string_view(lines).substr(start, end - start));
        start = end + 1;
    }
    out.end_array();
}

}  // namespace

Response metrics_response(ServerContext& context, const AppScope& scope, const QueryFilter& filter) {
    JsonOut out;
    out.object().key("series").array();
    for (const MetricSeries& series : context.storage.metrics(scope, filter)) {
        out.object().field("category", series.key.category).field("name", series.key.name);
        out.field("unit", series.key.unit).field("type", series.key.type).key("points").array();
        for (const auto& [time, value] : bucketed(series, filter)) out.array().value(time).value(value).end_array();
        out.end_array().end_object();
    }
    out.end_array().end_object();
    return json_response(http::status::ok, out.str());
}

Response errors_response(ServerContext& context, const AppScope& scope, const QueryFilter& filter) {
    struct Exception {
        double count = 0;
        int64_t last_seen = 0;
    };
    std::map<std::tuple<std::string, std::string, std::string>, Exception> exceptions;
    std::vector<ErrorRow> crashes;  // newest first, as storage returns them
    for (ErrorRow& row : context.storage.errors(scope, filter, kMaxErrorRows)) {
        if (row.crash) {
            if (crashes.size() < kMaxCrashes) crashes.push_back(std::move(row));
            continue;
        }
        Exception& exception = exceptions[{row.type, row.message, row.site}];
        exception.count += row.count;
        exception.last_seen = std::max(exception.last_seen, row.time);
    }
    JsonOut out;
    out.object().key("exceptions").array();
    for (const auto& [key, exception] : exceptions) {
        out.object().field("type", std::get<0>(key)).field("message", std::get<1>(key)).field("site", std::get<2>(key));
        out.field("count", exception.count).field("last_seen", exception.last_seen).end_object();
    }
    out.end_array().key("crashes").array();
    for (const ErrorRow& row : crashes) {
        out.object().field("time", row.time).field("signal", row.type).field("message", row.message);
        out.field("host", row.host).field("pid", row.pid).field("version", row.version);
        out.field("top_frame", row.site).key("frames");
        write_frames(out, row.frames);
        out.end_object();
    }
    out.end_array().end_object();
    return json_response(http::status::ok, out.str());
}

}  // namespace siagent::dashboard
