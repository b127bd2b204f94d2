#include "dashboard/server/notify/incident_gate.h"

#include <catch2/catch.hpp>

using namespace siagent::dashboard::notify;

TEST_CASE("incident gate: one notification per rule until it has been quiet for the cooldown",
          "[dashboard][notify]") {
    IncidentGate gate(3600);
    CHECK(gate.opens("app1/metric/memory/RSS", 1000));
    CHECK_FALSE(gate.opens("app1/metric/memory/RSS", 1000));
    CHECK_FALSE(gate.opens("app1/metric/memory/RSS", 1000 + 3599));
    // Each anomaly extends the incident: a rule flapping every 50 minutes stays one incident.
    CHECK_FALSE(gate.opens("app1/metric/memory/RSS", 1000 + 3599 + 3000));
    CHECK(gate.opens("app1/metric/memory/RSS", 1000 + 3599 + 3000 + 3600));
    // Rules are independent.
    CHECK(gate.opens("app1/metric/cpu/CPU usage", 1001));
    CHECK(gate.opens("app2/metric/memory/RSS", 1001));
    CHECK(gate.open_incidents() == 3);
}

TEST_CASE("incident gate: bounded, forgetting the oldest incidents first", "[dashboard][notify]") {
    IncidentGate gate(3600, 100);
    for (int i = 0; i < 100; ++i) CHECK(gate.opens("rule" + std::to_string(i), i));
    CHECK(gate.open_incidents() == 100);
    CHECK(gate.opens("rule-new", 200));
    CHECK(gate.open_incidents() <= 100);
    CHECK_FALSE(gate.opens("rule99", 201));  // recent ones are kept
    CHECK(gate.opens("rule0", 202));         // the oldest was forgotten: notifies again
}
