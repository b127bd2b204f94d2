#include "core/symbols/symbol_index.h"

#include <catch2/catch.hpp>

#include <elfutils/libdwfl.h>
#include <unistd.h>

#include <cstring>
#include <random>
#include <string>

using siagent::SymbolIndex;

namespace {

const Dwfl_Callbacks kCallbacks = {dwfl_linux_proc_find_elf, dwfl_standard_find_debuginfo,
                                   nullptr, nullptr};

struct ThisProcess {
    Dwfl* dwfl = dwfl_begin(&kCallbacks);
    ThisProcess() {
        dwfl_report_begin(dwfl);
        dwfl_linux_proc_report(dwfl, getpid());
        dwfl_report_end(dwfl, nullptr, nullptr);
    }
    ~ThisProcess() { dwfl_end(dwfl); }
};

__attribute__((noinline)) int indexed_function(int x) { return x * 3 + 1; }

}  // namespace

TEST_CASE("the symbol index names the function containing an address, as libdwfl's scan does") {
    ThisProcess process;
    REQUIRE(process.dwfl != nullptr);

    uint64_t own = reinterpret_cast<uint64_t>(&indexed_function) + 1;
    Dwfl_Module* program = dwfl_addrmodule(process.dwfl, own);
    REQUIRE(program != nullptr);
    const char* name = SymbolIndex(program).name_of(own);
    REQUIRE(name != nullptr);
    CHECK(std::string(name).find("indexed_function") != std::string::npos);

    // Across libc's code, every answer agrees with dwfl_module_addrinfo.
    uint64_t in_libc = reinterpret_cast<uint64_t>(&strlen);
    Dwfl_Module* libc = dwfl_addrmodule(process.dwfl, in_libc);
    REQUIRE(libc != nullptr);
    Dwarf_Addr start = 0, end = 0;
    dwfl_module_info(libc, nullptr, &start, &end, nullptr, nullptr, nullptr, nullptr);
    SymbolIndex index(libc);
    REQUIRE(index.size() > 100);
    std::mt19937_64 random(42);
    int named = 0;
    for (int i = 0; i < 3000; ++i) {
        uint64_t address = start + random() % (end - start);
        GElf_Off offset;
        GElf_Sym symbol;
        const char* expected = dwfl_module_addrinfo(libc, address, &offset, &symbol, nullptr, nullptr, nullptr);
        bool expected_code = expected != nullptr &&
                             (GELF_ST_TYPE(symbol.st_info) == STT_FUNC || GELF_ST_TYPE(symbol.st_info) == STT_GNU_IFUNC);
        const char* found = index.name_of(address);
        if (!expected_code) continue;  // data, or between functions: the index names code only
        INFO("address 0x" << std::hex << address << " libdwfl " << expected << " index " << (found ? found : "(none)"));
        REQUIRE(found != nullptr);
        // Aliases (one address, several global names) may be told apart differently: then
        // the index's name must start where libdwfl's does.
        if (strcmp(found, expected) != 0) {
            uint64_t found_start = 0;
            for (int j = 1; j < dwfl_module_getsymtab(libc) && found_start == 0; ++j) {
                GElf_Sym candidate_symbol;
                GElf_Addr candidate_address;
                const char* candidate = dwfl_module_getsym_info(libc, j, &candidate_symbol, &candidate_address,
                                                                nullptr, nullptr, nullptr);
                if (candidate == found) found_start = candidate_address;
            }
            CHECK(found_start == address - offset);
        }
        ++named;
    }
    CHECK(named > 1000);
}
