#include "preload/loader/environment.h"
#include "preload/loader/symbol_definition.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstring>
#include <utility>


namespace siagent {
namespace {

// Every exec'd process runs this at its start. It compares and scans with its own loops,
// not libc's getenv, strlen, strrchr, strcspn and memcmp: a short program (/bin/true) calls
// none of those itself, and each brought a page of libc's code into it, a page fault each
// (about 20 µs on a small VM).

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// Whether [begin, end) spells `text` exactly.
bool spells(const char* begin, const char* end, const char* text) {
    for (; begin < end; ++begin, ++text)
        if (*text == '\0' || *begin != *text) return false;
    return *text == '\0';
}

// The file name of this library, or nullptr.
const char* own_file_name() {
    const link_map* self = this_library();
    return self != nullptr && self->l_name != nullptr ? file_name_of(self->l_name) : nullptr;
}

// True when `list` (LD_PRELOAD's or /etc/ld.so.preload's form: paths separated by spaces,
// colons or new lines) names an object whose file name is `own_name`.
bool list_names(const char* list, const char* own_name) {
    while (*list != '\0') {
        const char* entry_end = list;
        while (*entry_end != '\0' && *entry_end != ':' && *entry_end != ' ' &&
               *entry_end != '\t' && *entry_end != '\n')
            ++entry_end;
        const char* name = entry_end;
        while (name > list && name[-1] != '/') --name;
        if (spells(name, entry_end, own_name)) return true;
        list = *entry_end != '\0' ? entry_end + 1 : entry_end;
    }
    return false;
}

}  // namespace

const link_map* object_holding(const void* address) {
    dl_find_object found{};
    return _dl_find_object(const_cast<void*>(address), &found) == 0 ? found.dlfo_link_map : nullptr;
}

const link_map* this_library() { return object_holding(reinterpret_cast<const void*>(&this_library)); }

const char* file_name_of(const char* path) {
    const char* name = path;
    for (const char* at = path; *at != '\0'; ++at)
        if (*at == '/') name = at + 1;
    return name;
}

bool same_text(const char* a, const char* b) {
    while (*a != '\0' && *a == *b) ++a, ++b;
    return *a == *b;
}

const char* environment_value(const char* name) {
    for (char** entry = environ; entry != nullptr && *entry != nullptr; ++entry) {
        const char* at = *entry;
        const char* wanted = name;
        while (*wanted != '\0' && *at == *wanted) ++at, ++wanted;
        if (*wanted == '\0' && *at == '=') return at + 1;
    }
    return nullptr;
}

int64_t start_delay_ms(const char* value) {
    if (value == nullptr) return kDefaultStartDelayMs;
    while (*value == ' ') ++value;
    if (*value == '\0') return kDefaultStartDelayMs;
    int64_t whole = 0;
    int64_t fraction = 0, fraction_scale = 1;
    const char* cursor = value;
    if (!is_digit(*cursor)) return kDefaultStartDelayMs;
    while (is_digit(*cursor) && whole <= kLongestStartDelayMs) whole = whole * 10 + (*cursor++ - '0');
    if (*cursor == '.') {
        ++cursor;
        while (is_digit(*cursor)) {
            if (fraction_scale < 1'000'000) {
                fraction = fraction * 10 + (*cursor - '0');
                fraction_scale *= 10;
            }
            ++cursor;
        }
    }
    int64_t unit_ms = 1000;  // a plain number counts seconds
    const char* end = cursor;
    while (*end != '\0') ++end;
    if (spells(cursor, end, "ms")) unit_ms = 1;
    else if (spells(cursor, end, "s") || *cursor == '\0') unit_ms = 1000;
    else if (spells(cursor, end, "m")) unit_ms = 60'000;
    else if (spells(cursor, end, "h")) unit_ms = 3'600'000;
    else return kDefaultStartDelayMs;
    if (whole > kLongestStartDelayMs) return kDefaultStartDelayMs;
    int64_t milliseconds = whole * unit_ms + fraction * unit_ms / fraction_scale;
    return milliseconds <= kLongestStartDelayMs ? milliseconds : kDefaultStartDelayMs;
}

bool library_preloaded() {
    const char* own_name = own_file_name();
    if (own_name == nullptr) return false;
    const char* variable = environment_value("LD_PRELOAD");
    if (variable != nullptr && list_names(variable, own_name)) return true;
    // System-wide preloading names the library in /etc/ld.so.preload instead.
    char content[4096];
    int fd = open("/etc/ld.so.preload", O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    ssize_t length = read(fd, content, sizeof content - 1);
    close(fd);
    if (length <= 0) return false;
    content[length] = '\0';
    return list_names(content, own_name);
}

bool parent_library_preloaded() {
    const char* own_name = own_file_name();
    if (own_name == nullptr) return false;
    char path[32] = "/proc/";
    char digits[16];
    int count = 0;
    for (unsigned parent = static_cast<unsigned>(getppid()); count == 0 || parent != 0; parent /= 10)
        digits[count++] = static_cast<char>('0' + parent % 10);
    char* at = path + 6;
    while (count > 0) *at++ = digits[--count];
    const char* suffix = "/environ";
    while ((*at++ = *suffix++) != '\0') {
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return false;
    // Streams the NUL-separated entries: only LD_PRELOAD's value is kept (the first 4 KiB).
    constexpr char kName[] = "LD_PRELOAD=";
    char chunk[4096];
    char value[4096];
    size_t matched = 0;       // how much of kName the current entry has matched so far
    bool in_value = false;    // the current entry is LD_PRELOAD's, past its '='
    bool skipping = false;    // the current entry is another variable's
    size_t length = 0;
    bool found = false;
    ssize_t got;
    while (!found && (got = read(fd, chunk, sizeof chunk)) > 0) {
        for (ssize_t i = 0; i < got && !found; ++i) {
            char c = chunk[i];
            if (c == '\0') {
                if (in_value) {
                    value[length] = '\0';
                    found = list_names(value, own_name);
                }
                matched = 0, in_value = false, skipping = false, length = 0;
            } else if (in_value) {
                if (length < sizeof value - 1) value[length++] = c;
            } else if (!skipping) {
                if (c == kName[matched]) {
                    in_value = ++matched == sizeof kName - 1;
                } else {
                    skipping = true;
                }
            }
        }
    }
    close(fd);
    return found;
}

namespace {

// Whether a note segment [begin, begin + size) with `align`ment holds Go's build-id note.
bool holds_go_note(const char* begin, size_t size, size_t align) {
    constexpr uint32_t kGoBuildIdType = 4;
    const auto rounded = [align](size_t n) { return (n + align - 1) & ~(align - 1); };
    for (size_t at = 0; at + sizeof(ElfW(Nhdr)) <= size;) {
        ElfW(Nhdr) header;
        memcpy(&header, begin + at, sizeof header);
        const size_t name_at = at + sizeof header;
        const size_t next = name_at + rounded(header.n_namesz) + rounded(header.n_descsz);
        if (next > size || next <= at) return false;
        // Go's linker writes the name "Go" padded with NULs to 4 bytes, n_namesz 4.
        if (header.n_type == kGoBuildIdType && (header.n_namesz == 3 || header.n_namesz == 4) &&
            begin[name_at] == 'G' && begin[name_at + 1] == 'o' && begin[name_at + 2] == '\0')
            return true;
        at = next;
    }
    return false;
}

// dl_iterate_phdr's callback: the first object is the main executable.
int main_executable_is_go(dl_phdr_info* object, size_t, void* answer) {
    for (ElfW(Half) i = 0; i < object->dlpi_phnum; ++i) {
        const ElfW(Phdr)& segment = object->dlpi_phdr[i];
        if (segment.p_type != PT_NOTE) continue;
        const char* begin = reinterpret_cast<const char*>(object->dlpi_addr + segment.p_vaddr);
        if (holds_go_note(begin, segment.p_memsz, segment.p_align == 8 ? 8 : 4)) {
            *static_cast<bool*>(answer) = true;
            break;
        }
    }
    return 1;  // the first object only
}

}  // namespace

bool go_program() {
    bool go = false;
    dl_iterate_phdr(main_executable_is_go, &go);
    return go;
}

bool must_stay_single_threaded(int argc, char** argv) {
    for (int i = 1; i < argc && argv != nullptr && argv[i] != nullptr; ++i)
        if (same_text(argv[i], "--type=zygote")) return true;
    return false;
}

bool allocations_pass_through_this_library() {
    return defined_ahead_of(this_library(), "malloc") == nullptr;
}

MemoryLimit finite_memory_limit() {
    for (auto [resource, name] : {std::pair{RLIMIT_AS, "RLIMIT_AS (ulimit -v)"},
                                  std::pair{RLIMIT_DATA, "RLIMIT_DATA (ulimit -d)"}}) {
        rlimit limit{};
        if (getrlimit(resource, &limit) != 0 || limit.rlim_cur == RLIM_INFINITY) continue;
        rlimit parent{};
        const bool parent_limited =
            prlimit(getppid(), resource, nullptr, &parent) == 0 && parent.rlim_cur != RLIM_INFINITY;
        return {name, static_cast<uint64_t>(limit.rlim_cur) >> 20, parent_limited};
    }
    return {};
}

}  // namespace siagent
