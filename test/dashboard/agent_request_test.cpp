#include "dashboard/server/model/agent_request.h"

#include <catch2/catch.hpp>

#include "dashboard/server/api/agent_api.h"
#include "dashboard/server/http/bounded_json.h"
#include "transport/gzip.h"

using namespace siagent::dashboard;

namespace {

std::string envelope(const std::string& fields, const std::string& payload = "{}") {
    return R"({"runtime_type": "native", "app_name": "demo", "host_name": "h1", "process_id": 42,
               "run_id": "0f1e2d3c4b5a69788796a5b4c3d2e1f0", "run_ts": 1700000000, "sent_at": 1700000100)" +
           fields + R"(, "payload": )" + payload + "}";
}

std::string upload(const std::string& measurement, const std::string& head = "") {
    return envelope(head, R"({"messages": [{"topic": "metric", "content": {"id": "abc", "type": "profile",
        "category": "cpu-profile", "name": "CPU usage", "unit": "percent", "measurement": )" +
                              measurement + "}}]}");
}

Result<AgentRequest> read(const std::string& text, bool with_messages = true) {
    rapidjson::Document document;
    if (auto failure = parse_bounded_json(text, Limits{}, document)) return *failure;
    return read_agent_request(document, with_messages, Limits{});
}

}  // namespace

TEST_CASE("envelope: process_id as a number or a string of digits", "[dashboard][envelope]") {
    auto numeric = read(envelope(""), false);
    REQUIRE(numeric);
    CHECK(numeric->envelope.process_id == 42);
    auto text = read(envelope("").replace(envelope("").find("42"), 2, "\"4242\""), false);
    REQUIRE(text);
    CHECK(text->envelope.process_id == 4242);
    auto bad = read(envelope("").replace(envelope("").find("42"), 2, "\"42a\""), false);
    REQUIRE_FALSE(bad);
    CHECK(bad.failure().status == 400);
}

TEST_CASE("envelope: run ids with dashes or bare hex, nothing else", "[dashboard][envelope]") {
    const std::string bare = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";
    std::string dashed = envelope("");
    dashed.replace(dashed.find(bare), bare.size(), "3F2A9C1E-1111-2222-3333-444455556666");
    auto request = read(dashed, false);
    REQUIRE(request);
    CHECK(request->envelope.run_id == "3f2a9c1e-1111-2222-3333-444455556666");
    std::string wrong = envelope("");
    wrong.replace(wrong.find(bare), bare.size(), "not-a-uuid!");
    CHECK_FALSE(read(wrong, false));
}

TEST_CASE("envelope: fields nothing reads are accepted but not kept", "[dashboard][envelope]") {
    // A 60 KB unknown field once cost a megabyte of rows per upload.
    const std::string big(60 * 1024, 'x');
    auto request = read(envelope(R"(, "runtime_path": "/usr/bin/python3", "build_id": ")" + big + "\""), false);
    REQUIRE(request);
    CHECK(request->envelope.extra == "{}");
}

TEST_CASE("envelope and metric names longer than their bound are refused with 400", "[dashboard][envelope]") {
    const Limits limits;
    const std::string long_label(limits.label_bytes + 1, 'a');
    const std::string long_name(limits.metric_name_bytes + 1, 'n');
    auto app = read(envelope("").replace(envelope("").find("\"demo\""), 6, "\"" + long_label + "\""), false);
    REQUIRE_FALSE(app);
    CHECK(app.failure().status == 400);
    CHECK(read(envelope("").replace(envelope("").find("\"demo\""), 6, "\"" + std::string(limits.label_bytes, 'a') + "\""), false));

    auto name = read(upload(R"({"value": 1, "timestamp": 1700000000})").replace(
        upload(R"({"value": 1, "timestamp": 1700000000})").find("CPU usage"), 9, long_name));
    REQUIRE_FALSE(name);
    CHECK(name.failure().status == 400);
    auto category = read(upload(R"({"value": 1, "timestamp": 1700000000})").replace(
        upload(R"({"value": 1, "timestamp": 1700000000})").find("cpu-profile"), 11, long_label));
    REQUIRE_FALSE(category);
    CHECK(category.failure().status == 400);
}

TEST_CASE("envelope: wrong types and missing names are refused", "[dashboard][envelope]") {
    CHECK_FALSE(read(R"({"app_name": 5, "host_name": "h", "process_id": 1, "run_id": "abcdef12", "payload": {}})", false));
    CHECK_FALSE(read(R"({"app_name": "", "host_name": "h", "process_id": 1, "run_id": "abcdef12", "payload": {}})", false));
    CHECK_FALSE(read(R"({"app_name": "a", "host_name": "h", "process_id": -1, "run_id": "abcdef12", "payload": {}})", false));
    CHECK_FALSE(read(R"({"app_name": "a", "host_name": "h", "process_id": 1, "run_id": "abcdef12", "payload": []})", false));
    CHECK_FALSE(read(R"([1, 2])", false));
    CHECK(read(R"({"app_name": "a", "host_name": "h", "process_id": 1, "run_id": "abcdef12", "payload": {}})", false));
}

TEST_CASE("metrics: duration null, absent or a number", "[dashboard][envelope]") {
    for (const std::string duration : {R"("duration": null,)", "", R"("duration": 5.5,)"}) {
        auto request = read(upload(R"({"id": "m", "trigger": "timer", "value": 1, )" + duration +
                                   R"( "breakdown": null, "timestamp": 1700000050})"));
        REQUIRE(request);
        REQUIRE(request->metrics.size() == 1);
        CHECK(request->metrics[0].duration.has_value() == (duration.find("5.5") != std::string::npos));
    }
    CHECK_FALSE(read(upload(R"({"value": 1, "duration": "5", "timestamp": 1700000050})")));
}

TEST_CASE("metrics: value 0 with an empty breakdown is an empty profile", "[dashboard][envelope]") {
    auto request = read(upload(
        R"({"value": 0, "timestamp": 1700000050, "breakdown": {"name": "CPU call graph", "measurement": 0, "children": []}})"));
    REQUIRE(request);
    REQUIRE(request->metrics[0].breakdown);
    CHECK(request->metrics[0].breakdown->size() == 1);
}

TEST_CASE("metrics: unknown categories pass, other topics are skipped", "[dashboard][envelope]") {
    auto request = read(envelope("", R"({"messages": [
        {"topic": "metric", "content": {"type": "state", "category": "quantum", "name": "Qubits", "unit": "",
         "measurement": {"value": 3, "timestamp": 1700000050}}},
        {"topic": "event", "content": {"anything": 1}}]})"));
    REQUIRE(request);
    REQUIRE(request->metrics.size() == 1);
    CHECK(request->metrics[0].category == "quantum");
    CHECK(request->skipped_messages == 1);
}

TEST_CASE("metrics: wrong types in a metric or breakdown are refused", "[dashboard][envelope]") {
    CHECK_FALSE(read(upload(R"({"value": "1", "timestamp": 1700000050})")));
    CHECK_FALSE(read(upload(R"({"value": 1})")));
    CHECK_FALSE(read(upload(R"({"value": 1, "timestamp": 1700000050, "breakdown": {"children": [{"measurement": 1}]}})")));
    CHECK_FALSE(read(upload(R"({"value": 1, "timestamp": 1700000050, "breakdown": {"children": {}}})")));
    CHECK_FALSE(read(upload(R"({"value": 1, "timestamp": 1700000050, "breakdown": {"children": [{"name": "f", "measurement": "x"}]}})")));
}

TEST_CASE("metrics: the breakdown root's num_samples is the profile's sample count", "[dashboard][envelope]") {
    auto with_samples = [](const std::string& samples) {
        return read(upload(R"({"value": 1, "timestamp": 1700000050, "breakdown": {"name": "CPU call graph",
            "measurement": 1, )" + samples + R"( "children": [{"name": "f", "measurement": 1, "num_samples": 3}]}})"));
    };
    auto counted = with_samples(R"("num_samples": 412,)");
    REQUIRE(counted);
    CHECK(counted->metrics[0].samples == 412);
    auto as_double = with_samples(R"("num_samples": 412.0,)");
    REQUIRE(as_double);
    CHECK(as_double->metrics[0].samples == 412);
    for (const std::string& unknown : {std::string(""), std::string(R"("num_samples": null,)")}) {
        auto request = with_samples(unknown);
        REQUIRE(request);
        CHECK_FALSE(request->metrics[0].samples.has_value());
    }
    for (const std::string bad : {R"("num_samples": -1,)", R"("num_samples": 1.5,)", R"("num_samples": "9",)",
                                  R"("num_samples": 18446744073709551615,)"}) {
        auto request = with_samples(bad);
        INFO(bad);
        REQUIRE_FALSE(request);
        CHECK(request.failure().status == 400);
        CHECK(request.failure().reason.find("num_samples") != std::string::npos);
    }
}

TEST_CASE("metrics: too many messages or frames get 413", "[dashboard][envelope]") {
    Limits limits;
    limits.metrics_per_upload = 1;
    limits.frames_per_breakdown = 2;
    rapidjson::Document document;
    const std::string message = R"({"topic": "metric", "content": {"type": "state", "category": "cpu", "name": "x",
        "unit": "", "measurement": {"value": 1, "timestamp": 1700000050}}})";
    REQUIRE_FALSE(parse_bounded_json(envelope("", "{\"messages\": [" + message + "," + message + "]}"), limits, document));
    auto many = read_agent_request(document, true, limits);
    REQUIRE_FALSE(many);
    CHECK(many.failure().status == 413);
    REQUIRE_FALSE(parse_bounded_json(upload(R"({"value": 1, "timestamp": 1700000050, "breakdown": {"children": [
        {"name": "a", "children": [{"name": "b", "children": [{"name": "c"}]}]}]}})"), limits, document));
    auto deep = read_agent_request(document, true, limits);
    REQUIRE_FALSE(deep);
    CHECK(deep.failure().status == 413);
}

TEST_CASE("breakdown: Go's duplicate names under one parent fold and add up", "[dashboard][envelope]") {
    auto request = read(upload(R"J({"value": 10, "timestamp": 1700000050, "breakdown": {"name": "root", "measurement": 10,
        "children": [{"name": "main.work (main.go:10)", "measurement": 6},
                     {"name": "main.work (main.go:10)", "measurement": 4}]}})J"));
    REQUIRE(request);
    const CallTree& tree = *request->metrics[0].breakdown;
    REQUIRE(tree.size() == 2);
    CHECK(tree.value(1) == 10);
}

TEST_CASE("breakdown: a node's repeated member counts once, the first (as FindMember reads it)", "[dashboard][envelope]") {
    // Nodes are read in one pass over their members: a repeated key must still mean what
    // the first occurrence says, and members nothing reads change nothing.
    auto request = read(upload(R"J({"value": 9, "timestamp": 1700000050, "breakdown": {"name": "root",
        "children": [{"extra": {"children": [{"name": "ignored"}]}, "name": "f (a.c:1)", "name": "g (b.c:2)",
                      "measurement": 9, "measurement": "not read", "children": null, "children": [{"name": "x"}]}]}})J"));
    REQUIRE(request);
    const CallTree& tree = *request->metrics[0].breakdown;
    REQUIRE(tree.size() == 2);
    CHECK(tree.name(1) == "f (a.c:1)");
    CHECK(tree.value(1) == 9);
    CHECK_FALSE(read(upload(R"J({"value": 1, "timestamp": 1700000050, "breakdown": {"children": [{"name": 3, "name": "f"}]}})J")));
}

TEST_CASE("agent bodies: gzip within bounds, bombs and truncation refused", "[dashboard][gzip]") {
    Limits limits;
    limits.decompressed_bytes = 1024 * 1024;
    Request request{http::verb::post, "/agent/v1/upload", 11};
    request.set(http::field::content_encoding, "gzip");
    request.body() = siagent::gzip_compress("{\"a\": 1}");
    auto body = agent_body(request, limits);
    REQUIRE(body);
    CHECK(body.value() == "{\"a\": 1}");

    request.body() = siagent::gzip_compress(std::string(8 * 1024 * 1024, '0'));  // 8 MiB from about 8 KB
    CHECK(request.body().size() < 64 * 1024);
    auto bomb = agent_body(request, limits);
    REQUIRE_FALSE(bomb);
    CHECK(bomb.failure().status == 413);

    const std::string whole = siagent::gzip_compress(std::string(100'000, 'x') + "y");
    request.body() = whole.substr(0, whole.size() / 2);
    auto truncated = agent_body(request, limits);
    REQUIRE_FALSE(truncated);
    CHECK(truncated.failure().status == 400);

    request.set(http::field::content_encoding, "br");
    CHECK(agent_body(request, limits).failure().status == 415);
    request.erase(http::field::content_encoding);
    request.body() = "{}";
    CHECK(agent_body(request, limits).value() == "{}");
}
