#include "preload/loader/environment.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdlib>
#include <cstring>

namespace siagent {
namespace {

bool is_digit(char c) { return c >= '0' && c <= '9'; }

// The file name of this library, or nullptr.
const char* own_file_name() {
    Dl_info self{};
    if (dladdr(reinterpret_cast<void*>(&library_preloaded), &self) == 0 || self.dli_fname == nullptr)
        return nullptr;
    const char* slash = strrchr(self.dli_fname, '/');
    return slash != nullptr ? slash + 1 : self.dli_fname;
}

// True when `list` (LD_PRELOAD's or /etc/ld.so.preload's form: paths separated by spaces,
// colons or new lines) names an object whose file name is `own_name`.
bool list_names(const char* list, const char* own_name) {
    const size_t own_length = strlen(own_name);
    while (*list != '\0') {
        size_t length = strcspn(list, ": \t\n");
        const char* entry_end = list + length;
        const char* name = entry_end;
        while (name > list && name[-1] != '/') --name;
        if (static_cast<size_t>(entry_end - name) == own_length &&
            memcmp(name, own_name, own_length) == 0)
            return true;
        list = *entry_end != '\0' ? entry_end + 1 : entry_end;
    }
    return false;
}

}  // namespace

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
    if (strcmp(cursor, "ms") == 0) unit_ms = 1;
    else if (strcmp(cursor, "s") == 0 || *cursor == '\0') unit_ms = 1000;
    else if (strcmp(cursor, "m") == 0) unit_ms = 60'000;
    else if (strcmp(cursor, "h") == 0) unit_ms = 3'600'000;
    else return kDefaultStartDelayMs;
    if (whole > kLongestStartDelayMs) return kDefaultStartDelayMs;
    int64_t milliseconds = whole * unit_ms + fraction * unit_ms / fraction_scale;
    return milliseconds <= kLongestStartDelayMs ? milliseconds : kDefaultStartDelayMs;
}

bool library_preloaded() {
    const char* own_name = own_file_name();
    if (own_name == nullptr) return false;
    const char* variable = getenv("LD_PRELOAD");
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

}  // namespace siagent
