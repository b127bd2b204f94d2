#include "core/allocation/live_block_table.h"

#include <catch2/catch.hpp>

#include <atomic>
#include <memory>
#include <thread>
#include <vector>

using siagent::LiveBlockTable;

namespace {

// The table is 2 MiB of atomics: keep it off the stack.
std::unique_ptr<LiveBlockTable> make_table() { return std::make_unique<LiveBlockTable>(); }

}  // namespace

TEST_CASE("live table: inserted addresses are found, erased ones are not", "[live_table]") {
    auto table = make_table();
    CHECK_FALSE(table->maybe_contains(0x1000));
    CHECK(table->insert(0x1000));
    CHECK(table->maybe_contains(0x1000));
    CHECK(table->size() == 1);
    CHECK(table->erase(0x1000));
    CHECK_FALSE(table->erase(0x1000));
    CHECK_FALSE(table->maybe_contains(0x1000));
    CHECK(table->size() == 0);
    CHECK_FALSE(table->insert(0));  // reserved values are never stored
    CHECK_FALSE(table->insert(1));
}

TEST_CASE("live table: the filter answers 'certainly not' for most absent addresses", "[live_table]") {
    auto table = make_table();
    for (uintptr_t i = 0; i < 2000; ++i) REQUIRE(table->insert(0x7f0000000000 + i * 48));
    int maybe = 0;
    for (uintptr_t i = 0; i < 100000; ++i) maybe += table->maybe_contains(0x500000000000 + i * 64);
    // 2,000 entries over 32,768 counters: about 6 % false positives.
    CHECK(maybe < 10000);
    for (uintptr_t i = 0; i < 2000; ++i) CHECK(table->maybe_contains(0x7f0000000000 + i * 48));
}

TEST_CASE("live table: erased slots are reused, so churn never fills it", "[live_table]") {
    auto table = make_table();
    for (int round = 0; round < 50; ++round) {
        for (uintptr_t i = 0; i < 10000; ++i) REQUIRE(table->insert(0x10000 + (round * 10000 + i) * 16));
        for (uintptr_t i = 0; i < 10000; ++i) REQUIRE(table->erase(0x10000 + (round * 10000 + i) * 16));
    }
    CHECK(table->size() == 0);
}

TEST_CASE("live table: concurrent inserts and erases from 4 threads stay exact", "[live_table]") {
    auto table = make_table();
    std::atomic<int> failures{0};
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([&, t] {
            // Each thread owns its addresses (as each block has one owner), interleaved with
            // the others' in the table.
            for (int round = 0; round < 200; ++round) {
                for (uintptr_t i = 0; i < 500; ++i) {
                    uintptr_t address = 0x100000 + ((i * 4 + t) << 4);
                    if (!table->insert(address)) failures++;
                }
                for (uintptr_t i = 0; i < 500; ++i) {
                    uintptr_t address = 0x100000 + ((i * 4 + t) << 4);
                    if (!table->maybe_contains(address) || !table->erase(address)) failures++;
                }
            }
        });
    }
    for (auto& thread : threads) thread.join();
    CHECK(failures == 0);
    CHECK(table->size() == 0);
    for (uintptr_t i = 0; i < 2000; ++i) CHECK_FALSE(table->maybe_contains(0x100000 + (i << 4)));
}
