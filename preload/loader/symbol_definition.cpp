#include "preload/loader/symbol_definition.h"

#include <elf.h>

#include <cstdint>

#include "preload/loader/environment.h"

namespace siagent {

namespace {

struct DynamicTables {
    const ElfW(Sym)* symbols = nullptr;
    const char* strings = nullptr;
    const uint32_t* gnu_hash = nullptr;
    const ElfW(Half)* versions = nullptr;  // DT_VERSYM: per symbol, its version's index
};

// The loader rewrites most objects' dynamic entries to run-time addresses; a read-only
// dynamic section (the vDSO's) keeps them relative to the load address.
uintptr_t run_time_address(const link_map* object, ElfW(Addr) value) {
    return value < object->l_addr ? object->l_addr + value : value;
}

DynamicTables tables_of(const link_map* object) {
    DynamicTables tables;
    if (object->l_ld == nullptr) return tables;
    for (const ElfW(Dyn)* entry = object->l_ld; entry->d_tag != DT_NULL; ++entry) {
        const uintptr_t at = run_time_address(object, entry->d_un.d_ptr);
        if (entry->d_tag == DT_SYMTAB) tables.symbols = reinterpret_cast<const ElfW(Sym)*>(at);
        else if (entry->d_tag == DT_STRTAB) tables.strings = reinterpret_cast<const char*>(at);
        else if (entry->d_tag == DT_GNU_HASH) tables.gnu_hash = reinterpret_cast<const uint32_t*>(at);
        else if (entry->d_tag == DT_VERSYM) tables.versions = reinterpret_cast<const ElfW(Half)*>(at);
    }
    return tables;
}

uint32_t gnu_hash_of(const char* name) {
    uint32_t hash = 5381;
    for (const unsigned char* c = reinterpret_cast<const unsigned char*>(name); *c != '\0'; ++c)
        hash = hash * 33 + *c;
    return hash;
}

// `object`'s defined dynamic symbol `name` (a function or an indirect function), or nullptr.
const ElfW(Sym)* defined_symbol(const link_map* object, const char* name) {
    const DynamicTables tables = tables_of(object);
    if (tables.symbols == nullptr || tables.strings == nullptr || tables.gnu_hash == nullptr) return nullptr;
    // DT_GNU_HASH: bucket count, first hashed symbol, Bloom filter words and shift, then the
    // filter, the buckets and the hash chain (one word per hashed symbol, its low bit set on
    // the last of a bucket).
    const uint32_t buckets = tables.gnu_hash[0], first_hashed = tables.gnu_hash[1];
    const uint32_t bloom_words = tables.gnu_hash[2], bloom_shift = tables.gnu_hash[3];
    if (buckets == 0 || bloom_words == 0) return nullptr;
    const auto* bloom = reinterpret_cast<const ElfW(Addr)*>(tables.gnu_hash + 4);
    const auto* bucket = reinterpret_cast<const uint32_t*>(bloom + bloom_words);
    const uint32_t* chain = bucket + buckets;

    const uint32_t hash = gnu_hash_of(name);
    constexpr uint32_t kWordBits = sizeof(ElfW(Addr)) * 8;
    const ElfW(Addr) word = bloom[(hash / kWordBits) % bloom_words];
    const ElfW(Addr) mask = (ElfW(Addr){1} << (hash % kWordBits)) | (ElfW(Addr){1} << ((hash >> bloom_shift) % kWordBits));
    if ((word & mask) != mask) return nullptr;
    uint32_t index = bucket[hash % buckets];
    if (index < first_hashed) return nullptr;
    for (;; ++index) {
        const uint32_t chained = chain[index - first_hashed];
        // A hidden version (memcpy@GLIBC_2.2.5 beside memcpy@@GLIBC_2.14) is not what an
        // unversioned call binds to: the default one is.
        const bool hidden = tables.versions != nullptr && (tables.versions[index] & 0x8000) != 0;
        if ((chained | 1) == (hash | 1) && !hidden && same_text(tables.strings + tables.symbols[index].st_name, name)) {
            const ElfW(Sym)& symbol = tables.symbols[index];
            const unsigned type = ELF64_ST_TYPE(symbol.st_info);
            if (symbol.st_shndx == SHN_UNDEF || symbol.st_value == 0 || (type != STT_FUNC && type != STT_GNU_IFUNC))
                return nullptr;
            return &symbol;
        }
        if ((chained & 1) != 0) return nullptr;
    }
}

}  // namespace

void* own_definition(const link_map* object, const char* name) {
    const ElfW(Sym)* symbol = defined_symbol(object, name);
    if (symbol == nullptr || ELF64_ST_TYPE(symbol->st_info) != STT_FUNC) return nullptr;
    return reinterpret_cast<void*>(object->l_addr + symbol->st_value);
}

bool defines(const link_map* object, const char* name) {
    return object != nullptr && defined_symbol(object, name) != nullptr;
}

const link_map* defined_ahead_of(const link_map* self, const char* name) {
    if (self == nullptr) return nullptr;
    const link_map* first = self;
    while (first->l_prev != nullptr) first = first->l_prev;
    for (const link_map* object = first; object != nullptr && object != self; object = object->l_next)
        if (defines(object, name)) return object;
    return nullptr;
}

}  // namespace siagent
