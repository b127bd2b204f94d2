// The bundled demo: a small "service" whose request handler spends its CPU in three steps
// of known cost: score_items 55 %, parse_request 25 %, render_response 20 %.
// It is what `scripts/quickstart` profiles, and what `scripts/bench` times.
// Usage: demo_hotspots [requests per thread, default 400] [threads, default 2]
//                      [extra stack depth, default 0] [minimum seconds, default 0]
//                      [render_response cost factor, default 1]
// With a minimum run time, each thread keeps serving requests until that much wall time
// has passed (for tests that need several report intervals). A cost factor F makes
// render_response F times as costly: "the next release, with a slower function" (at F = 4
// its share rises from 20 % to 0.8 / 1.6 = 50 %).
#include <pthread.h>

#include <chrono>

#include <cstdio>
#include <cstdlib>

#include "burn.h"

namespace {

long requests = 400;
int threads = 2;
int extra_depth = 0;
double minimum_seconds = 0;
double render_factor = 1;
auto started = std::chrono::steady_clock::now();

// One "request" is 20 parts of work; the parts are split as stated above.
__attribute__((noinline)) void parse_request() { BURN_UNITS(0.05 * 5); }
__attribute__((noinline)) void score_items() { BURN_UNITS(0.05 * 11); }
__attribute__((noinline)) void render_response() { BURN_UNITS(0.05 * 4 * render_factor); }

__attribute__((noinline)) void handle_request() {
    parse_request();
    score_items();
    render_response();
}

// Adds `depth` frames above the handler, to measure stack capture on deep stacks.
__attribute__((noinline)) void dispatch(int depth) {
    if (depth > 0) {
        dispatch(depth - 1);
        asm volatile("" ::: "memory");  // keeps the call from becoming a tail call
        return;
    }
    handle_request();
}

bool minimum_time_passed() {
    return std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count() >=
           minimum_seconds;
}

void* serve(void*) {
    for (long i = 0; i < requests || !minimum_time_passed(); ++i) dispatch(extra_depth);
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc > 1) requests = strtol(argv[1], nullptr, 10);
    if (argc > 2) threads = atoi(argv[2]);
    if (argc > 3) extra_depth = atoi(argv[3]);
    if (argc > 4) minimum_seconds = atof(argv[4]);
    if (argc > 5) render_factor = atof(argv[5]);
    if (threads < 1) threads = 1;
    if (threads > 64) threads = 64;
    pthread_t workers[64];
    for (int i = 0; i < threads; ++i) pthread_create(&workers[i], nullptr, serve, nullptr);
    for (int i = 0; i < threads; ++i) pthread_join(workers[i], nullptr);
    printf("demo: %ld requests on %d threads done\n", requests * threads, threads);
    return 0;
}
