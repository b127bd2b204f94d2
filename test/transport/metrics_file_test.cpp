#include <catch2/catch.hpp>

#include "transport/metrics_file.h"

using namespace siagent;

TEST_CASE("a metrics line is one JSON object that reads back, without the values not read") {
    MetricsSnapshot snapshot;
    snapshot.time_ns = 1'700'000'000'123'000'000;
    snapshot.rss_bytes = 123456789;
    snapshot.cpu_percent_of_one_core = 42.5;
    snapshot.threads = 7;
    snapshot.heap_in_use_bytes = 1000;
    snapshot.agent.samples = 99;
    std::string line = metrics_json_line(snapshot);
    CHECK(line.find('\n') == std::string::npos);
    MetricsLine parsed;
    std::string error;
    REQUIRE(parse_metrics_line(line, parsed, error));
    CHECK(std::get<double>(parsed.at("time_unix_ms")) == 1'700'000'000'123.0);
    CHECK(std::get<double>(parsed.at("rss_bytes")) == 123456789.0);
    CHECK(std::get<double>(parsed.at("cpu_percent_of_one_core")) == 42.5);
    CHECK(std::get<double>(parsed.at("threads")) == 7.0);
    CHECK(std::get<double>(parsed.at("heap_in_use_bytes")) == 1000.0);
    CHECK(std::get<double>(parsed.at("agent_samples")) == 99.0);
    CHECK(parsed.count("read_bytes") == 0);  // optional, not set
    CHECK(parsed.count("allocations_per_second") == 0);
    CHECK_FALSE(parse_metrics_line("[1, 2]", parsed, error));
    CHECK_FALSE(parse_metrics_line("{\"a\": ", parsed, error));
}
