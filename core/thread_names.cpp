#include "core/thread_names.h"

#include <fcntl.h>
#include <unistd.h>

#include <cstdio>

namespace siagent {

const std::string& ThreadNames::name_of(pid_t tid) {
    auto known = names_.find(tid);
    if (known != names_.end()) return known->second;
    std::string name;
    char path[64];
    snprintf(path, sizeof path, "/proc/self/task/%d/comm", static_cast<int>(tid));
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd >= 0) {
        char buffer[64];
        ssize_t length = read(fd, buffer, sizeof buffer);
        close(fd);
        if (length > 0) {
            if (buffer[length - 1] == '\n') --length;
            name.assign(buffer, static_cast<size_t>(length));
        }
    }
    return names_.emplace(tid, std::move(name)).first->second;
}

}  // namespace siagent
