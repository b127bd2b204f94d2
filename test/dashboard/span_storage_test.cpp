// Spans on the server: metadata.spans and measurement.stats read from uploads, span trees
// stored and queried per span, span latency merged over reports.
#include <catch2/catch.hpp>

#include "dashboard/server/api/agent_api.h"
#include "dashboard/server/anomaly/metric_watch.h"
#include "dashboard/server/http/bounded_json.h"
#include "dashboard/server/model/profile_query.h"
#include "dashboard/server/model/span_latency.h"
#include "dashboard/server/model/time_buckets.h"
#include "dashboard/server/sqlite/sqlite_storage.h"
#include "test/dashboard/storage_fixtures.h"

using namespace siagent::dashboard;
using namespace siagent::testing;

namespace {


Result<AgentRequest> read_upload(const std::string& messages, const Limits& limits = Limits{}) {
    const std::string text = R"({"runtime_type": "native", "app_name": "demo", "host_name": "h1", "process_id": 42,
        "run_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "run_ts": 1700000000, "payload": {"messages": [)" +
                             messages + "]}}";
    rapidjson::Document document;
    if (auto failure = parse_bounded_json(text, limits, document)) return *failure;
    return read_agent_request(document, true, limits);
}

// A CPU profile of `main` calling `checkout_hash` inside span checkout and `search_scan`
// inside span search, as the agent sends it (inclusive measurements and shares).
std::string cpu_message(int64_t timestamp, double hash, double scan, double idle) {
    auto number = [](double value) { return std::to_string(value); };
    auto shares = [&](const std::string& spans) { return R"J(, "metadata": {"spans": {)J" + spans + "}}"; };
    auto node = [&](const std::string& name, double value, const std::string& metadata, const std::string& children) {
        return R"J({"name": ")J" + name + R"J(", "measurement": )J" + number(value) + metadata +
               (children.empty() ? "" : R"J(, "children": [)J" + children + "]") + "}";
    };
    const std::string both = R"J("checkout": )J" + number(hash) + R"J(, "search": )J" + number(scan);
    const std::string leaves = node("checkout_hash (demo.cpp:10)", hash, shares(R"J("checkout": )J" + number(hash)), "") +
                               ", " + node("search_scan (demo.cpp:20)", scan, shares(R"J("search": )J" + number(scan)), "") +
                               ", " + node("idle (demo.cpp:30)", idle, R"J(, "metadata": {})J", "");
    const double main = hash + scan + idle;
    const std::string tree = node("CPU call graph", main, shares(both), node("main (demo.cpp:3)", main, shares(both), leaves));
    return R"J({"topic": "metric", "content": {"type": "profile", "category": "cpu-profile", "name": "CPU usage",
        "unit": "percent", "measurement": {"value": )J" + number(main) + R"J(, "timestamp": )J" + std::to_string(timestamp) +
           R"J(, "breakdown": )J" + tree + "}}}";
}

std::string span_message(const std::string& name, int64_t timestamp, const std::string& stats) {
    return R"({"topic": "metric", "content": {"type": "state", "category": "span", "name": ")" + name +
           R"(", "unit": "millisecond", "measurement": {"value": )" + stats.substr(0, stats.find(',')) +
           R"(, "timestamp": )" + std::to_string(timestamp) + R"(, "stats": {"p95_ms": )" + stats + "}}}}";
}

bool has_node(const CallTree& tree, const std::string& prefix) {
    for (uint32_t node = 1; node < tree.size(); ++node)
        if (tree.name(node).rfind(prefix, 0) == 0 && tree.value(node) > 0) return true;
    return false;
}

}  // namespace

TEST_CASE("spans: metadata.spans becomes one tree per span, with the base tree's paths", "[dashboard][spans]") {
    auto request = read_upload(cpu_message(kNow - 60, 30, 20, 5));
    REQUIRE(request);
    const Metric& metric = request->metrics.at(0);
    REQUIRE(metric.span_trees.size() == 2);
    const SpanTree& checkout = metric.span_trees[0];
    CHECK(checkout.span == "checkout");
    CHECK(checkout.tree.value(CallTree::kRoot) == Approx(30));
    CHECK(has_node(checkout.tree, "checkout_hash"));
    CHECK_FALSE(has_node(checkout.tree, "search_scan"));
    CHECK_FALSE(has_node(checkout.tree, "idle"));
    CHECK(has_node(metric.span_trees[1].tree, "search_scan"));
    CHECK_FALSE(has_node(metric.span_trees[1].tree, "checkout_hash"));

    auto reports = prepare_reports(request.value());
    REQUIRE(reports.size() == 3);  // the profile, then its two span trees
    CHECK(reports[1].series.type == "span-profile:checkout");
    CHECK(reports[1].series.category == "cpu-profile");
    CHECK(reports[1].value == Approx(30));
}

TEST_CASE("spans: bad span metadata and stats are refused with a reason", "[dashboard][spans]") {
    const std::string base = cpu_message(kNow, 1, 1, 1);
    auto with = [&](const std::string& from, const std::string& to) {
        std::string text = base;
        text.replace(text.find(from), from.size(), to);
        return read_upload(text);
    };
    auto negative = with(R"("checkout": 1.000000}}},)", R"("checkout": -1}}},)");
    REQUIRE_FALSE(negative);
    CHECK(negative.failure().status == 400);
    CHECK(negative.failure().reason.find("span") != std::string::npos);
    CHECK_FALSE(with(R"("metadata": {}})", R"("metadata": {"spans": []}})"));
    CHECK_FALSE(with(R"("metadata": {}})", R"("metadata": {"spans": {"": 1}}})"));
    CHECK_FALSE(with(R"("type": "profile")", R"("type": "span-profile:checkout")"));  // reserved

    std::string many = R"("metadata": {"spans": {)";
    for (size_t i = 0; i <= kMaxSpansPerBreakdown; ++i) many += (i ? ", \"s" : "\"s") + std::to_string(i) + "\": 0.1";
    auto too_many = with(R"("metadata": {}})", many + "}}}");
    REQUIRE_FALSE(too_many);
    CHECK(too_many.failure().status == 413);

    auto stats = read_upload(span_message("checkout", kNow, R"(12, "count": 40, "p99_ms": 14, "extra": 1)"));
    REQUIRE(stats);
    REQUIRE(stats->metrics[0].span_stats);
    CHECK(stats->metrics[0].span_stats->count == 40);
    CHECK(stats->metrics[0].span_stats->p99_ms == 14);
    CHECK_FALSE(stats->metrics[0].span_stats->p50_ms);
    CHECK_FALSE(read_upload(span_message("checkout", kNow, R"(12, "count": "40")")));
}

TEST_CASE("spans: a span-filtered profile holds only that span's samples, averaged over all reports",
          "[dashboard][spans][storage]") {
    TempDatabase db;
    Storage& storage = db.storage();
    const int64_t a = storage.create_account("a", kNow).value();
    const int64_t b = storage.create_account("b", kNow).value();
    const ProcessKey process = storage.record_process(a, envelope("demo", "h1", 1), kNow);
    const int64_t hour = kNow / 3600 * 3600 - 7200;  // complete hours, for rollups
    for (int64_t t : {hour + 10, hour + 1000, hour + 4000}) {
        auto request = read_upload(cpu_message(t, 30, 20, 5));
        REQUIRE(request);
        storage.store_reports(process, prepare_reports(request.value()));
    }
    // An old agent's report: no span metadata, still one of the reports a span is averaged over.
    auto plain = read_upload(cpu_message(hour + 2000, 0, 0, 5));
    REQUIRE(plain);
    plain->metrics[0].span_trees.clear();
    storage.store_reports(process, prepare_reports(plain.value()));

    const AppScope scope{a, process.app_id};
    QueryFilter filter{hour - 3600, kNow, "", "", "", std::nullopt, ""};
    CHECK(storage.profile_kinds(scope, filter).size() == 1);  // span trees are not kinds of their own
    auto check_span = [&](const QueryFilter& query) {
        auto whole = merge_profile(storage, scope, "cpu", query, 1000);
        CHECK(whole->reports == 4);
        CHECK(whole->tree.value(CallTree::kRoot) == Approx((55.0 * 3 + 5) / 4));
        QueryFilter checkout = query;
        checkout.span = "checkout";
        auto only = merge_profile(storage, scope, "cpu", checkout, 1000);
        CHECK(only->reports == 4);
        CHECK(only->tree.value(CallTree::kRoot) == Approx(30.0 * 3 / 4));
        CHECK(has_node(only->tree, "checkout_hash"));
        CHECK_FALSE(has_node(only->tree, "search_scan"));
        QueryFilter none = query;
        none.span = "no-such-span";
        CHECK(merge_profile(storage, scope, "cpu", none, 1000)->tree.value(CallTree::kRoot) == 0);
    };
    check_span(filter);
    CHECK(storage.build_rollups(kNow, 100, 1000) > 0);
    check_span(filter);  // rollups of span trees give the same answer

    QueryFilter foreign = filter;
    foreign.span = "checkout";
    CHECK(merge_profile(storage, AppScope{b, process.app_id}, "cpu", foreign, 1000)->reports == 0);
}

TEST_CASE("spans: latency merges reports weighted by count, into points over the range", "[dashboard][spans][storage]") {
    TempDatabase db;
    Storage& storage = db.storage();
    const int64_t a = storage.create_account("a", kNow).value();
    const int64_t b = storage.create_account("b", kNow).value();
    const ProcessKey one = storage.record_process(a, envelope("demo", "h1", 1), kNow);
    const ProcessKey two = storage.record_process(a, envelope("demo", "h2", 2), kNow);
    auto store = [&](const ProcessKey& process, const std::string& message) {
        auto request = read_upload(message);
        REQUIRE(request);
        storage.store_reports(process, prepare_reports(request.value()));
    };
    store(one, span_message("checkout", kNow - 600, R"(20, "count": 300, "p50_ms": 10, "p99_ms": 30, "max_ms": 50, "total_ms": 3000)"));
    store(two, span_message("checkout", kNow - 300, R"(40, "count": 100, "p50_ms": 20, "p99_ms": 60, "max_ms": 90, "total_ms": 2000)"));
    // The original agents send the p95 alone.
    store(one, R"({"topic": "metric", "content": {"type": "state", "category": "span", "name": "legacy",
        "unit": "millisecond", "measurement": {"value": 7, "timestamp": )" + std::to_string(kNow - 100) + "}}}");

    const AppScope scope{a, one.app_id};
    QueryFilter filter{kNow - 3600, kNow, "", "", "", std::nullopt, ""};
    const auto buckets = storage.span_buckets(scope, filter, 60, 1000);
    REQUIRE(buckets.size() == 3);  // checkout's two reports are minutes apart
    const auto spans = merge_span_latency(buckets);
    REQUIRE(spans.size() == 2);
    const SpanLatency& checkout = spans[0];
    CHECK(checkout.name == "checkout");
    CHECK(checkout.reports == 2);
    CHECK(*checkout.count == 400);
    CHECK(*checkout.total_ms == 5000);
    CHECK(*checkout.p50_ms == Approx((10.0 * 300 + 20 * 100) / 400));
    CHECK(*checkout.p95_ms == Approx((20.0 * 300 + 40 * 100) / 400));
    CHECK(*checkout.p99_ms == Approx((30.0 * 300 + 60 * 100) / 400));
    CHECK(*checkout.max_ms == 90);
    REQUIRE(checkout.points.size() == 2);
    CHECK(*checkout.points[0].p95_ms == 20);
    CHECK(checkout.points[1].time - checkout.points[0].time == 300);
    const SpanLatency& legacy = spans[1];
    CHECK(legacy.name == "legacy");
    CHECK_FALSE(legacy.count);
    CHECK(*legacy.p95_ms == 7);
    CHECK_FALSE(legacy.p50_ms);

    // One bucket over the whole range merges the same way.
    const auto whole = merge_span_latency(storage.span_buckets(scope, filter, 3601, 1000));
    CHECK(*whole[0].p95_ms == Approx(*checkout.p95_ms));
    CHECK(whole[0].points.size() == 1);
    CHECK(bucket_seconds(0, 3600, 500) == 60);
    CHECK(bucket_seconds(0, 7 * 86400, 500) == 7 * 86400 / 500 + 1);
    CHECK(bucket_seconds(INT64_MIN, INT64_MAX) > 0);  // no overflow, whatever the query says

    filter.host = "h2";
    CHECK(storage.span_buckets(scope, filter, 60, 1000).size() == 1);
    const QueryFilter hour{kNow - 3600, kNow, "", "", "", std::nullopt, ""};
    CHECK(storage.span_buckets(AppScope{b, one.app_id}, hour, 60, 1000).empty());
    CHECK(storage.span_buckets(scope, hour, 60, 2).size() == 2);
}

TEST_CASE("spans: a span's p95 is a watched series for anomalies, its span trees are not", "[dashboard][spans][anomaly]") {
    anomaly::MetricWatch watch;
    auto upload = [&](int64_t time, double p95) {
        auto request = read_upload(span_message("checkout", time, std::to_string(p95) + R"(, "count": 50, "p50_ms": 5)") +
                                   ", " + cpu_message(time, 3, 2, 1));
        REQUIRE(request);
        return watch.observe(1, "prod", "h1", prepare_reports(request.value()));
    };
    for (int i = 0; i < 400; ++i) CHECK(upload(kNow + i * 300, 20 + i % 3).empty());
    CHECK(watch.series() == 1);  // the span metric; the profile and its span trees are not series
    auto flagged = upload(kNow + 400 * 300, 400);
    REQUIRE(flagged.size() == 1);
    CHECK(flagged[0].category == "span");
    CHECK(flagged[0].name == "checkout");
    CHECK(flagged[0].value == 400);
}

TEST_CASE("spans: hourly rollups answer long ranges as the raw reports do, each report once", "[dashboard][spans][rollups]") {
    TempDatabase db;
    Storage& storage = db.storage();
    const int64_t a = storage.create_account("a", kNow).value();
    const ProcessKey process = storage.record_process(a, envelope("demo", "h1", 1), kNow);
    const int64_t hour = kNow / 3600 * 3600 - 3 * 86400;  // complete hours, three days back
    auto store = [&](int64_t time, double p95, double count) {
        auto request = read_upload(span_message("checkout", time, std::to_string(p95) + ", \"count\": " +
                                                                      std::to_string(count) + R"(, "p50_ms": 5, "max_ms": 90)"));
        REQUIRE(request);
        storage.store_reports(process, prepare_reports(request.value()));
    };
    for (int i = 0; i < 12; ++i) store(hour + i * 600, 20 + i, 10 + i);  // two hours, six reports each
    const AppScope scope{a, process.app_id};
    const QueryFilter range{kNow - 4 * 86400, kNow, "", "", "", std::nullopt, ""};
    REQUIRE(range.to - range.from >= kSpanRollupRange);
    auto merged = [&](const QueryFilter& filter) {
        auto spans = merge_span_latency(storage.span_buckets(scope, filter, 3600, 1000));
        REQUIRE(spans.size() == 1);
        return spans[0];
    };
    const SpanLatency raw = merged(range);
    CHECK(raw.reports == 12);
    CHECK(storage.build_span_rollups(kNow, 100) == 2);
    CHECK(storage.build_span_rollups(kNow, 100) == 0);  // nothing left to do
    const SpanLatency rolled = merged(range);
    CHECK(rolled.reports == 12);
    CHECK(*rolled.count == *raw.count);
    CHECK(*rolled.p95_ms == Approx(*raw.p95_ms));
    CHECK(*rolled.p50_ms == Approx(5));
    CHECK(*rolled.max_ms == 90);
    CHECK(rolled.points.size() == 2);  // one per hour

    QueryFilter by_host = range;
    by_host.host = "h1";  // host filters read raw reports: the same answer
    CHECK(*merged(by_host).p95_ms == Approx(*raw.p95_ms));

    store(hour + 1200, 400, 100);  // arrives late, into a rolled-up hour: counts from the next pass
    CHECK(merged(range).reports == 12);
    CHECK(merged(by_host).reports == 13);  // raw reports have it at once
    CHECK(storage.build_span_rollups(kNow, 100) == 1);
    const SpanLatency late = merged(range);
    CHECK(late.reports == 13);
    CHECK(*late.count == *raw.count + 100);

    store(hour + 7200 + 60, 30, 10);  // a newer hour, not rolled up yet: read raw
    CHECK(merged(range).reports == 14);
    CHECK(storage.build_span_rollups(kNow, 100) == 1);
    CHECK(merged(range).reports == 14);

    storage.delete_before(hour + 3600, kNow);  // retention drops the first hour and its rollup
    CHECK(merged(range).reports == 7);  // the second hour and the newer one
}
