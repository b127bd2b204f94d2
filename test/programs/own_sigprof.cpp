// Known truth: this program owns SIGPROF. In mode "handler" it installs its own handler and
// its own setitimer(ITIMER_PROF) profiler, and counts the signals it gets: it must get its
// own (si_code SI_KERNEL) and never a POSIX-timer signal (SI_TIMER) of the agent's. In mode
// "default" it resets SIGPROF to SIG_DFL and burns CPU: the agent's timers must not kill it;
// "sysv_default" and "bsd_default" do the same through __sysv_signal (what signal() is in a
// strict ISO C build) and bsd_signal. Exits 0 when what it saw is right.
// Usage: own_sigprof handler|default|sysv_default|bsd_default
#include <sys/time.h>

#include <atomic>
#include <csignal>
#include <cstdio>
#include <cstring>

#include "burn.h"

extern "C" {
sighandler_t __sysv_signal(int signal_number, sighandler_t handler);
sighandler_t bsd_signal(int signal_number, sighandler_t handler);
}

namespace {

std::atomic<int> own_signals{0};
std::atomic<int> timer_signals{0};

void count_signal(int, siginfo_t* info, void*) {
    if (info->si_code == SI_TIMER) ++timer_signals;
    else ++own_signals;
}

__attribute__((noinline)) void burn_with_own_profiler() { BURN_UNITS(200); }

}  // namespace

int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "handler";
    // Let the agent's timers run first, so that they are really armed when we take over.
    BURN_UNITS(50);
    if (strstr(mode, "default") != nullptr) {
        if (strcmp(mode, "sysv_default") == 0) __sysv_signal(SIGPROF, SIG_DFL);
        else if (strcmp(mode, "bsd_default") == 0) bsd_signal(SIGPROF, SIG_DFL);
        else signal(SIGPROF, SIG_DFL);
        burn_with_own_profiler();
        return 0;
    }
    struct sigaction action = {};
    action.sa_sigaction = count_signal;
    action.sa_flags = SA_SIGINFO | SA_RESTART;
    sigaction(SIGPROF, &action, nullptr);
    itimerval every_ms = {{0, 1000}, {0, 1000}};
    setitimer(ITIMER_PROF, &every_ms, nullptr);
    burn_with_own_profiler();
    itimerval off = {};
    setitimer(ITIMER_PROF, &off, nullptr);
    printf("own %d timer %d\n", own_signals.load(), timer_signals.load());
    return own_signals > 0 && timer_signals == 0 ? 0 : 1;
}
