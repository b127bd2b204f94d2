#include "dashboard/server/notify/incident_gate.h"

#include <atomic>
#include <thread>
#include <vector>

#include <catch2/catch.hpp>

#include "test/dashboard/storage_fixtures.h"

using namespace siagent::dashboard::notify;
using siagent::testing::TempDatabase;

TEST_CASE("incident gate: one notification per rule until it has been quiet for the cooldown",
          "[dashboard][notify]") {
    TempDatabase db;
    IncidentGate gate(db.storage(), 3600);
    CHECK(gate.opens("app1/metric/memory/RSS", 1000));
    CHECK_FALSE(gate.opens("app1/metric/memory/RSS", 1000));
    CHECK_FALSE(gate.opens("app1/metric/memory/RSS", 1000 + 3599));
    // Each anomaly extends the incident: a rule flapping every 50 minutes stays one incident.
    CHECK_FALSE(gate.opens("app1/metric/memory/RSS", 1000 + 3599 + 3000));
    CHECK(gate.opens("app1/metric/memory/RSS", 1000 + 3599 + 3000 + 3600));
    // Rules are independent.
    CHECK(gate.opens("app1/metric/cpu/CPU usage", 1001));
    CHECK(gate.opens("app2/metric/memory/RSS", 1001));
}

TEST_CASE("incident gate: instances on one database share incidents; the same rule at once opens one",
          "[dashboard][notify]") {
    TempDatabase db;
    auto first_storage = db.open();
    auto second_storage = db.open();
    IncidentGate first(*first_storage, 3600);
    IncidentGate second(*second_storage, 3600);
    CHECK(first.opens("app1/metric/memory/RSS", 1000));
    CHECK_FALSE(second.opens("app1/metric/memory/RSS", 1010));
    // Restarted: the open incident is remembered.
    auto restarted_storage = db.open();
    IncidentGate restarted(*restarted_storage, 3600);
    CHECK_FALSE(restarted.opens("app1/metric/memory/RSS", 1020));
    // Many rules flagged by both instances at the same moment: each opens exactly once.
    std::atomic<int> opened{0};
    auto flag_all = [&](IncidentGate& gate) {
        for (int rule = 0; rule < 50; ++rule)
            if (gate.opens("spike/" + std::to_string(rule), 5000)) ++opened;
    };
    std::thread a([&] { flag_all(first); });
    std::thread b([&] { flag_all(second); });
    a.join();
    b.join();
    CHECK(opened == 50);
}

TEST_CASE("incident gate: rules quiet for the cooldown are forgotten", "[dashboard][notify]") {
    TempDatabase db;
    IncidentGate gate(db.storage(), 60);
    for (int rule = 0; rule < 200; ++rule) CHECK(gate.opens("rule" + std::to_string(rule), 1000 + rule));
    // The table holds the last minute's rules only (each call forgets the quiet ones).
    CHECK(gate.opens("late", 1000 + 200 + 60));
    CHECK(gate.opens("rule0", 1000 + 200 + 61));
    CHECK_FALSE(gate.opens("late", 1000 + 200 + 62));
    if (db.postgres) return;
    siagent::dashboard::sqlite::Connection connection(db.path(), false);
    auto rows = connection.prepare("SELECT COUNT(*) FROM incident_rules");
    REQUIRE(rows.step());
    CHECK(rows.integer(0) == 2);  // "late" and "rule0": the 199 others were quiet for a minute
}
