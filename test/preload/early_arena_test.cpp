#include "preload/early_arena.h"

#include <catch2/catch.hpp>

#include <cerrno>
#include <cstdint>
#include <cstring>

using namespace siagent;

TEST_CASE("early arena: zeroed, aligned blocks that remember their size", "[early_arena]") {
    void* block = early_arena_allocate(40, 16);
    REQUIRE(block != nullptr);
    CHECK(reinterpret_cast<uintptr_t>(block) % 16 == 0);
    CHECK(early_arena_owns(block));
    CHECK(early_arena_block_size(block) == 40);
    auto* bytes = static_cast<unsigned char*>(block);
    for (int i = 0; i < 40; ++i) CHECK(bytes[i] == 0);

    void* page_aligned = early_arena_allocate(10, 4096);
    REQUIRE(page_aligned != nullptr);
    CHECK(reinterpret_cast<uintptr_t>(page_aligned) % 4096 == 0);
    CHECK(early_arena_block_size(page_aligned) == 10);
    memset(page_aligned, 0xff, 10);
    CHECK(early_arena_block_size(page_aligned) == 10);  // the header is below the block
}

TEST_CASE("early arena: foreign memory is not its own; exhaustion and bad alignment give ENOMEM",
          "[early_arena]") {
    int on_stack = 0;
    CHECK_FALSE(early_arena_owns(&on_stack));
    CHECK_FALSE(early_arena_owns(nullptr));
    errno = 0;
    CHECK(early_arena_allocate(size_t(1) << 30, 16) == nullptr);
    CHECK(errno == ENOMEM);
    errno = 0;
    CHECK(early_arena_allocate(8, 24) == nullptr);  // not a power of two
    CHECK(errno == ENOMEM);
}
