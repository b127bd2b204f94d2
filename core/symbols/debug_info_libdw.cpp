// The debug-information reader (core/symbols/debug_info.h) on libdw: modules from
// /proc/self/maps (or a dead process's list), names from their symbol tables, lines and
// inlined frames from DWARF in the loaded file or a separate debug file on local disk.
// Built into libsiagent-dwarf.so for the agent and linked into the tools.
#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwelf.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <gelf.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>
#include <map>
#include <memory>
#include <set>
#include <string>

#include "core/symbols/debug_info.h"
#include "core/symbols/demangle.h"
#include "core/symbols/symbol_index.h"

namespace siagent {
namespace {


int open_if_exists(const std::string& path, char** opened_name) {
    int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd >= 0) *opened_name = strdup(path.c_str());
    return fd;
}

// Local-only replacement of dwfl_standard_find_debuginfo (which may consult debuginfod).
// Called by libdw only when the loaded file has no DWARF of its own.
int find_local_debuginfo(Dwfl_Module* module, void**, const char*, Dwarf_Addr,
                         const char* file_name, const char* debuglink_file, GElf_Word,
                         char** debuginfo_file_name) {
    const unsigned char* build_id = nullptr;
    GElf_Addr build_id_address;
    int build_id_length = dwfl_module_build_id(module, &build_id, &build_id_address);
    if (build_id_length > 1) {
        std::string path = "/usr/lib/debug/.build-id/";
        char hex[3];
        for (int i = 0; i < build_id_length; ++i) {
            snprintf(hex, sizeof hex, "%02x", build_id[i]);
            path += hex;
            if (i == 0) path += '/';
        }
        path += ".debug";
        int fd = open_if_exists(path, debuginfo_file_name);
        if (fd >= 0) return fd;
    }
    if (debuglink_file == nullptr || file_name == nullptr) return -1;
    std::string directory(file_name);
    directory = directory.substr(0, directory.rfind('/') + 1);
    for (const std::string& candidate :
         {directory + debuglink_file, directory + ".debug/" + debuglink_file,
          "/usr/lib/debug" + directory + debuglink_file}) {
        if (candidate == file_name) continue;
        int fd = open_if_exists(candidate, debuginfo_file_name);
        if (fd >= 0) return fd;
    }
    return -1;
}

const Dwfl_Callbacks kCallbacks = {
    dwfl_linux_proc_find_elf,
    find_local_debuginfo,
    nullptr,
    nullptr,
};

const Dwfl_Callbacks kOfflineCallbacks = {
    dwfl_build_id_find_elf,
    find_local_debuginfo,
    dwfl_offline_section_address,
    nullptr,
};

// The DIE that carries a function's name: inlined instances and out-of-line definitions
// point to it through DW_AT_abstract_origin / DW_AT_specification.
Dwarf_Die naming_die(Dwarf_Die* die) {
    Dwarf_Die current = *die;
    for (int hops = 0; hops < 8; ++hops) {
        Dwarf_Attribute attribute;
        Dwarf_Die next;
        if ((dwarf_attr(&current, DW_AT_abstract_origin, &attribute) == nullptr &&
             dwarf_attr(&current, DW_AT_specification, &attribute) == nullptr) ||
            dwarf_formref_die(&attribute, &next) == nullptr)
            break;
        current = next;
    }
    return current;
}

// "ns::Class::name" from the namespaces and types around the function's declaration; used
// when the compiler gave no linkage name (functions with internal linkage).
std::string qualified_name(Dwarf_Die* die) {
    Dwarf_Die named = naming_die(die);
    const char* name = dwarf_diename(&named);
    std::string result = name != nullptr ? name : "";
    Dwarf_Die* scopes = nullptr;
    int count = dwarf_getscopes_die(&named, &scopes);
    for (int i = 1; i < count; ++i) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag != DW_TAG_namespace && tag != DW_TAG_class_type && tag != DW_TAG_structure_type &&
            tag != DW_TAG_union_type)
            continue;
        const char* scope_name = dwarf_diename(&scopes[i]);
        result = std::string(scope_name != nullptr ? scope_name : "(anonymous namespace)") + "::" + result;
    }
    free(scopes);
    return result;
}

std::string die_function_name(Dwarf_Die* die) {
    Dwarf_Attribute attribute;
    for (int name : {DW_AT_linkage_name, DW_AT_MIPS_linkage_name}) {
        if (dwarf_attr_integrate(die, name, &attribute) != nullptr) {
            if (const char* linkage = dwarf_formstring(&attribute)) return demangle(linkage);
        }
    }
    return qualified_name(die);
}

std::string call_site_file(Dwarf_Die* cu, Dwarf_Die* inlined) {
    Dwarf_Attribute attribute;
    Dwarf_Word index;
    if (dwarf_attr(inlined, DW_AT_call_file, &attribute) == nullptr ||
        dwarf_formudata(&attribute, &index) != 0)
        return "";
    Dwarf_Files* files;
    size_t count;
    if (dwarf_getsrcfiles(cu, &files, &count) != 0 || index >= count) return "";
    const char* name = dwarf_filesrc(files, index, nullptr, nullptr);
    return name != nullptr ? name : "";
}

int64_t call_site_line(Dwarf_Die* inlined) {
    Dwarf_Attribute attribute;
    Dwarf_Word line;
    if (dwarf_attr(inlined, DW_AT_call_line, &attribute) == nullptr ||
        dwarf_formudata(&attribute, &line) != 0)
        return 0;
    return static_cast<int64_t>(line);
}

// The compile unit whose ranges hold `address`. libdwfl answers from .debug_aranges, which
// may cover only some units: a cgo program's aranges name its C files only, and libdwfl then
// hands back a C unit for Go code (every Go frame read "gcc_mmap.c:37"). Its answer is
// checked, and the units are searched when it is wrong.
Dwarf_Die* unit_containing(Dwfl_Module* module, uint64_t address, Dwarf_Addr& bias) {
    Dwarf_Die* cu = dwfl_module_addrdie(module, address, &bias);
    if (cu != nullptr && dwarf_haspc(cu, address - bias) > 0) return cu;
    for (Dwarf_Die* unit = dwfl_module_nextcu(module, nullptr, &bias); unit != nullptr;
         unit = dwfl_module_nextcu(module, unit, &bias))
        if (dwarf_haspc(unit, address - bias) > 0) return unit;
    return nullptr;
}

// Source lines of `address` from DWARF: the innermost inlined callee first, the function
// that owns the code last (named `symbol` when the ELF symbol table knows it). Empty
// without DWARF for the address.
std::vector<SourceLine> dwarf_lines(Dwfl_Module* module, uint64_t address, const char* symbol) {
    std::vector<SourceLine> lines;
    Dwarf_Addr bias = 0;
    Dwarf_Die* cu = unit_containing(module, address, bias);
    if (cu == nullptr) return lines;

    std::string file;
    int64_t line = 0;
    if (Dwarf_Line* row = dwarf_getsrc_die(cu, address - bias)) {
        int line_number = 0;
        if (const char* name = dwarf_linesrc(row, nullptr, nullptr)) file = name;
        if (dwarf_lineno(row, &line_number) == 0) line = line_number;
    }
    // dwarf_getscopes finds the innermost scope; the physical nesting around it (inlined
    // instances inside the function that owns the code) comes from dwarf_getscopes_die.
    Dwarf_Die* scopes = nullptr;
    int count = dwarf_getscopes(cu, address - bias, &scopes);
    if (count <= 0) {
        free(scopes);
        if (symbol != nullptr) lines.push_back({demangle(symbol), file, line});
        return lines;
    }
    Dwarf_Die innermost = scopes[0];
    free(scopes);
    scopes = nullptr;
    count = dwarf_getscopes_die(&innermost, &scopes);
    for (int i = 0; i < count; ++i) {
        int tag = dwarf_tag(&scopes[i]);
        if (tag == DW_TAG_inlined_subroutine) {
            lines.push_back({die_function_name(&scopes[i]), file, line});
            file = call_site_file(cu, &scopes[i]);
            line = call_site_line(&scopes[i]);
        } else if (tag == DW_TAG_subprogram) {
            lines.push_back({symbol != nullptr ? demangle(symbol) : die_function_name(&scopes[i]), file, line});
            break;
        }
    }
    free(scopes);
    return lines;
}

// Whether the module's loaded file holds DWARF itself (the program's own code, built with
// -g; Go binaries), as opposed to a system library whose DWARF is in a separate debug file
// (libc6-dbg and the like). Only the section headers are read.
bool file_has_own_dwarf(Dwfl_Module* module) {
    Dwarf_Addr bias = 0;
    Elf* elf = dwfl_module_getelf(module, &bias);
    size_t names = 0;
    if (elf == nullptr || elf_getshdrstrndx(elf, &names) != 0) return false;
    for (Elf_Scn* section = elf_nextscn(elf, nullptr); section != nullptr;
         section = elf_nextscn(elf, section)) {
        GElf_Shdr header;
        if (gelf_getshdr(section, &header) == nullptr) continue;
        const char* name = elf_strptr(elf, names, header.sh_name);
        if (name != nullptr && (strcmp(name, ".debug_info") == 0 || strcmp(name, ".zdebug_info") == 0))
            return true;
    }
    return false;
}

std::string hex_build_id(Dwfl_Module* module) {
    const unsigned char* bits = nullptr;
    GElf_Addr address;
    int length = dwfl_module_build_id(module, &bits, &address);
    std::string hex;
    char digits[3];
    for (int i = 0; i < length; ++i) {
        snprintf(digits, sizeof digits, "%02x", bits[i]);
        hex += digits;
    }
    return hex;
}

CodeModule describe_module(Dwfl_Module* module) {
    Dwarf_Addr start = 0, end = 0;
    const char* name = dwfl_module_info(module, nullptr, &start, &end, nullptr, nullptr,
                                        nullptr, nullptr);
    CodeModule result;
    result.path = name != nullptr ? name : "";
    result.start = start;
    result.limit = end;
    result.build_id = hex_build_id(module);
    return result;
}

class LibdwDebugInfo final : public DebugInfo {
public:
    Dwfl* dwfl = nullptr;
    bool offline = false;
    std::set<Dwfl_Module*> mismatched;  // offline: files that are not the ones recorded
    // What is read of a module once, on its first lookup.
    struct ModuleFacts {
        SymbolIndex symbols;
        bool own_dwarf;  // file_has_own_dwarf
    };
    std::map<Dwfl_Module*, std::unique_ptr<ModuleFacts>> facts;

    const ModuleFacts& facts_of(Dwfl_Module* module) {
        auto known = facts.find(module);
        if (known == facts.end())
            known = facts.emplace(module, std::make_unique<ModuleFacts>(ModuleFacts{SymbolIndex(module),
                                                                                 file_has_own_dwarf(module)})).first;
        return *known->second;
    }

    // Whether lines and inlined frames are looked up. In a live process only where the
    // loaded file carries its DWARF: a separate debug file's DWARF is decompressed whole
    // on first use (libc6-dbg: about 100 ms of CPU), a price every short process would pay
    // for the source lines of system libraries. Their functions are still named, from
    // the symbol tables. Offline (crash records) every module's DWARF is read.
    bool reads_dwarf(const ModuleFacts& module) const { return offline || module.own_dwarf; }

    // Reports each module's file at its bias; files whose build id differs from the
    // recorded one (the program was updated since) are left out: wrong names are worse
    // than none.
    void report_offline(const std::vector<LoadedModule>& modules) {
        offline = true;
        dwfl = dwfl_begin(&kOfflineCallbacks);
        if (dwfl == nullptr) return;
        dwfl_report_begin(dwfl);
        for (const LoadedModule& module : modules) {
            Dwfl_Module* reported = dwfl_report_elf(dwfl, module.path.c_str(), module.path.c_str(),
                                                    -1, module.bias, false);
            if (reported != nullptr && !module.build_id.empty() &&
                hex_build_id(reported) != module.build_id)
                mismatched.insert(reported);
        }
        dwfl_report_end(dwfl, nullptr, nullptr);
    }

    bool report() {
        if (offline) return false;
        if (dwfl == nullptr) dwfl = dwfl_begin(&kCallbacks);
        if (dwfl == nullptr) return false;
        facts.clear();  // modules may go (dlclose) and their addresses be reused
        dwfl_report_begin(dwfl);
        int failed = dwfl_linux_proc_report(dwfl, getpid());
        dwfl_report_end(dwfl, nullptr, nullptr);
        return failed == 0;
    }

    ~LibdwDebugInfo() override {
        if (dwfl != nullptr) dwfl_end(dwfl);
    }

    AddressFacts describe(uint64_t address) noexcept override {
        try {
            return describe_or_throw(address);
        } catch (...) {
            return {};  // out of memory: this address stays unnamed
        }
    }

    AddressFacts describe_or_throw(uint64_t address) {
        AddressFacts facts;
        if (dwfl == nullptr) return facts;
        Dwfl_Module* module = dwfl_addrmodule(dwfl, address);
        if (module == nullptr && report()) {
            // Loaded after our last look (dlopen): read the module list again.
            module = dwfl_addrmodule(dwfl, address);
        }
        if (module == nullptr) return facts;
        facts.in_module = true;
        if (mismatched.count(module) == 0) {
            const ModuleFacts& known = facts_of(module);
            const char* name = known.symbols.name_of(address);
            if (reads_dwarf(known)) facts.lines = dwarf_lines(module, address, name);
            if (facts.lines.empty() && name != nullptr) facts.lines.push_back({demangle(name), "", 0});
        }
        // After the lookups: the module's ELF file is loaded by now, so its build id is known.
        facts.module = describe_module(module);
        return facts;
    }
};

}  // namespace
}  // namespace siagent

// Exported by libsiagent-dwarf.so (core/ cannot include preload/export.h). No exception
// leaves the library: it has its own C++ runtime, the agent another (preload/meson.build).
extern "C" [[gnu::visibility("default")]] siagent::DebugInfo* siagent_make_debug_info(
    const std::vector<siagent::LoadedModule>* modules) noexcept {
    try {
        auto reader = std::make_unique<siagent::LibdwDebugInfo>();
        if (modules != nullptr) {
            reader->report_offline(*modules);
        } else {
            reader->report();
        }
        return reader.release();
    } catch (...) {
        return nullptr;  // out of memory: no reader, every address stays unnamed
    }
}
