// Storage's judging queue, lease and saved detectors (model/storage.h, "Judging"), on
// SQLite and, under scripts/with-postgres, PostgreSQL: an upload is queued in the
// transaction that stores it, read back oldest first and forgotten by id; on PostgreSQL one
// instance at a time holds the lease, and the next takes it once the holder is gone.
#include <catch2/catch.hpp>

#include "test/dashboard/storage_fixtures.h"

using namespace siagent::dashboard;
using namespace siagent::testing;

TEST_CASE("storage: uploads are queued with their reports and judged in order", "[dashboard][storage][judging]") {
    TempDatabase db;
    Storage& storage = db.storage();
    const int64_t account = storage.create_account("a", kNow).value();
    const ProcessKey process = storage.record_process(account, envelope("demo", "h", 1), kNow);
    REQUIRE(storage.hold_judging_lease());
    storage.store_reports(process, {cpu_report(kNow, 1, 1)});  // nothing to judge: not queued
    CHECK(storage.queued_uploads(10).empty());
    const std::string binary("first\0\xff", 7);
    storage.store_reports(process, {cpu_report(kNow + 1, 1, 1)}, binary);
    storage.store_reports(process, {cpu_report(kNow + 2, 1, 1)}, "second");
    storage.store_reports(process, {cpu_report(kNow + 3, 1, 1)}, "third");
    auto queued = storage.queued_uploads(2);
    REQUIRE(queued.size() == 2);
    CHECK(queued[0].payload == binary);
    CHECK(queued[1].payload == "second");
    CHECK(queued[0].id < queued[1].id);
    storage.forget_queued_uploads({queued[0].id});
    queued = storage.queued_uploads(10);
    REQUIRE(queued.size() == 2);
    CHECK(queued[0].payload == "second");
    CHECK(queued[1].payload == "third");
    storage.forget_queued_uploads({queued[0].id, queued[1].id});
    CHECK(storage.queued_uploads(10).empty());
    storage.forget_queued_uploads({});
}

TEST_CASE("storage: detector states are saved per series, replaced, and expire with retention",
          "[dashboard][storage][judging]") {
    TempDatabase db;
    Storage& storage = db.storage();
    storage.save_detector_states({DetectorState{1, "prod", "h", "memory", "RSS", std::string("a\0b", 3)},
                                  DetectorState{1, "prod", "h", "cpu", "CPU usage", "c"},
                                  DetectorState{1, "prod", "other", "memory", "RSS", "d"},
                                  DetectorState{2, "prod", "h", "memory", "RSS", "e"}},
                                 kNow);
    storage.save_detector_states({DetectorState{1, "prod", "h", "memory", "RSS", "newer"}}, kNow + 100);
    auto states = storage.detector_states(1, "prod", "h");
    REQUIRE(states.size() == 2);
    std::map<std::string, std::string> by_name;
    for (const DetectorState& state : states) {
        CHECK(state.app_id == 1);
        CHECK(state.environment == "prod");
        CHECK(state.host == "h");
        by_name[state.category + "/" + state.name] = state.state;
    }
    CHECK(by_name["memory/RSS"] == "newer");
    CHECK(by_name["cpu/CPU usage"] == "c");
    CHECK(storage.detector_states(1, "test", "h").empty());
    storage.delete_before(kNow + 50, kNow + 50);  // saved before the cutoff: gone
    states = storage.detector_states(1, "prod", "h");
    REQUIRE(states.size() == 1);
    CHECK(states[0].state == "newer");
    CHECK(storage.detector_states(2, "prod", "h").empty());
}

TEST_CASE("storage: one instance at a time holds the judging lease", "[dashboard][storage][judging]") {
    TempDatabase db;
    auto first = db.open();
    auto second = db.open();
    CHECK(first->hold_judging_lease());
    CHECK(first->hold_judging_lease());  // kept
    if (!db.postgres) {
        CHECK(second->hold_judging_lease());  // SQLite: one process owns the store
        return;
    }
    CHECK_FALSE(second->hold_judging_lease());
    CHECK_THROWS(second->queued_uploads(10));  // only the holder reads the queue
    CHECK_THROWS(second->forget_queued_uploads({1}));
    first.reset();  // the holder ends, and its session with it
    CHECK(second->hold_judging_lease());
    CHECK(second->queued_uploads(10).empty());
}
