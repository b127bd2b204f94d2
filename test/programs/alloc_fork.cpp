// Forks while other threads allocate: the children (and one grandchild each) allocate,
// free what the parent allocated, and exit; nothing may deadlock or crash. Prints the
// number of children that exited cleanly.
// Usage: alloc_fork [children, default 30]
#include <pthread.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <vector>

#include "alloc_sizes.h"

namespace {

std::atomic<bool> stop{false};

void* keep_allocating(void* seed) {
    SizeGenerator sizes(reinterpret_cast<uintptr_t>(seed));
    void* window[64] = {};
    while (!stop.load(std::memory_order_relaxed)) {
        int slot = static_cast<int>(sizes.next_random() % 64);
        free(window[slot]);
        window[slot] = malloc(sizes.next_size());
        keep(window[slot]);
    }
    for (void* block : window) free(block);
    return nullptr;
}

int child_work(std::vector<void*>& inherited) {
    SizeGenerator sizes(getpid());
    for (void* block : inherited) free(block);  // blocks the parent allocated
    std::vector<void*> mine;
    for (int i = 0; i < 20000; ++i) {
        mine.push_back(malloc(sizes.next_size()));
        keep(mine.back());
        if (mine.size() > 100) {
            free(mine.front());
            mine.erase(mine.begin());
        }
    }
    for (void* block : mine) free(block);
    return 0;
}

}  // namespace

int main(int argc, char** argv) {
    int children = argc > 1 ? atoi(argv[1]) : 30;
    pthread_t threads[3];
    for (int i = 0; i < 3; ++i)
        pthread_create(&threads[i], nullptr, keep_allocating, reinterpret_cast<void*>(i + 1));
    int clean = 0;
    for (int child = 0; child < children; ++child) {
        std::vector<void*> inherited;
        for (int i = 0; i < 100; ++i) inherited.push_back(malloc(1000 + i));
        pid_t pid = fork();
        if (pid == 0) {
            pid_t grandchild = fork();
            if (grandchild == 0) _exit(child_work(inherited));
            int status = child_work(inherited);
            int grandchild_status = 0;
            waitpid(grandchild, &grandchild_status, 0);
            exit(status == 0 && WIFEXITED(grandchild_status) && WEXITSTATUS(grandchild_status) == 0 ? 0 : 1);
        }
        for (void* block : inherited) free(block);
        int status = 0;
        if (pid > 0 && waitpid(pid, &status, 0) == pid && WIFEXITED(status) && WEXITSTATUS(status) == 0)
            ++clean;
    }
    stop = true;
    for (pthread_t thread : threads) pthread_join(thread, nullptr);
    printf("%d of %d children exited cleanly\n", clean, children);
    return clean == children ? 0 : 1;
}
