// Known truth: routine_site throws std::runtime_error every 20 ms for the whole run; from
// `rare_after` seconds on, rare_site also throws RareError every 100 ms. Every exception is
// caught. RareError is the only type that appears late, so it is the one "never seen
// before" once the application's first seconds are past.
// Usage: new_exception SECONDS RARE_AFTER
#include <time.h>

#include <cstdio>
#include <cstdlib>
#include <stdexcept>

namespace {

struct RareError : std::runtime_error {
    using std::runtime_error::runtime_error;
};

__attribute__((noinline)) void routine_site() { throw std::runtime_error("routine failure"); }
__attribute__((noinline)) void rare_site() { throw RareError("rare failure"); }

double seconds_since(const timespec& start) {
    timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<double>(now.tv_sec - start.tv_sec) + static_cast<double>(now.tv_nsec - start.tv_nsec) / 1e9;
}

}  // namespace

int main(int argc, char** argv) {
    const double seconds = argc > 1 ? atof(argv[1]) : 10;
    const double rare_after = argc > 2 ? atof(argv[2]) : 6;
    timespec start;
    clock_gettime(CLOCK_MONOTONIC, &start);
    long routine = 0, rare = 0;
    for (long tick = 0; seconds_since(start) < seconds; ++tick) {
        try {
            routine_site();
        } catch (const std::runtime_error&) {
            ++routine;
        }
        if (tick % 5 == 0 && seconds_since(start) >= rare_after) {
            try {
                rare_site();
            } catch (const RareError&) {
                ++rare;
            }
        }
        timespec pause{0, 20'000'000};
        nanosleep(&pause, nullptr);
    }
    printf("routine %ld rare %ld\n", routine, rare);
    return rare > 0 ? 0 : 1;
}
