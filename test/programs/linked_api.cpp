// Known truth: a program linked with libsiagent (not preloaded) starts a worker thread
// BEFORE it starts the agent through the C API; the worker must still be sampled (found
// by the agent's scan of existing threads). Ends with si_destroy(), which writes the
// profile, and closes every descriptor the agent opened: it prints how many the process held
// before si_start and after si_destroy. Usage: linked_api OUTPUT_DIR [units, default 60]
#include <pthread.h>

#include <atomic>
#include <csignal>  // before siagent.h on purpose: the header must not clash with <signal.h>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "burn.h"
#include "siagent.h"
#include "thread_count.h"

namespace {

long units = 60;
std::atomic<bool> agent_started{false};

__attribute__((noinline)) void early_thread_burn() { BURN_UNITS(units); }

void* early_thread(void*) {
    while (!agent_started) {
    }
    early_thread_burn();
    return nullptr;
}

}  // namespace

int main(int argc, char** argv) {
    if (argc < 2) return 2;
    if (argc > 2) units = strtol(argv[2], nullptr, 10);
    pthread_t thread;
    pthread_create(&thread, nullptr, early_thread, nullptr);

    const int descriptors_before = count_descriptors();
    std::string output = std::string("SI_OUTPUT_DIR=") + argv[1];
    const char* options[] = {output.c_str(), "SI_APP_NAME=linked-api", "SI_CPU_SAMPLING_HZ=250",
                             nullptr};
    int status = si_start(options);
    if (status != SIAGENT_OK) {
        fprintf(stderr, "si_start failed: %d\n", status);
        return 1;
    }
    const char* bad[] = {"SI_NOT_AN_OPTION=1", nullptr};
    if (si_start(bad) != SIAGENT_ERROR_UNKNOWN_OPTION) return 1;

    agent_started = true;
    pthread_join(thread, nullptr);
    si_destroy();
    si_destroy();  // a second call is harmless
    printf("descriptors before %d after %d\n", descriptors_before, count_descriptors());
    return 0;
}
