// How many threads this process has now (its /proc/self/task entries), or -1.
#pragma once

#include <dirent.h>

inline int count_threads() {
    DIR* tasks = opendir("/proc/self/task");
    if (tasks == nullptr) return -1;
    int count = 0;
    while (dirent* entry = readdir(tasks))
        if (entry->d_name[0] != '.') ++count;
    closedir(tasks);
    return count;
}
