#include <catch2/catch.hpp>

#include <stdexcept>
#include <thread>
#include <vector>

#include "core/error/error_aggregator.h"
#include "core/error/error_profiler.h"
#include "core/error/throw_counts.h"

using namespace siagent;

TEST_CASE("ThrowCounts counts every throw per (type, site) exactly across threads") {
    static ThrowCounts counts;
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t) {
        threads.emplace_back([] {
            for (int i = 0; i < 10000; ++i) counts.count(0x1000 + (i % 3) * 8, 0x2000 + (i % 5), "T");
        });
    }
    for (auto& thread : threads) thread.join();
    uint64_t total = 0;
    size_t keys = 0;
    counts.for_each([&](size_t, const ThrowSlot& slot) {
        total += slot.count.load();
        ++keys;
        CHECK(std::string(slot.type_name) == "T");
    });
    CHECK(total == 40000);
    CHECK(keys >= 15);  // 3 types x 5 sites (a race may add a duplicate slot, never lose a count)
    CHECK(counts.full_misses() == 0);
}

TEST_CASE("ThrowCounts is bounded and counts what does not fit") {
    static ThrowCounts counts;
    for (uintptr_t site = 1; site <= ThrowCounts::kSlots + 10; ++site) counts.count(1, site, "long name");
    uint64_t total = 0;
    counts.for_each([&](size_t, const ThrowSlot& slot) { total += slot.count.load(); });
    CHECK(total + counts.full_misses() == ThrowCounts::kSlots + 10);
    CHECK(counts.full_misses() >= 10);
}

TEST_CASE("split_by_weight sums exactly to the total and follows the weights") {
    CHECK(split_by_weight(10, {1, 1}) == std::vector<int64_t>{5, 5});
    CHECK(split_by_weight(10, {1, 2}) == std::vector<int64_t>{3, 7});
    CHECK(split_by_weight(1, {1, 1, 1}) == std::vector<int64_t>{1, 0, 0});
    auto shares = split_by_weight(1000003, {0.3, 17.5, 2.25, 100});
    int64_t sum = 0;
    for (int64_t share : shares) sum += share;
    CHECK(sum == 1000003);
    CHECK(split_by_weight(5, {}).empty());
}

TEST_CASE("what() is read only from types that derive from std::exception, cut to the buffer") {
    struct Derived : std::runtime_error {
        Derived() : std::runtime_error("derived text") {}
    };
    struct NotAnException {
        const char* what() const { return "must not be called"; }
    };
    Derived derived;
    NotAnException other;
    int number = 7;
    char buffer[kMaxErrorMessageBytes + 1];
    CHECK(copy_exception_message(&derived, &typeid(Derived), buffer, sizeof buffer));
    CHECK(std::string(buffer) == "derived text");
    CHECK_FALSE(copy_exception_message(&other, &typeid(NotAnException), buffer, sizeof buffer));
    CHECK(std::string(buffer).empty());
    CHECK_FALSE(copy_exception_message(&number, &typeid(int), buffer, sizeof buffer));
    std::runtime_error long_error(std::string(1000, 'y'));
    CHECK(copy_exception_message(&long_error, &typeid(std::runtime_error), buffer, sizeof buffer));
    CHECK(std::string(buffer) == std::string(256, 'y'));
}

TEST_CASE("type names are demangled") {
    CHECK(demangle_type_name("St13runtime_error") == "std::runtime_error");
    CHECK(demangle_type_name("i") == "int");
    CHECK(demangle_type_name("not a type (") == "not a type (");
}
