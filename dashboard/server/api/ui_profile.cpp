#include "dashboard/server/api/ui_profile.h"

#include <algorithm>

#include "dashboard/server/model/hotspots.h"
#include "dashboard/server/json_out.h"
#include "dashboard/server/model/pprof_export.h"
#include "dashboard/server/model/profile_kinds.h"
#include "dashboard/server/model/profile_query.h"
#include "dashboard/server/model/profile_timeline.h"
#include "dashboard/server/gzip_fast.h"
#include "transport/pprof.h"

namespace siagent::dashboard {
namespace {

constexpr size_t kMaxTreeNodes = 20'000;   // nodes sent to the browser
constexpr double kMinShown = 1e-4;         // nodes below this share of the root are folded
constexpr size_t kMaxDepth = 1024;
constexpr size_t kMaxHotspots = 500;

class TreeWriter {
public:
    TreeWriter(const CallTree& tree, JsonOut& out) : tree_(tree), out_(out), children_(tree.children()) {
        for (auto& list : children_) {
            std::sort(list.begin(), list.end(), [&](uint32_t a, uint32_t b) { return tree.value(a) > tree.value(b); });
        }
        threshold_ = tree.value(CallTree::kRoot) * kMinShown;
    }

    // Writes `node` and the children that fit the budget. Parents keep their inclusive
    // values, so folded children remain counted in their parents.
    void write(uint32_t node, size_t depth) {
        ++written_;
        out_.object().field("name", node == CallTree::kRoot ? std::string("root") : tree_.name(node));
        out_.field("value", tree_.value(node)).key("children").array();
        if (depth < kMaxDepth) {
            for (uint32_t child : children_[node]) {
                if (written_ >= kMaxTreeNodes || tree_.value(child) < threshold_ || tree_.value(child) <= 0) break;
                write(child, depth + 1);
            }
        }
        out_.end_array().end_object();
    }

private:
    const CallTree& tree_;
    JsonOut& out_;
    std::vector<std::vector<uint32_t>> children_;
    double threshold_ = 0;
    size_t written_ = 0;
};

void write_hotspots(JsonOut& out, const CallTree& tree) {
    const double total = tree.value(CallTree::kRoot);
    auto share = [total](double value) { return total > 0 ? value / total : 0.0; };
    out.key("hotspots").array();
    for (const Hotspot& spot : hotspots(tree, kMaxHotspots)) {
        out.object().field("function", spot.function).field("file", spot.file).field("line", spot.line);
        out.field("self", spot.self).field("total", spot.total);
        out.field("self_share", share(spot.self)).field("total_share", share(spot.total)).end_object();
    }
    out.end_array();
}

// The request's `kind`, default cpu.
std::string requested_kind(const Request& request) {
    const std::string kind = query_parameters(request.target())["kind"];
    return kind.empty() ? "cpu" : kind;
}

// The request's kind merged over the filter; nullopt for a malformed kind.
std::optional<MergedProfile> requested_profile(ServerContext& context, const Request& request,
                                               const AppScope& scope, const QueryFilter& filter) {
    return merge_profile(context.storage, scope, requested_kind(request), filter,
                         context.settings.limits.frames_per_breakdown);
}

}  // namespace

Response profile_response(ServerContext& context, const Request& request, const AppScope& scope,
                          const QueryFilter& filter) {
    auto profile = requested_profile(context, request, scope, filter);
    if (!profile) return error_response(400, "unknown profile kind");
    JsonOut out;
    out.object().field("kind", profile->kind).field("category", profile->category).field("name", profile->name);
    out.field("unit", profile->unit).field("span", filter.span).field("reports", profile->reports);
    out.field("from", profile->from).field("to", profile->to);
    out.field("total", profile->tree.value(CallTree::kRoot)).key("tree");
    TreeWriter(profile->tree, out).write(CallTree::kRoot, 0);
    write_hotspots(out, profile->tree);
    out.key("leaks").array();
    for (const Leak& leak : profile->leaks) {
        out.object().field("function", leak.function).field("file", leak.file).field("line", leak.line);
        out.field("growth_bytes_per_s", leak.growth_bytes_per_s).end_object();
    }
    out.end_array().end_object();
    return json_response(http::status::ok, out.str());
}

Response pprof_response(ServerContext& context, const Request& request, const AppScope& scope,
                        const QueryFilter& filter) {
    auto profile = requested_profile(context, request, scope, filter);
    if (!profile) return error_response(400, "unknown profile kind");
    std::string compressed = gzip_fast(encode_pprof(merged_profile_as_pprof(*profile, filter.from, filter.to)), kGzipStoredLevel);
    if (compressed.empty()) return error_response(500, "cannot compress the profile (out of memory)");
    Response response{http::status::ok, 11};
    response.set(http::field::content_type, "application/octet-stream");
    response.set(http::field::content_disposition,
                 "attachment; filename=\"" + profile->kind + "-" + std::to_string(filter.from) + "-" +
                     std::to_string(filter.to) + ".pb.gz\"");
    response.set(http::field::cache_control, "no-store");
    response.body() = std::move(compressed);
    return response;
}

Response timeline_response(ServerContext& context, const Request& request, const AppScope& scope,
                           const QueryFilter& filter) {
    auto timeline = profile_timeline(context.storage, scope, requested_kind(request), filter,
                                     context.settings.limits.frames_per_breakdown);
    if (!timeline) return error_response(400, "unknown profile kind");
    JsonOut out;
    out.object().field("kind", timeline->kind).field("unit", timeline->unit).field("span", filter.span);
    out.field("bucket_seconds", timeline->bucket_seconds).key("points").array();
    for (const auto& [time, value] : timeline->points) out.array().value(time).value(value).end_array();
    out.end_array().end_object();
    return json_response(http::status::ok, out.str());
}

Response kind_views_response() {
    JsonOut out;
    out.object().key("kinds").array();
    for (const KindView& view : kind_views())
        out.object().field("kind", view.kind).field("label", view.label).field("tab", view.tab).end_object();
    out.end_array().end_object();
    return json_response(http::status::ok, out.str());
}

Response kinds_response(ServerContext& context, const AppScope& scope, const QueryFilter& filter) {
    JsonOut out;
    out.object().key("kinds").array();
    for (const SeriesKey& series : context.storage.profile_kinds(scope, filter)) {
        out.object().field("kind", kind_of_series(series.category, series.name)).field("category", series.category);
        out.field("name", series.name).field("unit", series.unit).end_object();
    }
    out.end_array().end_object();
    return json_response(http::status::ok, out.str());
}

}  // namespace siagent::dashboard
