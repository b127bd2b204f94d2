#include "dashboard/server/anomaly/csv_series.h"

#include <catch2/catch.hpp>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "test/integration/process_runner.h"

using namespace siagent::dashboard;
using namespace siagent::dashboard::anomaly;

namespace {

Result<CsvSummary> score(const std::string& text, std::string* output = nullptr) {
    std::istringstream in(text);
    std::ostringstream out;
    auto summary = score_csv(in, out);
    if (output) *output = out.str();
    return summary;
}

// Five-minute points from 2024-01-01 00:00:00: a daily cycle, noise, and one spike.
std::string generated_csv(int points, int spike_at) {
    std::string text = "timestamp,value\n";
    char line[64];
    uint32_t noise = 12345;
    for (int i = 0; i < points; ++i) {
        noise = noise * 1103515245 + 12345;
        const double value = 50 + 10 * std::sin(i * 2 * M_PI / 288) + (noise >> 16) % 100 / 50.0 + (i == spike_at ? 80 : 0);
        const int minutes = i * 5;
        std::snprintf(line, sizeof line, "2024-01-%02d %02d:%02d:00,%.3f\n", 1 + minutes / 1440, minutes / 60 % 24,
                      minutes % 60, value);
        text += line;
    }
    return text;
}

}  // namespace

TEST_CASE("timestamps", "[anomaly][csv]") {
    CHECK(parse_timestamp("1970-01-01 00:00:00") == 0);
    CHECK(parse_timestamp("2014-07-01 00:05:00") == 1404173100);
    CHECK(parse_timestamp("2014-07-01T00:05:00") == 1404173100);
    CHECK(parse_timestamp("2014-07-01 00:05:00.000000") == 1404173100);
    CHECK(parse_timestamp("\"2024-02-29 23:59:59\"") == 1709251199);
    CHECK_FALSE(parse_timestamp("2014-07-01"));
    CHECK_FALSE(parse_timestamp("2014-13-01 00:00:00"));
    CHECK_FALSE(parse_timestamp("2014-07-01 24:00:00"));
    CHECK_FALSE(parse_timestamp("07/01/2014 00:05:00"));
    CHECK_FALSE(parse_timestamp("2014-07-01 00:05:00junk"));
}

TEST_CASE("one output row per input row, the spike labelled", "[anomaly][csv]") {
    std::string output;
    auto summary = score(generated_csv(3000, 2500), &output);
    REQUIRE(summary);
    CHECK(summary->rows == 3000);
    std::istringstream lines(output);
    std::string line;
    std::getline(lines, line);
    CHECK(line == "timestamp,value,anomaly_score,label");
    int rows = 0, labelled = 0;
    while (std::getline(lines, line)) {
        ++rows;
        if (line.back() == '1') {
            ++labelled;
            CHECK(line.rfind("2024-01-09 16:20:00,", 0) == 0);  // point 2500
        }
    }
    CHECK(rows == 3000);
    CHECK(labelled == 1);
}

TEST_CASE("bad files give errors naming the line", "[anomaly][csv]") {
    const std::pair<const char*, const char*> cases[] = {
        {"", "header"},
        {"2024-01-01 00:00:00,1\n", "line 1: expected the header"},
        {"timestamp,value\n\n", "no data rows"},
        {"timestamp,value\n2024-01-01 00:00:00,1\n2024-01-01 0:05:00,2\n", "line 3: bad timestamp"},
        {"timestamp,value\n2024-01-01 00:00:00,abc\n", "line 2: bad value"},
        {"timestamp,value\n2024-01-01 00:00:00\n", "line 2: expected timestamp,value"},
    };
    for (const auto& [text, reason] : cases) {
        INFO(text);
        auto summary = score(text);
        REQUIRE_FALSE(summary);
        CHECK(summary.failure().reason.find(reason) != std::string::npos);
    }
}

TEST_CASE("NaN, empty values and repeated timestamps are scored 0 and kept", "[anomaly][csv]") {
    std::string output;
    auto summary = score("\xEF\xBB\xBFtimestamp,value\r\n2024-01-01 00:00:00,1\r\n2024-01-01 00:05:00,nan\r\n"
                         "2024-01-01 00:05:00,\r\n2024-01-01 00:05:00,2\r\n2024-01-01 00:05:00,3\r\n"
                         "2024-01-01 00:01:00,inf\r\n",
                         &output);
    REQUIRE(summary);
    CHECK(summary->rows == 6);
    CHECK(summary->invalid_values == 3);
    CHECK(summary->out_of_order == 1);
    CHECK(output.find("2024-01-01 00:05:00,nan,0.000000,0\n") != std::string::npos);
}

TEST_CASE("siagent-dashboard anomalies --csv on a generated file", "[anomaly][csv][cli]") {
    const char* binary = std::getenv("SIAGENT_DASHBOARD");
    if (!binary) {
        WARN("SIAGENT_DASHBOARD not set (meson sets it): not run");
        return;
    }
    siagent::testing::TemporaryDirectory directory;
    const std::string path = directory.path() + "/series.csv";
    std::ofstream(path) << generated_csv(3000, 2500);

    auto run = siagent::testing::run({binary, "anomalies", "--csv", path}, {});
    REQUIRE(run.exit_code == 0);
    CHECK(run.out.rfind("timestamp,value,anomaly_score,label\n", 0) == 0);
    const size_t spike = run.out.find("2024-01-09 16:20:00,");
    REQUIRE(spike != std::string::npos);
    CHECK(run.out.substr(run.out.find('\n', spike) - 2, 2) == ",1");
    CHECK(run.out.find(",1\n") == run.out.rfind(",1\n"));  // the only label

    std::ofstream(path) << "timestamp,value\n2024-01-01 00:00:00,1\nyesterday,2\n";
    auto bad = siagent::testing::run({binary, "anomalies", "--csv", path}, {});
    CHECK(bad.exit_code == 1);
    CHECK(bad.err.find("line 3: bad timestamp 'yesterday'") != std::string::npos);

    auto missing = siagent::testing::run({binary, "anomalies", "--csv", directory.path() + "/none.csv"}, {});
    CHECK(missing.exit_code == 1);
    CHECK(missing.err.find("cannot read") != std::string::npos);
}
