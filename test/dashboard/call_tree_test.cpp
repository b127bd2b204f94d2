#include "dashboard/server/model/call_tree.h"

#include <catch2/catch.hpp>

#include "dashboard/server/model/hotspots.h"

using namespace siagent::dashboard;

namespace {

// root -> main -> {burn: 60, idle: 10}, main self 5
CallTree sample() {
    CallTree tree;
    const uint32_t main = tree.child(CallTree::kRoot, "main (a.cpp:1)");
    tree.add(tree.child(main, "burn (a.cpp:5)"), 60);
    tree.add(tree.child(main, "idle (a.cpp:9)"), 10);
    tree.add(main, 75);
    tree.add(CallTree::kRoot, 75);
    return tree;
}

double value_at(const CallTree& tree, std::vector<std::string> path) {
    uint32_t node = CallTree::kRoot;
    for (const auto& name : path) {
        bool found = false;
        for (uint32_t candidate = 1; candidate < tree.size(); ++candidate) {
            if (tree.parent(candidate) == node && tree.name(candidate) == name) {
                node = candidate;
                found = true;
                break;
            }
        }
        if (!found) return -1;
    }
    return tree.value(node);
}

}  // namespace

TEST_CASE("siblings of one name fold into one node", "[dashboard][tree]") {
    CallTree tree;
    const uint32_t a = tree.child(CallTree::kRoot, "f (x.go:1)");
    const uint32_t b = tree.child(CallTree::kRoot, "f (x.go:1)");
    CHECK(a == b);
    CHECK(tree.size() == 2);
}

TEST_CASE("merging adds values by path and scales", "[dashboard][tree]") {
    CallTree merged;
    merged.merge(sample());
    merged.merge(sample(), 2.0);
    CHECK(value_at(merged, {"main (a.cpp:1)", "burn (a.cpp:5)"}) == Approx(180));
    CHECK(value_at(merged, {"main (a.cpp:1)"}) == Approx(225));
    merged.scale(1.0 / 3);
    CHECK(merged.value(CallTree::kRoot) == Approx(75));
}

TEST_CASE("make_inclusive raises parents to their children's sum", "[dashboard][tree]") {
    CallTree tree;
    const uint32_t main = tree.child(CallTree::kRoot, "main");
    tree.add(tree.child(main, "a"), 3);
    tree.add(tree.child(main, "b"), 4);
    tree.make_inclusive();
    CHECK(tree.value(main) == 7);
    CHECK(tree.value(CallTree::kRoot) == 7);
}

TEST_CASE("encoded trees round-trip and merge without decoding first", "[dashboard][tree]") {
    const std::string blob = sample().encode();
    auto decoded = CallTree::decode(blob, 1000);
    REQUIRE(decoded);
    CHECK(decoded->size() == 4);
    CHECK(value_at(*decoded, {"main (a.cpp:1)", "idle (a.cpp:9)"}) == 10);
    CallTree into = sample();
    REQUIRE(CallTree::merge_encoded(blob, 1000, 0.5, into));
    CHECK(value_at(into, {"main (a.cpp:1)", "burn (a.cpp:5)"}) == Approx(90));
    CHECK_FALSE(CallTree::decode(blob.substr(0, blob.size() - 3), 1000));
    CHECK_FALSE(CallTree::decode(blob, 2));  // more nodes than allowed
    // The root's value alone, as the profile timeline reads it, refused where decode is.
    const auto root = CallTree::encoded_root_value(blob, 1000);
    REQUIRE(root);
    CHECK(*root == Approx(decoded->value(CallTree::kRoot)));
    CHECK_FALSE(CallTree::encoded_root_value(blob.substr(0, blob.size() - 3), 1000));
    CHECK_FALSE(CallTree::encoded_root_value(blob, 2));
}

TEST_CASE("hot spots: self and total per function, recursion counted once", "[dashboard][hotspots]") {
    CallTree tree;
    const uint32_t main = tree.child(CallTree::kRoot, "main (a.cpp:1)");
    const uint32_t outer = tree.child(main, "fib (a.cpp:3)");
    const uint32_t inner = tree.child(outer, "fib (a.cpp:4)");
    tree.add(inner, 30);
    tree.add(outer, 50);  // 20 self at line 3
    tree.add(tree.child(main, "parse (b.cpp:8)"), 40);
    tree.add(main, 100);  // 10 self
    tree.add(CallTree::kRoot, 100);
    auto spots = hotspots(tree, 10);
    REQUIRE(spots.size() == 3);
    CHECK(spots[0].function == "fib");
    CHECK(spots[0].self == Approx(50));
    CHECK(spots[0].total == Approx(50));  // not 80: the inner frame is on a stack with the outer
    CHECK(spots[0].line == 4);            // the line with the most self
    CHECK(spots[1].function == "parse");
    CHECK(spots[1].file == "b.cpp");
    CHECK(spots[2].function == "main");
    CHECK(spots[2].self == Approx(10));
    CHECK(spots[2].total == Approx(100));
}
