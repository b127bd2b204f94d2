#include "preload/preload_detection.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "preload/real_function.h"

namespace siagent {
namespace {

// True when `list` (LD_PRELOAD's or /etc/ld.so.preload's form: paths separated by spaces,
// colons or new lines) names an object whose file name is `own_name`.
bool list_names(const std::string& list, const std::string& own_name) {
    size_t position = 0;
    while (position <= list.size()) {
        size_t end = list.find_first_of(": \t\n", position);
        if (end == std::string::npos) end = list.size();
        std::string entry = list.substr(position, end - position);
        size_t slash = entry.rfind('/');
        if (entry.substr(slash == std::string::npos ? 0 : slash + 1) == own_name) return true;
        position = end + 1;
    }
    return false;
}

// libsiagent.so's file name (the first stage, which LD_PRELOAD names; not this library's).
std::string own_file_name() {
    Dl_info self;
    if (dladdr(reinterpret_cast<void*>(&siagent_next_symbol), &self) == 0 || self.dli_fname == nullptr)
        return {};
    const char* slash = strrchr(self.dli_fname, '/');
    return slash != nullptr ? slash + 1 : self.dli_fname;
}

// The whole of a small /proc or /etc file (at most 1 MiB), empty when unreadable.
std::string read_small_file(const char* path) {
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) return {};
    std::string content;
    char buffer[8192];
    ssize_t got;
    while ((got = read(fd, buffer, sizeof buffer)) > 0 && content.size() < (1u << 20))
        content.append(buffer, static_cast<size_t>(got));
    close(fd);
    return content;
}

bool compute_parent_preloaded() {
    std::string own_name = own_file_name();
    if (own_name.empty()) return false;
    char path[64];
    snprintf(path, sizeof path, "/proc/%d/environ", static_cast<int>(getppid()));
    std::string environment = read_small_file(path);
    constexpr const char kName[] = "LD_PRELOAD=";
    for (size_t entry = 0; entry < environment.size();) {
        size_t end = environment.find('\0', entry);
        if (end == std::string::npos) end = environment.size();
        if (environment.compare(entry, sizeof kName - 1, kName) == 0 &&
            list_names(environment.substr(entry + sizeof kName - 1, end - entry - (sizeof kName - 1)),
                       own_name))
            return true;
        entry = end + 1;
    }
    return false;
}

}  // namespace

bool parent_has_library_preloaded() {
    static const bool answer = compute_parent_preloaded();
    return answer;
}

}  // namespace siagent
