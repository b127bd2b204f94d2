#include "core/report_schedule.h"

#include <elf.h>
#include <link.h>

#include <algorithm>
#include <cstring>

namespace siagent {
namespace {

constexpr uint64_t kEarlyPhaseMs = 5'000;
constexpr uint64_t kEarlyEveryMs = 1'000;
constexpr uint64_t kUnseenExitEveryMs = 5'000;

// The Go linker's build-id note: type 4, owner "Go" (name size 4 as Go writes it, "Go\0\0";
// 3 accepted too).
constexpr uint32_t kGoBuildIdNote = 4;

bool has_go_note(const dl_phdr_info* object) {
    for (int i = 0; i < object->dlpi_phnum; ++i) {
        const ElfW(Phdr)& header = object->dlpi_phdr[i];
        if (header.p_type != PT_NOTE) continue;
        const char* note = reinterpret_cast<const char*>(object->dlpi_addr + header.p_vaddr);
        const char* end = note + header.p_memsz;
        while (note + sizeof(ElfW(Nhdr)) <= end) {
            const auto* entry = reinterpret_cast<const ElfW(Nhdr)*>(note);
            const char* owner = note + sizeof(ElfW(Nhdr));
            size_t owner_size = (entry->n_namesz + 3) & ~size_t{3};
            size_t data_size = (entry->n_descsz + 3) & ~size_t{3};
            if (owner + owner_size + data_size > end) break;
            if (entry->n_type == kGoBuildIdNote && (entry->n_namesz == 3 || entry->n_namesz == 4) &&
                memcmp(owner, "Go", 3) == 0)
                return true;
            note = owner + owner_size + data_size;
        }
    }
    return false;
}

}  // namespace

uint64_t next_report_delay_ms(uint64_t interval_ms, bool exit_unseen, uint64_t since_start_ms) {
    if (!exit_unseen) return interval_ms;
    uint64_t every = since_start_ms < kEarlyPhaseMs ? kEarlyEveryMs : kUnseenExitEveryMs;
    return std::min(interval_ms, every);
}

bool executable_is_go() {
    bool go = false;
    // The first object dl_iterate_phdr reports is the main program.
    dl_iterate_phdr(
        [](dl_phdr_info* object, size_t, void* answer) {
            *static_cast<bool*>(answer) = has_go_note(object);
            return 1;
        },
        &go);
    return go;
}

}  // namespace siagent
