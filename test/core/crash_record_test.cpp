#include <catch2/catch.hpp>

#include <link.h>

#include <csignal>
#include <string>

#include "core/crash/crash_record.h"
#include "core/safe_format.h"
#include "core/symbols/symbolizer.h"

using namespace siagent;

namespace {

__attribute__((noinline)) int crash_record_test_marker(int value) { return value * 3 + 1; }

// This process's module map in a record's form.
int add_module(dl_phdr_info* info, size_t, void* context) {
    auto* modules = static_cast<std::vector<LoadedModule>*>(context);
    std::string path = info->dlpi_name != nullptr ? info->dlpi_name : "";
    if (path.empty()) path = "/proc/self/exe";
    if (path.rfind("linux-vdso", 0) == 0) return 0;
    modules->push_back({path, info->dlpi_addr, ""});
    return 0;
}

}  // namespace

TEST_CASE("SafeText formats numbers and escapes without allocating, and never overflows") {
    char buffer[64];
    SafeText text(buffer, sizeof buffer);
    text.add("a ").add_decimal(0).add(" ").add_decimal(18446744073709551615ull).add(" ")
        .add_signed(-6).add(" ").add_hex(0).add(" ").add_hex(0xdeadbeef).add(" ").add_escaped("x\ny\\");
    CHECK(std::string(text.text()) == "a 0 18446744073709551615 -6 0x0 0xdeadbeef x\\x0ay\\x5c");
    CHECK_FALSE(text.overflowed());
    char tiny[8];
    SafeText cut(tiny, sizeof tiny);
    cut.add("0123456789");
    CHECK(std::string(cut.text()) == "0123456");
    CHECK(cut.overflowed());
}

TEST_CASE("a crash record parses back, with its exception, frames and modules") {
    std::string text =
        "siagent crash record 1\nsignal 11 SIGSEGV\ncode 1\nfault_address 0x10\npid 42\ntid 43\n"
        "time_unix_ms 1700000000123\nexception St13runtime_error\nexception_what bad\\x0aline\n"
        "frames 2\n0x1000\n0x2000\napp demo\nversion -\nenvironment prod\nhost h1\n"
        "executable /bin/demo\nmodule 0x1000 0x3000 0x0 abcd /bin/demo with space\nend\n";
    CrashRecord record;
    std::string error;
    REQUIRE(parse_crash_record(text, record, error));
    CHECK(record.signal == SIGSEGV);
    CHECK(record.signal_name == "SIGSEGV");
    CHECK(record.fault_address == 0x10);
    CHECK(record.pid == 42);
    CHECK(record.tid == 43);
    CHECK(record.exception_type == "std::runtime_error");
    CHECK(record.exception_what == "bad\nline");
    CHECK(record.frames == std::vector<uint64_t>{0x1000, 0x2000});
    CHECK(record.version.empty());
    CHECK(record.environment == "prod");
    REQUIRE(record.modules.size() == 1);
    CHECK(record.modules[0].path == "/bin/demo with space");
    CHECK(record.modules[0].build_id == "abcd");
    CHECK_FALSE(parse_crash_record(text.substr(0, text.size() - 4), record, error));  // no "end"
    CHECK_FALSE(parse_crash_record("something else\n", record, error));
}

TEST_CASE("offline symbolization from a module map names what the live symbolizer names") {
    std::vector<LoadedModule> modules;
    dl_iterate_phdr(add_module, &modules);
    Symbolizer offline(modules);
    Symbolizer live;
    auto address = reinterpret_cast<uint64_t>(&crash_record_test_marker) + 1;
    REQUIRE(crash_record_test_marker(1) == 4);
    const Frame& expected = live.resolve(address);
    const Frame& got = offline.resolve(address);
    REQUIRE_FALSE(expected.lines.empty());
    REQUIRE_FALSE(got.lines.empty());
    CHECK(got.lines.back().function == expected.lines.back().function);
    CHECK(got.lines.back().function.find("crash_record_test_marker") != std::string::npos);
    CHECK(got.lines.back().line == expected.lines.back().line);
    // A module whose build id does not match what was recorded is left unnamed.
    for (auto& module : modules) module.build_id = "00";
    Symbolizer mismatched(modules);
    CHECK(mismatched.resolve(address).lines.empty());
}
