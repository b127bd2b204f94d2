#include "core/allocation/live_block_table.h"

#include <sys/mman.h>
#include <unistd.h>

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

namespace {

// In .bss, statically zero: no page of it is touched until a test reads or writes it.
constinit LiveBlockTable untouched_table;

// How many of the pages under the filter are mapped in this process's page tables.
size_t mapped_filter_pages(const LiveBlockTable& table) {
    const uintptr_t page = static_cast<uintptr_t>(sysconf(_SC_PAGESIZE));
    const uintptr_t begin = reinterpret_cast<uintptr_t>(table.filter()) & ~(page - 1);
    const uintptr_t end = reinterpret_cast<uintptr_t>(table.filter() + (1u << LiveBlockTable::kFilterBits));
    std::vector<unsigned char> resident((end - begin + page - 1) / page);
    REQUIRE(mincore(reinterpret_cast<void*>(begin), end - begin, resident.data()) == 0);
    size_t mapped = 0;
    for (unsigned char entry : resident) mapped += entry & 1;
    return mapped;
}

}  // namespace

TEST_CASE("live table: map_filter_pages maps every page of the filter, so that a fork child "
          "inherits them", "[live_table]") {
    const size_t pages = (static_cast<size_t>(1u << LiveBlockTable::kFilterBits) * sizeof(uint16_t)) /
                         static_cast<size_t>(sysconf(_SC_PAGESIZE));
    CHECK(mapped_filter_pages(untouched_table) < pages);  // a static table starts unmapped
    untouched_table.map_filter_pages();
    CHECK(mapped_filter_pages(untouched_table) >= pages);
    CHECK_FALSE(untouched_table.maybe_contains(0x12345670));  // still empty: only read
}
