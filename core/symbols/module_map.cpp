#include "core/symbols/module_map.h"

#include <link.h>

namespace siagent {
namespace {

struct Search {
    uint64_t address;
    AddressRange found;
};

int visit_object(dl_phdr_info* info, size_t, void* context) {
    auto* search = static_cast<Search*>(context);
    AddressRange span = loaded_segments_span(*info);
    if (span.start < span.end && span.contains(search->address)) {
        search->found = span;
        return 1;
    }
    return 0;
}

}  // namespace

AddressRange loaded_segments_span(const dl_phdr_info& object) {
    AddressRange span{UINT64_MAX, 0};
    for (int i = 0; i < object.dlpi_phnum; ++i) {
        const ElfW(Phdr)& header = object.dlpi_phdr[i];
        if (header.p_type != PT_LOAD) continue;
        uint64_t start = object.dlpi_addr + header.p_vaddr;
        uint64_t end = start + header.p_memsz;
        if (start < span.start) span.start = start;
        if (end > span.end) span.end = end;
    }
    return span;
}

AddressRange loaded_object_range(const void* address) {
    Search search{reinterpret_cast<uint64_t>(address), {}};
    dl_iterate_phdr(visit_object, &search);
    return search.found;
}

}  // namespace siagent
