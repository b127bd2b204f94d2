// The cost of one fault signal that the application's own handler recovers from, as a JVM
// recovers from the SIGSEGV of an implicit null check or a program from a guard-page fault:
// each iteration loads from address 0, and the handler steps over the two-byte load.
// scripts/bench-signals runs it without and under the agent (whose crash handler sees
// every such SIGSEGV first and hands it on). Prints "fault_delivery_ns <ns>".
// Usage: fault_deliveries [faults, default 100000]
#include <signal.h>
#include <ucontext.h>

#include <cstdio>
#include <cstdlib>
#include <ctime>

namespace {

void step_over_load(int, siginfo_t*, void* context) {
#if defined(__x86_64__)
    static_cast<ucontext_t*>(context)->uc_mcontext.gregs[REG_RIP] += 2;  // mov (%rcx),%eax
#elif defined(__aarch64__)
    static_cast<ucontext_t*>(context)->uc_mcontext.pc += 4;  // ldr w0, [x0]
#endif
}

double seconds_now() {
    timespec now{};
    clock_gettime(CLOCK_MONOTONIC, &now);
    return static_cast<double>(now.tv_sec) + static_cast<double>(now.tv_nsec) * 1e-9;
}

}  // namespace

int main(int argc, char** argv) {
    struct sigaction action = {};
    action.sa_sigaction = step_over_load;
    action.sa_flags = SA_SIGINFO;
    sigemptyset(&action.sa_mask);
    sigaction(SIGSEGV, &action, nullptr);
    const long faults = argc > 1 ? std::atol(argv[1]) : 100000;
    const double start = seconds_now();
    for (long i = 0; i < faults; ++i) {
#if defined(__x86_64__)
        asm volatile("xor %%ecx, %%ecx\n\tmov (%%rcx), %%eax" ::: "rcx", "rax", "memory");
#elif defined(__aarch64__)
        asm volatile("mov x0, #0\n\tldr w0, [x0]" ::: "x0", "memory");
#endif
    }
    std::printf("fault_delivery_ns %.0f\n", (seconds_now() - start) * 1e9 / static_cast<double>(faults));
    return 0;
}
