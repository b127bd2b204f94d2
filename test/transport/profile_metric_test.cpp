#include "transport/profile_metric.h"

#include <catch2/catch.hpp>
#include <rapidjson/document.h>

#include <cmath>
#include <functional>

#include "test/support/sample_profiles.h"
#include "transport/stackimpact_json.h"

using namespace siagent;
using namespace siagent::testing;

namespace {

AgentIdentity identity() {
    AgentIdentity id;
    id.app_name = "checkout";
    id.app_environment = "production";
    id.host_name = "web-1";
    id.run_id = "00000000-0000-4000-8000-000000000000";
    id.process_id = 42;
    id.run_ts = 1'700'000'000;
    return id;
}

const Breakdown* child_named(const Breakdown& node, const std::string& name) {
    for (const Breakdown& child : node.children)
        if (child.name == name) return &child;
    return nullptr;
}

// Every node holds its own value plus its children's (no sample ends above a leaf here,
// so parents hold exactly the sum of their children).
void check_sums(const Breakdown& node) {
    if (node.children.empty()) return;
    double sum = 0;
    int64_t samples = 0;
    for (const Breakdown& child : node.children) {
        sum += child.measurement;
        samples += child.num_samples;
        check_sums(child);
    }
    INFO(node.name);
    CHECK(node.measurement == Approx(sum));
    CHECK(node.num_samples == samples);
}

const std::vector<SampleSpec> kCpuSamples = {
    {{"main", "handle", "score"}, {60, 600'000'000}, {}},
    {{"main", "handle", "parse"}, {30, 300'000'000}, {}},
    {{"main", "idle"}, {10, 100'000'000}, {}},
};

}  // namespace

TEST_CASE("a CPU profile becomes a cpu-profile metric in percent of one core") {
    KindProfile cpu{"cpu", make_profile("cpu", kCpuSamples, 10)};
    MetricIds ids(identity());
    Metric metric = profile_metric(cpu, ids);
    CHECK(metric.type == "profile");
    CHECK(metric.category == "cpu-profile");
    CHECK(metric.name == "CPU usage");
    CHECK(metric.unit == "percent");
    // 1 s of CPU over 10 s: 10 % of one core.
    CHECK(metric.value == Approx(10.0));
    CHECK(metric.duration == Approx(10.0));
    CHECK(metric.timestamp == 1'700'000'010);
    const Breakdown& root = metric.breakdown;
    CHECK(root.name == "CPU call graph");
    CHECK(root.num_samples == 100);
    REQUIRE(root.children.size() == 1);  // outermost frames below the root
    const Breakdown& main = root.children[0];
    CHECK(main.name == "main (main.cpp:10)");
    const Breakdown* handle = child_named(main, "handle (handle.cpp:11)");
    REQUIRE(handle != nullptr);
    CHECK(handle->measurement == Approx(9.0));
    REQUIRE(handle->children.size() == 2);
    CHECK(handle->children[0].name == "score (score.cpp:12)");  // largest first
    CHECK(handle->children[0].measurement == Approx(6.0));
    CHECK(handle->children[0].num_samples == 60);
    check_sums(root);
}

TEST_CASE("every kind gets the protocol's native category, name and unit") {
    struct Expected {
        const char* kind;
        const char* category;
        const char* name;
        const char* unit;
        std::vector<int64_t> values;
        double value;  // over 10 s
    };
    for (const Expected& e : std::vector<Expected>{
             {"alloc", "memory-profile", "Allocation rate", "byte", {5, 5000}, 500.0},
             {"inuse", "memory-profile", "Heap in use", "byte", {5, 5000}, 5000.0},
             {"block", "block-profile", "Blocking call times", "millisecond", {5, 2'000'000'000}, 200.0},
             {"error", "error-profile", "Exceptions", "", {7}, 7.0},
             {"crash", "error-profile", "Crashes", "", {1}, 1.0},
         }) {
        INFO(e.kind);
        KindProfile profile{e.kind, make_profile(e.kind, {{{"main", "work"}, e.values, {}}}, 10)};
        MetricIds ids(identity());
        Metric metric = profile_metric(profile, ids);
        CHECK(metric.category == e.category);
        CHECK(metric.name == e.name);
        CHECK(metric.unit == e.unit);
        CHECK(metric.value == Approx(e.value));
        CHECK(metric.breakdown.num_samples == e.values[0]);
        check_sums(metric.breakdown);
    }
}

TEST_CASE("an unknown kind is still sent, named after its kind") {
    KindProfile profile{"locks", make_profile("error", {{{"main"}, {3}, {}}})};
    MetricIds ids(identity());
    Metric metric = profile_metric(profile, ids);
    CHECK(metric.category == "locks-profile");
    CHECK(metric.name == "locks");
    CHECK(metric.value == Approx(3.0));
}

TEST_CASE("block profiles have the category as the first level, once") {
    Profile profile = make_profile("block", {
        {{"[lock]", "main", "wait_for_lock"}, {1, 1'000'000'000}, {{"category", "lock"}}},
        {{"main", "read_file"}, {1, 500'000'000}, {{"category", "io"}}},
    }, 1);
    Breakdown root = build_breakdown(profile, encoding_for_kind("block"));
    REQUIRE(root.children.size() == 2);
    CHECK(root.children[0].name == "lock");
    CHECK(root.children[0].measurement == Approx(1000.0));  // ms per second
    REQUIRE(root.children[0].children.size() == 1);
    CHECK(root.children[0].children[0].name == "main (main.cpp:11)");  // not "[lock]" again
    CHECK(root.children[1].name == "io");
    CHECK(root.children[1].children[0].name == "main (main.cpp:11)");
}

TEST_CASE("frame names follow the protocol, with inlined functions as their own levels") {
    CHECK(frame_name({"f(int)", "/src/a.cpp", 12}) == "f(int) (/src/a.cpp:12)");
    CHECK(frame_name({"f", "/src/a.cpp", 0}) == "f (/src/a.cpp)");
    CHECK(frame_name({"f", "", 0}) == "f");

    Profile profile = make_profile("cpu", {{{"main"}, {1, 10}, {}}});
    // One address whose code is `inner` inlined into `outer`: outer is the caller.
    profile.frames[0].lines = {{"inner", "a.cpp", 5}, {"outer", "a.cpp", 20}};
    Frame unknown;
    unknown.address = 0x7f0000000abc;  // loaded at 0x7f0000000000, file offset 0x1000
    unknown.mapping_index = 1;
    profile.mappings.push_back({0x7f0000000000, 0x7f0000010000, 0x1000, "/usr/lib/libx.so.1", ""});
    profile.frames.push_back(unknown);
    profile.samples[0].frames.insert(profile.samples[0].frames.begin(), 1);  // new leaf
    Breakdown root = build_breakdown(profile, encoding_for_kind("cpu"));
    REQUIRE(root.children.size() == 1);
    CHECK(root.children[0].name == "outer (a.cpp:20)");
    REQUIRE(root.children[0].children.size() == 1);
    CHECK(root.children[0].children[0].name == "inner (a.cpp:5)");
    REQUIRE(root.children[0].children[0].children.size() == 1);
    // Module and file offset, not the address: the same in every process whatever ASLR did.
    CHECK(root.children[0].children[0].children[0].name == "libx.so.1+0x1abc");
}

TEST_CASE("metric ids are the SHA-1 of the identity and the metric's names") {
    // sha1("checkoutproductionweb-1profilecpu-profileCPU usagepercent"), from `sha1sum`.
    CHECK(metric_id(identity(), "profile", "cpu-profile", "CPU usage", "percent") ==
          "99b179bc1953128a86c55fa322cef1bb038e0895");
}

TEST_CASE("a metric message is the protocol's JSON, breakdown included") {
    KindProfile cpu{"cpu", make_profile("cpu", kCpuSamples, 10)};
    MetricIds ids(identity());
    std::string json = metric_message_json(profile_metric(cpu, ids));
    rapidjson::Document document;
    document.Parse(json.c_str());
    REQUIRE(!document.HasParseError());
    CHECK(std::string(document["topic"].GetString()) == "metric");
    const auto& content = document["content"];
    CHECK(std::string(content["id"].GetString()).size() == 40);
    CHECK(std::string(content["type"].GetString()) == "profile");
    const auto& measurement = content["measurement"];
    CHECK(std::string(measurement["trigger"].GetString()) == "timer");
    CHECK(std::string(measurement["id"].GetString()).size() == 36);
    CHECK(measurement["value"].GetDouble() == Approx(10.0));
    CHECK(measurement["duration"].GetDouble() == Approx(10.0));
    CHECK(measurement["timestamp"].GetInt64() == 1'700'000'010);
    const auto& root = measurement["breakdown"];
    CHECK(std::string(root["name"].GetString()) == "CPU call graph");
    CHECK(root["metadata"].IsObject());
    CHECK(root["num_samples"].GetInt64() == 100);
    CHECK(root["children"][0]["children"].Size() == 2);
}

TEST_CASE("the envelope carries the identity around the payload") {
    std::string json = envelope_json(identity(), 1'700'000'123, R"({"messages":[]})");
    rapidjson::Document document;
    document.Parse(json.c_str());
    REQUIRE(!document.HasParseError());
    CHECK(std::string(document["runtime_type"].GetString()) == "native");
    CHECK(std::string(document["app_name"].GetString()) == "checkout");
    CHECK(std::string(document["app_environment"].GetString()) == "production");
    CHECK(std::string(document["host_name"].GetString()) == "web-1");
    CHECK(document["process_id"].GetInt64() == 42);
    CHECK(std::string(document["run_id"].GetString()) == identity().run_id);
    CHECK(document["run_ts"].GetInt64() == 1'700'000'000);
    CHECK(document["sent_at"].GetInt64() == 1'700'000'123);
    CHECK(document["payload"]["messages"].IsArray());
    for (const char* key : {"runtime_version", "runtime_path", "agent_version", "app_version"})
        CHECK(document[key].IsString());
}

TEST_CASE("config answers: yes/no fields, missing agent_enabled means disabled, garbage refused") {
    std::string error;
    auto on = parse_config_response(R"({"agent_enabled":"yes","profiling_disabled":"no"})", error);
    REQUIRE(on);
    CHECK(on->agent_enabled);
    CHECK_FALSE(on->profiling_disabled);
    auto off = parse_config_response(R"({"profiling_disabled":"yes"})", error);
    REQUIRE(off);
    CHECK_FALSE(off->agent_enabled);
    CHECK(off->profiling_disabled);
    CHECK_FALSE(parse_config_response("<html>", error));
    CHECK_FALSE(parse_config_response("[1,2]", error));
    CHECK_FALSE(parse_config_response(std::string(100000, '['), error));  // no stack overflow
}

TEST_CASE("names that are not valid UTF-8 are repaired, not sent as is") {
    CHECK(valid_utf8("caf\xc3\xa9") == "caf\xc3\xa9");
    CHECK(valid_utf8("bad\xff\xfe") == "bad??");
    CHECK(valid_utf8("cut\xe2\x82") == "cut??");
}

TEST_CASE("metric ids are computed once per metric and agree with metric_id") {
    MetricIds ids(identity());
    std::string first = ids.id("state", "memory", "Current RSS", "kilobyte");
    CHECK(first == metric_id(identity(), "state", "memory", "Current RSS", "kilobyte"));
    CHECK(ids.id("state", "memory", "Current RSS", "kilobyte") == first);
    CHECK(ids.id("state", "memory", "Max RSS", "kilobyte") != first);
}

TEST_CASE("a short last period is a rate over the report interval, not over its few milliseconds",
          "[profile_metric]") {
    siagent::KindProfile block;
    block.kind = "block";
    block.profile.sample_types = {{"contentions", "count"}, {"delay", "nanoseconds"}};
    block.profile.duration_nanos = 50'000'000;  // the process lived 50 ms into the period
    siagent::Frame frame;
    frame.lines.push_back({"pthread_join", "", 0});
    block.profile.frames.push_back(frame);
    block.profile.samples.push_back({{0}, {1, 4'000'000'000}, {}});  // a 4 s wait ended in it
    siagent::MetricIds ids(identity());
    // Over its own 50 ms: 80,000 ms per second, an absurd rate.
    CHECK(siagent::profile_metric(block, ids).value == Approx(80'000));
    // With a 10 s report interval as the least period: 400 ms per second.
    CHECK(siagent::profile_metric(block, ids, 10'000'000'000).value == Approx(400));
}

TEST_CASE("num_samples counts the records captured, not the estimated objects or calls") {
    // Two sampled allocation records under main>parse stood for 4000 objects; one under
    // main>load for 1500; the estimated values stay as they are.
    Profile alloc = make_profile("alloc", {
        {{"main", "parse"}, {4000, 400'000}, {}},
        {{"main", "load"}, {1500, 900'000}, {}},
    }, 10);
    alloc.samples[0].raw_samples = 2;
    alloc.samples[1].raw_samples = 1;
    Breakdown alloc_root = build_breakdown(alloc, encoding_for_kind("alloc"));
    CHECK(alloc_root.num_samples == 3);
    CHECK(alloc_root.measurement == Approx(130'000.0));  // bytes per second, as estimated
    REQUIRE(alloc_root.children.size() == 1);
    const Breakdown* parse = child_named(alloc_root.children[0], "parse (parse.cpp:11)");
    REQUIRE(parse != nullptr);
    CHECK(parse->num_samples == 2);
    CHECK(parse->measurement == Approx(40'000.0));
    check_sums(alloc_root);

    // Block: 7 sampled calls stood for 350 estimated contentions.
    Profile block = make_profile("block", {
        {{"[lock]", "main", "wait_for_lock"}, {300, 3'000'000'000}, {{"category", "lock"}}},
        {{"main", "read_file"}, {50, 500'000'000}, {{"category", "io"}}},
    }, 1);
    block.samples[0].raw_samples = 5;
    block.samples[1].raw_samples = 2;
    Breakdown block_root = build_breakdown(block, encoding_for_kind("block"));
    CHECK(block_root.num_samples == 7);
    CHECK(block_root.measurement == Approx(3500.0));  // ms per second, as estimated
    REQUIRE(block_root.children.size() == 2);
    CHECK(block_root.children[0].name == "lock");
    const Breakdown& wait = block_root.children[0].children.at(0).children.at(0);
    CHECK(wait.name == "wait_for_lock (wait_for_lock.cpp:12)");
    CHECK(wait.num_samples == 5);
    CHECK(block_root.children[1].num_samples == 2);
    check_sums(block_root);
}

TEST_CASE("CPU num_samples stays the timer sample count; unknown raw counts fall back to it") {
    Profile cpu = make_profile("cpu", kCpuSamples, 10);
    cpu.samples[0].raw_samples = 1;  // one record of 60 merged timer expirations
    CHECK(build_breakdown(cpu, encoding_for_kind("cpu")).num_samples == 100);
    Profile alloc = make_profile("alloc", {{{"main", "work"}, {5, 5000}, {}}}, 10);
    CHECK(build_breakdown(alloc, encoding_for_kind("alloc")).num_samples == 5);
}
