// Process and thread churn, the per-process and per-thread cost of a preloaded agent.
//   process_churn fork N       N children, one after the other: each allocates, touches
//                              and frees a few blocks, then exits normally (atexit runs)
//   process_churn threads T R  R rounds of T threads created together, each doing a little
//                              work, then joined
// Exits 0 when every child exited 0.
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

namespace {

__attribute__((noinline)) int child_work() {
    int sum = 0;
    for (int i = 0; i < 16; ++i) {
        size_t size = 1024u << (i % 6);
        char* block = static_cast<char*>(malloc(size));
        if (block == nullptr) return 1;
        memset(block, i, size);
        sum += block[size / 2];
        free(block);
    }
    return sum == 0 ? 1 : 0;
}

int fork_children(int count) {
    for (int i = 0; i < count; ++i) {
        pid_t child = fork();
        if (child < 0) return 1;
        if (child == 0) exit(child_work());
        int status = 0;
        if (waitpid(child, &status, 0) != child || !WIFEXITED(status) || WEXITSTATUS(status) != 0)
            return 1;
    }
    return 0;
}

void* thread_work(void*) {
    volatile unsigned sum = 0;
    for (unsigned i = 0; i < 20000; ++i) sum = sum + i;
    return nullptr;
}

int churn_threads(int per_round, int rounds) {
    std::vector<pthread_t> threads(per_round);
    for (int round = 0; round < rounds; ++round) {
        for (pthread_t& thread : threads)
            if (pthread_create(&thread, nullptr, thread_work, nullptr) != 0) return 1;
        for (pthread_t& thread : threads) pthread_join(thread, nullptr);
    }
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc == 3 && strcmp(argv[1], "fork") == 0) return fork_children(atoi(argv[2]));
    if (argc == 4 && strcmp(argv[1], "threads") == 0)
        return churn_threads(atoi(argv[2]), atoi(argv[3]));
    fprintf(stderr, "usage: process_churn fork N | threads T R\n");
    return 64;
}
