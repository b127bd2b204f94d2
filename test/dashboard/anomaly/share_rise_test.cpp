// share_rises: a function's share rising is a regression only with enough reports on both
// sides, a large enough rise, and significance after the Bonferroni correction.
#include <catch2/catch.hpp>

#include "dashboard/server/anomaly/share_rise.h"

using namespace siagent::dashboard;
using namespace siagent::dashboard::anomaly;

namespace {

std::vector<FunctionShare> shares(double parse, double score, double render) {
    return {{"parse", "a.cpp", 10, parse}, {"score", "a.cpp", 20, score}, {"render", "a.cpp", 30, render}};
}

}  // namespace

TEST_CASE("share rise: a large rise over many reports is found, with before and after", "[dashboard][anomaly]") {
    auto rises = share_rises(shares(0.25, 0.55, 0.20), 10, shares(0.15, 0.35, 0.50), 10);
    REQUIRE(rises.size() == 1);
    CHECK(rises[0].function == "render");
    CHECK(rises[0].file == "a.cpp");
    CHECK(rises[0].line == 30);
    CHECK(rises[0].before == Approx(0.20));
    CHECK(rises[0].after == Approx(0.50));
    CHECK(rises[0].z > 5);
}

TEST_CASE("share rise: the same rise in small profiles is not significant", "[dashboard][anomaly]") {
    // 20 % -> 30 %: with 2 reports a side (200 effective samples each) z is about 2.3,
    // below the Bonferroni bound for 3 functions (p 0.001 / 3, z 3.4).
    CHECK(share_rises(shares(0.25, 0.55, 0.20), 2, shares(0.25, 0.45, 0.30), 2).empty());
    // With 20 reports a side, z is about 7.3.
    CHECK(share_rises(shares(0.25, 0.55, 0.20), 20, shares(0.25, 0.45, 0.30), 20).size() == 1);
    // Fewer reports than the minimum: nothing, whatever the shares.
    CHECK(share_rises(shares(0.25, 0.55, 0.20), 1, shares(0.05, 0.05, 0.90), 100).empty());
}

TEST_CASE("share rise: the samples the reports hold decide, when the agents sent them", "[dashboard][anomaly]") {
    // 20 % -> 30 % over 20 reports a side: significant at 100 samples a report (above), not
    // when the reports held 60 samples in all (a nearly idle process), again with 5,000.
    CHECK(share_rises(shares(0.25, 0.55, 0.20), SideEvidence{20, 60.0}, shares(0.25, 0.45, 0.30),
                      SideEvidence{20, 60.0}).empty());
    CHECK(share_rises(shares(0.25, 0.55, 0.20), SideEvidence{20, 5000.0}, shares(0.25, 0.45, 0.30),
                      SideEvidence{20, 5000.0}).size() == 1);
    // One side unknown: it counts 100 samples a report, the other its own.
    CHECK(share_rises(shares(0.25, 0.55, 0.20), SideEvidence{20, std::nullopt}, shares(0.25, 0.45, 0.30),
                      SideEvidence{20, 60.0}).empty());
    CHECK(share_rises(shares(0.25, 0.55, 0.20), SideEvidence{20, 0.0}, shares(0.25, 0.45, 0.30),
                      SideEvidence{20, 5000.0}).empty());
}

TEST_CASE("share rise: small rises are ignored however many samples", "[dashboard][anomaly]") {
    // +3 points is below the 5-point minimum even when it is significant.
    CHECK(share_rises(shares(0.25, 0.55, 0.20), 10000, shares(0.25, 0.52, 0.23), 10000).empty());
    // +6 points from 40 % is below the 1.25 ratio.
    std::vector<FunctionShare> before{{"hot", "b.cpp", 1, 0.40}, {"cold", "b.cpp", 2, 0.60}};
    std::vector<FunctionShare> after{{"hot", "b.cpp", 1, 0.46}, {"cold", "b.cpp", 2, 0.54}};
    CHECK(share_rises(before, 10000, after, 10000).empty());
}

TEST_CASE("share rise: a new function counts from zero, and more functions need more evidence", "[dashboard][anomaly]") {
    std::vector<FunctionShare> before{{"old", "c.cpp", 1, 1.0}};
    std::vector<FunctionShare> after{{"old", "c.cpp", 1, 0.9}, {"new", "c.cpp", 2, 0.1}};
    auto rises = share_rises(before, 5, after, 5);
    REQUIRE(rises.size() == 1);
    CHECK(rises[0].function == "new");
    CHECK(rises[0].before == 0);

    // 20 % -> 30 % over 8 reports a side (z 4.6) passes with 3 functions compared and fails
    // with 10,003 (the bound rises from z 3.4 to 5.2).
    auto many_before = shares(0.25, 0.55, 0.20);
    auto many_after = shares(0.25, 0.45, 0.30);
    for (int i = 0; i < 10000; ++i) many_before.push_back({"f" + std::to_string(i), "d.cpp", i, 0});
    CHECK(share_rises(shares(0.25, 0.55, 0.20), 8, many_after, 8).size() == 1);
    CHECK(share_rises(many_before, 8, many_after, 8).empty());
}

TEST_CASE("share rise: function shares of a call tree are self values over their sum", "[dashboard][anomaly]") {
    CallTree tree;
    const uint32_t main = tree.child(CallTree::kRoot, "main (m.cpp:1)");
    const uint32_t work = tree.child(main, "work (m.cpp:5)");
    tree.add(work, 75);
    tree.add(main, 100);
    tree.add(CallTree::kRoot, 100);
    auto list = function_shares(tree);
    REQUIRE(list.size() == 2);
    CHECK(list[0].function == "work");
    CHECK(list[0].share == Approx(0.75));
    CHECK(list[1].share == Approx(0.25));
    CHECK(function_shares(CallTree()).empty());
}
