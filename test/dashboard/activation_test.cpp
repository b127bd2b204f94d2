#include "dashboard/server/model/activation.h"

#include <catch2/catch.hpp>

#include <set>

using namespace siagent::dashboard;

TEST_CASE("capacity: all by default, at most N or P percent", "[dashboard][activation]") {
    CHECK(activation_capacity(7, AppSettings{}) == 7);
    CHECK(activation_capacity(7, AppSettings{3, std::nullopt}) == 3);
    CHECK(activation_capacity(7, AppSettings{std::nullopt, 50.0}) == 4);  // ceil(3.5)
    CHECK(activation_capacity(7, AppSettings{2, 50.0}) == 2);
    CHECK(activation_capacity(3, AppSettings{std::nullopt, 1.0}) == 1);  // never zero while any is live
    CHECK(activation_capacity(0, AppSettings{2, std::nullopt}) == 0);
}

TEST_CASE("rotation: every process gets its turn, capacity respected", "[dashboard][activation]") {
    const std::vector<int64_t> ids = {11, 12, 13, 14, 15};
    std::set<int64_t> seen;
    for (int64_t window = 0; window < 3; ++window) {  // ceil(5 / 2) windows
        auto active = active_processes(ids, 2, window);
        CHECK(active.size() == 2);
        CHECK(std::is_sorted(active.begin(), active.end()));
        seen.insert(active.begin(), active.end());
    }
    CHECK(seen.size() == ids.size());
    CHECK(active_processes(ids, 2, 7) == active_processes(ids, 2, 7));  // no hidden state
    CHECK(active_processes(ids, 5, 3) == ids);
    CHECK(active_processes(ids, 9, 3) == ids);
}
