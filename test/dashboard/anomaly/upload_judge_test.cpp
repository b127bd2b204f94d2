// UploadJudge: a save of the detectors that fails is written by the next one.
#include <catch2/catch.hpp>
#include <sqlite3.h>

#include <sstream>

#include "dashboard/server/anomaly/upload_judge.h"
#include "test/dashboard/storage_fixtures.h"

using namespace siagent::dashboard;

namespace {

// Runs one statement on the SQLite file beside the storage's own connections.
void sqlite_exec(const std::string& path, const char* sql) {
    sqlite3* db = nullptr;
    REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
    sqlite3_busy_timeout(db, 5000);
    char* error = nullptr;
    const int status = sqlite3_exec(db, sql, nullptr, nullptr, &error);
    INFO((error != nullptr ? error : ""));
    sqlite3_free(error);
    sqlite3_close(db);
    REQUIRE(status == SQLITE_OK);
}

std::vector<ReportToStore> steady_points(int64_t start, int count) {
    std::vector<ReportToStore> reports;
    for (int i = 0; i < count; ++i) {
        ReportToStore report;
        report.series = SeriesKey{"state", "memory", "RSS", "byte"};
        report.timestamp = start + i * 300;
        report.value = 100 + i % 3;
        reports.push_back(report);
    }
    return reports;
}

}  // namespace

TEST_CASE("upload judge: detectors whose save failed are saved by the next save", "[dashboard][anomaly][judging]") {
    siagent::testing::TempDatabase database;
    if (database.postgres) return;  // the failure is made on the SQLite file; the judge's logic is the same
    Storage& storage = database.storage();
    anomaly::RuleSettings rules;
    anomaly::AccountThresholds thresholds;
    int64_t now = siagent::testing::kNow;
    std::ostringstream log;
    anomaly::UploadJudge judge(storage, rules, thresholds, [&] { return now; }, log);
    judge.start(std::chrono::hours(1));  // ticks only when the test calls tick()
    REQUIRE(judge.leading());

    Envelope envelope;
    envelope.app_name = "app";
    envelope.app_environment = "prod";
    envelope.host_name = "h";
    judge.judge_now(1, ProcessKey{1, 1}, envelope, steady_points(now - 100 * 300, 100));

    sqlite_exec(database.path(), "ALTER TABLE detector_states RENAME TO detector_states_away");
    now += anomaly::UploadJudge::kSaveSeconds;
    judge.tick();
    CHECK(log.str().find("saving the anomaly detectors failed") != std::string::npos);

    sqlite_exec(database.path(), "ALTER TABLE detector_states_away RENAME TO detector_states");
    CHECK(storage.detector_states(1, "prod", "h").empty());
    now += anomaly::UploadJudge::kSaveSeconds;
    judge.tick();
    const auto saved = storage.detector_states(1, "prod", "h");
    REQUIRE(saved.size() == 1);
    CHECK(saved[0].name == "RSS");
}
