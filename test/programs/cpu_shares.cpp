// Known truth: two threads burn CPU in three functions in the proportion 60 / 30 / 10.
// Thread "sixty" runs burn_sixty (6 parts); thread "thirty-ten" runs burn_thirty (3 parts)
// then burn_ten (1 part). Each function measures its own thread CPU time and prints
// `truth <function> <nanoseconds>` so a test can compare the profile with what happened.
// Usage: cpu_shares [units per part, default 40]
#include <pthread.h>

#include <cstdio>
#include <cstdlib>

#include "burn.h"

namespace {

long units_per_part = 40;
int64_t spent_sixty, spent_thirty, spent_ten;

__attribute__((noinline)) void burn_sixty() {
    int64_t start = thread_cpu_ns();
    BURN_UNITS(6 * units_per_part);
    spent_sixty = thread_cpu_ns() - start;
}

__attribute__((noinline)) void burn_thirty() {
    int64_t start = thread_cpu_ns();
    BURN_UNITS(3 * units_per_part);
    spent_thirty = thread_cpu_ns() - start;
}

__attribute__((noinline)) void burn_ten() {
    int64_t start = thread_cpu_ns();
    BURN_UNITS(1 * units_per_part);
    spent_ten = thread_cpu_ns() - start;
}

void* sixty_thread(void*) {
    pthread_setname_np(pthread_self(), "sixty");
    burn_sixty();
    return nullptr;
}

void* thirty_ten_thread(void*) {
    pthread_setname_np(pthread_self(), "thirty-ten");
    burn_thirty();
    burn_ten();
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) units_per_part = strtol(argv[1], nullptr, 10);
    pthread_t first, second;
    pthread_create(&first, nullptr, sixty_thread, nullptr);
    pthread_create(&second, nullptr, thirty_ten_thread, nullptr);
    pthread_join(first, nullptr);
    pthread_join(second, nullptr);
    printf("truth burn_sixty %lld\ntruth burn_thirty %lld\ntruth burn_ten %lld\n",
           (long long)spent_sixty, (long long)spent_thirty, (long long)spent_ten);
    return 0;
}
