// The shared hot-spot definition (core/hotspot_ranking.h), on the cases the web UI's own
// table is tested with (dashboard/web/test/unit/hotspots.test.mjs).
#include <catch2/catch.hpp>

#include <string>
#include <vector>

#include "core/hotspot_ranking.h"

using siagent::HotspotOrder;
using siagent::HotspotTotals;
using siagent::rank_hotspots;

namespace {

enum Function : uint32_t { kMain, kHandle, kRender, kLeaf, kA, kB, kWalk };
const std::vector<std::string> kNames = {"main", "handle", "render", "leaf", "a", "b", "walk"};

std::vector<std::string> ranked(const HotspotTotals& totals, HotspotOrder order) {
    std::vector<std::string> names;
    for (uint32_t id : rank_hotspots(totals, order, [](uint32_t f) { return kNames[f]; }))
        names.push_back(kNames[id]);
    return names;
}

struct Node {
    uint32_t function;
    double value;
    double self;
};

// One path of a tree walked depth first: each node entered, then all left, innermost first.
void walk_path(HotspotTotals& totals, const std::vector<Node>& outermost_first) {
    for (const Node& node : outermost_first) totals.enter(node.function, node.value, node.self);
    for (auto node = outermost_first.rbegin(); node != outermost_first.rend(); ++node)
        totals.leave(node->function);
}

// main (10) -> handle (8) -> render (6): selves 2, 2, 6; walked as a tree.
HotspotTotals chain_as_tree() {
    HotspotTotals totals;
    walk_path(totals, {{kMain, 10, 2}, {kHandle, 8, 2}, {kRender, 6, 6}});
    return totals;
}

}  // namespace

TEST_CASE("self is the value not in children, total the inclusive value") {
    HotspotTotals totals = chain_as_tree();
    CHECK(totals.self(kMain) == 2);
    CHECK(totals.total(kMain) == 10);
    CHECK(totals.self(kHandle) == 2);
    CHECK(totals.total(kHandle) == 8);
    CHECK(totals.self(kRender) == 6);
    CHECK(totals.total(kRender) == 6);
}

TEST_CASE("stacks give the same totals as the tree they make") {
    HotspotTotals totals;
    const std::vector<uint32_t> main_only = {kMain};
    const std::vector<uint32_t> to_handle = {kHandle, kMain};
    const std::vector<uint32_t> to_render = {kRender, kHandle, kMain};
    totals.add_stack(main_only, 2);
    totals.add_stack(to_handle, 2);
    totals.add_stack(to_render, 6);
    HotspotTotals tree = chain_as_tree();
    for (uint32_t f : {kMain, kHandle, kRender}) {
        CHECK(totals.self(f) == tree.self(f));
        CHECK(totals.total(f) == tree.total(f));
    }
}

TEST_CASE("a function reached by two paths adds up") {
    HotspotTotals totals;
    walk_path(totals, {{kA, 4, 0}, {kLeaf, 4, 4}});
    walk_path(totals, {{kB, 6, 1}, {kLeaf, 5, 5}});
    CHECK(totals.self(kLeaf) == 9);
    CHECK(totals.total(kLeaf) == 9);
    CHECK(totals.self(kB) == 1);
}

TEST_CASE("recursion counts a function's total once, in a tree and in a stack") {
    HotspotTotals tree;
    walk_path(tree, {{kWalk, 8, 2}, {kWalk, 6, 3}, {kWalk, 3, 3}});
    CHECK(tree.total(kWalk) == 8);
    CHECK(tree.self(kWalk) == 8);

    HotspotTotals stacks;
    const std::vector<uint32_t> recursive = {kWalk, kWalk, kWalk, kMain};
    stacks.add_stack(recursive, 5);
    CHECK(stacks.total(kWalk) == 5);
    CHECK(stacks.self(kWalk) == 5);
    CHECK(stacks.total(kMain) == 5);
    CHECK(stacks.self(kMain) == 0);
}

TEST_CASE("ranked by self, then total, then name; or by total first") {
    HotspotTotals totals = chain_as_tree();
    CHECK(ranked(totals, HotspotOrder::by_self) == std::vector<std::string>{"render", "main", "handle"});
    CHECK(ranked(totals, HotspotOrder::by_total) == std::vector<std::string>{"main", "handle", "render"});

    HotspotTotals tied;
    const std::vector<uint32_t> b = {kB};
    const std::vector<uint32_t> a = {kA};
    tied.add_stack(b, 3);
    tied.add_stack(a, 3);
    CHECK(ranked(tied, HotspotOrder::by_self) == std::vector<std::string>{"a", "b"});
}

TEST_CASE("functions without value are not ranked") {
    HotspotTotals totals(8);
    const std::vector<uint32_t> leaf = {kLeaf};
    totals.add_stack(leaf, 1);
    CHECK(ranked(totals, HotspotOrder::by_self) == std::vector<std::string>{"leaf"});
}
