#include "core/symbols/symbolizer.h"

#include <catch2/catch.hpp>

#include <unistd.h>

#include <string>

using siagent::Frame;
using siagent::Symbolizer;

namespace {

// Where the call below returns to: an address inside whichever function called it.
__attribute__((noinline)) uint64_t return_address_of_caller() {
    return reinterpret_cast<uint64_t>(__builtin_return_address(0));
}

int line_of_outer_call = 0;
int line_of_inner_call = 0;

// Each call below is followed by a compiler barrier so that it is a real call, not a tail
// jump: the return address must lie inside the calling function.
__attribute__((noinline)) uint64_t plain_function() {
    line_of_outer_call = __LINE__ + 1;
    uint64_t address = return_address_of_caller();
    asm volatile("" ::: "memory");
    return address;
}

__attribute__((always_inline)) inline uint64_t inlined_helper() {
    line_of_inner_call = __LINE__ + 1;
    uint64_t address = return_address_of_caller();
    asm volatile("" ::: "memory");
    return address;
}

__attribute__((noinline)) uint64_t function_with_inlined_call() {
    line_of_outer_call = __LINE__ + 1;
    uint64_t address = inlined_helper();
    asm volatile("" ::: "memory");
    return address;
}

bool ends_with(const std::string& text, const std::string& suffix) {
    return text.size() >= suffix.size() && text.compare(text.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

TEST_CASE("demangle turns C++ symbols into readable names and leaves others alone") {
    CHECK(siagent::demangle("_Z6burn_ai") == "burn_a(int)");
    CHECK(siagent::demangle("_ZN2ns5Klass6methodEv") == "ns::Klass::method()");
    CHECK(siagent::demangle("malloc") == "malloc");
    CHECK(siagent::demangle("_Zbogus") == "_Zbogus");
    CHECK(siagent::demangle(nullptr).empty());
    CHECK(siagent::demangle("__libc_start_main@@GLIBC_2.34") == "__libc_start_main");
    CHECK(siagent::demangle("_Z6burn_ai@VERS_1") == "burn_a(int)");
    CHECK(siagent::demangle("@") == "@");
}

TEST_CASE("a call site resolves to its function, file and line") {
    Symbolizer symbolizer;
    uint64_t address = plain_function() - 1;
    const Frame& frame = symbolizer.resolve(address);
    REQUIRE(frame.lines.size() == 1);
    CHECK(frame.lines[0].function == "(anonymous namespace)::plain_function()");
    CHECK(ends_with(frame.lines[0].file, "test/core/symbolizer_test.cpp"));
    CHECK(frame.lines[0].line == line_of_outer_call);
    REQUIRE(frame.mapping_index >= 1);
    const auto& mapping = symbolizer.mappings().at(frame.mapping_index - 1);
    CHECK(ends_with(mapping.path, "core_tests"));
    CHECK(mapping.start <= address);
    CHECK(address < mapping.limit);
    CHECK_FALSE(mapping.build_id.empty());
}

TEST_CASE("inlined code resolves to the inlined function first, then its caller") {
    Symbolizer symbolizer;
    const Frame& frame = symbolizer.resolve(function_with_inlined_call() - 1);
    REQUIRE(frame.lines.size() == 2);
    // No linkage name for an internal function: the qualified name, without parameters.
    CHECK(frame.lines[0].function == "(anonymous namespace)::inlined_helper");
    CHECK(frame.lines[0].line == line_of_inner_call);
    CHECK(frame.lines[1].function == "(anonymous namespace)::function_with_inlined_call()");
    CHECK(frame.lines[1].line == line_of_outer_call);
}

TEST_CASE("a library function without debug info resolves by its symbol") {
    Symbolizer symbolizer;
    const Frame& frame = symbolizer.resolve(reinterpret_cast<uint64_t>(&getpid));
    REQUIRE_FALSE(frame.lines.empty());
    CHECK(frame.lines.back().function.find("getpid") != std::string::npos);
    REQUIRE(frame.mapping_index >= 1);
    CHECK(symbolizer.mappings().at(frame.mapping_index - 1).path.find("libc") != std::string::npos);
}

TEST_CASE("an address outside every module resolves to nothing, without failing") {
    Symbolizer symbolizer;
    const Frame& frame = symbolizer.resolve(0x10);
    CHECK(frame.lines.empty());
    CHECK(frame.mapping_index == 0);
    CHECK(frame.address == 0x10);
}

TEST_CASE("results are cached: the same address gives the same frame object") {
    Symbolizer symbolizer;
    uint64_t address = plain_function() - 1;
    const Frame* first = &symbolizer.resolve(address);
    CHECK(first == &symbolizer.resolve(address));
}

TEST_CASE("noted addresses wait while no reader is loaded, and are resolved together") {
    Symbolizer symbolizer;
    uint64_t address = plain_function() - 1;
    // A new symbolizer has no reader yet: noting queues the address and loads nothing.
    symbolizer.note(address);
    symbolizer.note(address);
    CHECK_FALSE(symbolizer.holds_debug_info());
    CHECK(symbolizer.pending() == 2);
    symbolizer.resolve_pending();
    CHECK(symbolizer.pending() == 0);
    CHECK(symbolizer.holds_debug_info());
    // With the reader loaded, a new address is resolved at once.
    uint64_t other = function_with_inlined_call() - 1;
    symbolizer.note(other);
    CHECK(symbolizer.pending() == 0);
    const Frame& frame = symbolizer.resolve(address);
    REQUIRE(!frame.lines.empty());
    CHECK(frame.lines.back().function.find("plain_function") != std::string::npos);
}

TEST_CASE("the reader is let go once idle and made again by the next new address") {
    Symbolizer symbolizer;
    uint64_t address = plain_function() - 1;
    symbolizer.resolve(address);
    REQUIRE(symbolizer.holds_debug_info());
    auto now = std::chrono::steady_clock::now();
    CHECK_FALSE(symbolizer.release_debug_info_if_idle(now, std::chrono::hours(1)));
    CHECK(symbolizer.holds_debug_info());
    CHECK(symbolizer.release_debug_info_if_idle(now + std::chrono::seconds(3), std::chrono::seconds(2)));
    CHECK_FALSE(symbolizer.holds_debug_info());
    // Answers already given stay; a known address needs no reader.
    CHECK(symbolizer.resolve(address).lines.back().function.find("plain_function") != std::string::npos);
    CHECK_FALSE(symbolizer.holds_debug_info());
    // A new one makes a reader again, with the same module numbering.
    uint32_t mapping = symbolizer.resolve(address).mapping_index;
    const Frame& other = symbolizer.resolve(function_with_inlined_call() - 1);
    CHECK(symbolizer.holds_debug_info());
    CHECK(other.mapping_index == mapping);
    REQUIRE(!other.lines.empty());
    CHECK(other.lines.back().function.find("function_with_inlined_call") != std::string::npos);
}
