// Span tags in uploaded breakdowns (Breakdown::spans, metadata.spans on the wire) and the
// span metric's measurement.stats.
#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include "test/support/sample_profiles.h"
#include "transport/profile_metric.h"
#include "transport/stackimpact_json.h"

using namespace siagent;
using namespace siagent::testing;

namespace {

const Breakdown& only_child(const Breakdown& node) {
    REQUIRE(node.children.size() == 1);
    return node.children[0];
}

double span_value(const Breakdown& node, const std::string& span) {
    auto found = node.spans.find(span);
    return found == node.spans.end() ? 0.0 : found->second;
}

}  // namespace

TEST_CASE("a breakdown node carries the part of its measurement taken inside each span") {
    Profile profile = make_profile("cpu", {
        {{"main", "serve", "hash"}, {60, 600'000'000}, {{"span", "checkout"}}},
        {{"main", "serve", "parse"}, {30, 300'000'000}, {{"thread", "w1"}, {"span", "search"}}},
        {{"main", "idle"}, {10, 100'000'000}, {}},
    }, 10);
    Breakdown root = build_breakdown(profile, encoding_for_kind("cpu"));
    CHECK(root.measurement == Approx(10.0));  // percent of one core
    CHECK(span_value(root, "checkout") == Approx(6.0));
    CHECK(span_value(root, "search") == Approx(3.0));
    CHECK(root.spans.size() == 2);  // samples outside any span are in no span's share
    const Breakdown& main = only_child(root);
    CHECK(span_value(main, "checkout") == Approx(6.0));
    const Breakdown* serve = nullptr;
    for (const Breakdown& child : main.children)
        if (child.name.rfind("serve", 0) == 0) serve = &child;
    REQUIRE(serve != nullptr);
    for (const Breakdown& leaf : serve->children) {
        bool hash = leaf.name.rfind("hash", 0) == 0;
        CHECK(span_value(leaf, "checkout") == Approx(hash ? 6.0 : 0.0));
        CHECK(span_value(leaf, "search") == Approx(hash ? 0.0 : 3.0));
    }
    for (const Breakdown& child : main.children)
        if (child.name.rfind("idle", 0) == 0) CHECK(child.spans.empty());

    SECTION("on the wire as metadata.spans, which a reader without spans can ignore") {
        MetricIds ids(AgentIdentity{});
        std::string json = metric_message_json(profile_metric({"cpu", profile}, ids));
        rapidjson::Document document;
        document.Parse(json.c_str());
        REQUIRE(!document.HasParseError());
        const auto& node = document["content"]["measurement"]["breakdown"];
        CHECK(node["metadata"]["spans"]["checkout"].GetDouble() == Approx(6.0));
        CHECK(node["metadata"]["spans"]["search"].GetDouble() == Approx(3.0));
        const auto& idle = node["children"][0]["children"][1];
        CHECK(std::string(idle["name"].GetString()).rfind("idle", 0) == 0);
        CHECK(idle["metadata"].ObjectEmpty());
    }
}

TEST_CASE("at most kMaxBreakdownSpans span names per breakdown, the smallest summed as other") {
    std::vector<SampleSpec> samples;
    const size_t names = kMaxBreakdownSpans + 4;
    for (size_t i = 0; i < names; ++i)
        samples.push_back({{"main", "work"}, {1, static_cast<int64_t>(1'000'000 * (i + 1))},
                           {{"span", "s" + std::to_string(i)}}});
    Breakdown root = build_breakdown(make_profile("cpu", samples, 1), encoding_for_kind("cpu"));
    CHECK(root.spans.size() == kMaxBreakdownSpans + 1);
    // The four smallest (s0..s3: 1+2+3+4 ms of CPU in 1 s = 1 %) are under "other".
    CHECK(span_value(root, kOtherSpans) == Approx(1.0));
    CHECK(root.spans.count("s3") == 0);
    CHECK(root.spans.count("s4") == 1);
    double sum = 0;
    for (const auto& [span, value] : root.spans) sum += value;
    CHECK(sum == Approx(root.measurement));
}

TEST_CASE("a metric's stats go out as numbers in measurement.stats, only when there are some") {
    Metric metric;
    metric.type = "state";
    metric.category = "span";
    metric.name = "checkout";
    metric.unit = "millisecond";
    metric.value = 12.5;
    metric.timestamp = 1'700'000'000;
    auto parse = [](const Metric& m) {
        auto document = std::make_unique<rapidjson::Document>();
        document->Parse(metric_message_json(m).c_str());
        REQUIRE(!document->HasParseError());
        return document;
    };
    CHECK(!(*parse(metric))["content"]["measurement"].HasMember("stats"));
    metric.stats = {{"count", 40}, {"p50_ms", 10}, {"p95_ms", 12.5}, {"p99_ms", 14}, {"max_ms", 15}};
    auto document = parse(metric);
    const auto& measurement = (*document)["content"]["measurement"];
    CHECK(measurement["value"].GetDouble() == Approx(12.5));  // the protocol's p95
    CHECK(measurement["stats"]["count"].GetDouble() == Approx(40));
    CHECK(measurement["stats"]["p99_ms"].GetDouble() == Approx(14));
    CHECK(measurement["stats"]["max_ms"].GetDouble() == Approx(15));
}
