// Known truth for the runtime metrics: grows its RSS by 64 MiB of touched heap, starts 5
// threads that stay blocked, opens 40 extra file descriptors, then reads /proc itself and
// prints what it saw ("truth <name> <value>"), and stays in that state for SECONDS (default
// 3) before exiting normally.
// Usage: metrics_subject [SECONDS]
#include <fcntl.h>
#include <pthread.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <dirent.h>

namespace {

constexpr size_t kGrowBytes = 64u << 20;
constexpr int kThreads = 5;
constexpr int kExtraFds = 40;

int block_pipe[2];

void* blocked_thread(void*) {
    char byte;
    while (read(block_pipe[0], &byte, 1) < 0) {
    }
    return nullptr;
}

long stat_field(int number) {  // proc(5) numbering
    char text[4096];
    FILE* file = fopen("/proc/self/stat", "r");
    size_t got = fread(text, 1, sizeof text - 1, file);
    fclose(file);
    text[got] = '\0';
    char* cursor = strrchr(text, ')') + 1;
    for (int index = 3; index < number; ++index) {
        while (*cursor == ' ') ++cursor;
        while (*cursor != ' ') ++cursor;
    }
    return strtol(cursor, nullptr, 10);
}

// The program's own descriptors: a preloaded agent keeps its own above a floor (112 and up
// under the usual limits, core/agent_descriptors.h), and they are not the program's.
long open_fds() {
    DIR* directory = opendir("/proc/self/fd");
    long count = 0;
    while (dirent* entry = readdir(directory)) {
        int fd = atoi(entry->d_name);
        count += entry->d_name[0] != '.' && fd < 100 && fd != dirfd(directory);
    }
    closedir(directory);
    return count;
}

}  // namespace

int main(int argc, char** argv) {
    int seconds = argc > 1 ? atoi(argv[1]) : 3;
    long rss_before = stat_field(24) * sysconf(_SC_PAGESIZE);
    char* grown = static_cast<char*>(malloc(kGrowBytes));
    memset(grown, 1, kGrowBytes);
    if (pipe(block_pipe) != 0) return 1;
    pthread_t threads[kThreads];
    for (pthread_t& thread : threads) pthread_create(&thread, nullptr, blocked_thread, nullptr);
    for (int i = 0; i < kExtraFds; ++i) open("/dev/null", O_RDONLY);
    usleep(200 * 1000);  // let the threads block
    long rss = stat_field(24) * sysconf(_SC_PAGESIZE);
    printf("truth rss_growth_bytes %ld\ntruth rss_bytes %ld\n", rss - rss_before, rss);
    printf("truth threads %ld\ntruth open_fds %ld\n", stat_field(20), open_fds());
    fflush(stdout);
    sleep(seconds);
    printf("checksum %d\n", grown[kGrowBytes - 1]);
    return 0;
}
