#include "core/symbols/symbol_index.h"

#include <gelf.h>

#include <algorithm>

namespace siagent {
namespace {

int binding_rank(unsigned char info) {
    switch (GELF_ST_BIND(info)) {
    case STB_GLOBAL: return 0;
    case STB_WEAK: return 1;
    default: return 2;
    }
}

bool names_code(const GElf_Sym& symbol) {
    int type = GELF_ST_TYPE(symbol.st_info);
    return (type == STT_FUNC || type == STT_GNU_IFUNC) && symbol.st_shndx != SHN_UNDEF;
}

}  // namespace

SymbolIndex::SymbolIndex(Dwfl_Module* module) {
    int count = dwfl_module_getsymtab(module);
    for (int i = 1; i < count; ++i) {
        GElf_Sym symbol;
        GElf_Addr address = 0;
        const char* name = dwfl_module_getsym_info(module, i, &symbol, &address, nullptr, nullptr, nullptr);
        if (name == nullptr || name[0] == '\0' || !names_code(symbol) || address == 0) continue;
        entries_.push_back({address, symbol.st_size, name, binding_rank(symbol.st_info)});
    }
    std::sort(entries_.begin(), entries_.end(), [](const Entry& a, const Entry& b) {
        return a.start != b.start ? a.start < b.start : a.rank < b.rank;
    });
}

const char* SymbolIndex::name_of(uint64_t address) const {
    auto after = std::upper_bound(entries_.begin(), entries_.end(), address,
                                  [](uint64_t value, const Entry& entry) { return value < entry.start; });
    if (after == entries_.begin()) return nullptr;
    const uint64_t nearest_start = std::prev(after)->start;
    // Backwards from the nearest start: the innermost symbol that covers the address wins,
    // and among symbols at one start the best binding (sorted first, so met last). A
    // symbol without a size covers the address only when nothing starts in between.
    const Entry* best = nullptr;
    int looked = 0;
    for (auto it = after; it != entries_.begin() && looked < 64; ++looked) {
        --it;
        if (best != nullptr && it->start < best->start) break;
        bool covers = it->size != 0 ? address < it->start + it->size : it->start == nearest_start;
        if (covers) best = &*it;
    }
    return best != nullptr ? best->name : nullptr;
}

}  // namespace siagent
