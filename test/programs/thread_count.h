// How many threads this process has now (its /proc/self/task entries), and how many
// descriptors it holds (its /proc/self/fd entries), or -1.
#pragma once

#include <dirent.h>

// Entries of a /proc directory, "." and ".." left out; `listing_own` subtracts the
// descriptor the listing itself holds while it reads /proc/self/fd.
inline int count_proc_entries(const char* directory, bool listing_own = false) {
    DIR* listing = opendir(directory);
    if (listing == nullptr) return -1;
    int count = 0;
    while (dirent* entry = readdir(listing))
        if (entry->d_name[0] != '.') ++count;
    closedir(listing);
    return listing_own ? count - 1 : count;
}

inline int count_threads() { return count_proc_entries("/proc/self/task"); }
inline int count_descriptors() { return count_proc_entries("/proc/self/fd", true); }
