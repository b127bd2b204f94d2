#include "core/interrupted_code.h"

#include <dlfcn.h>
#include <signal.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cstdint>
#include <cstdlib>

#include <catch2/catch.hpp>

using namespace siagent;

// Addresses in this test program count as the application's, libc's as the C runtime's.
namespace {

__attribute__((noinline)) uint64_t application_code() {
    return reinterpret_cast<uint64_t>(__builtin_return_address(0));
}

uint64_t libc_code(const char* name) {
    return reinterpret_cast<uint64_t>(dlsym(RTLD_DEFAULT, name)) + 4;
}

void remember_runtime() { remember_runtime_code(dlsym(RTLD_DEFAULT, "malloc")); }

volatile sig_atomic_t holds_no_lock = -1;

void judge_interrupted_code(int, siginfo_t*, void* ucontext) {
    holds_no_lock = interrupted_code_holds_no_lock(ucontext) ? 1 : 0;
}

// The signal comes back from the kernel in libc's syscall() wrapper, which holds no lock.
__attribute__((noinline)) void interrupt_here() {
    syscall(SYS_tgkill, getpid(), static_cast<pid_t>(syscall(SYS_gettid)), SIGUSR2);
}

int compare_and_interrupt(const void* a, const void* b) {
    interrupt_here();
    return *static_cast<const int*>(a) - *static_cast<const int*>(b);
}

int judged_signal(void (*work)()) {
    struct sigaction action {}, previous{};
    action.sa_sigaction = judge_interrupted_code;
    action.sa_flags = SA_SIGINFO;
    sigaction(SIGUSR2, &action, &previous);
    holds_no_lock = -1;
    work();
    sigaction(SIGUSR2, &previous, nullptr);
    return holds_no_lock;
}

}  // namespace

TEST_CASE("a call the application made holds no lock; one made by the C runtime, or through "
          "a runtime callback, may") {
    remember_runtime();
    REQUIRE(runtime_code_known());
    const uint64_t application = application_code();
    const uint64_t start_main = libc_code("__libc_start_main");
    // The application's frames, then the thread's start (up to three runtime frames).
    const uint64_t direct[] = {application, application, application, start_main, start_main,
                               application};
    CHECK(call_holds_no_lock(direct, 6));
    // malloc called by libc itself (strdup, fopen): libc may hold a lock of its own.
    const uint64_t from_libc[] = {libc_code("strdup"), application, start_main, application};
    CHECK_FALSE(call_holds_no_lock(from_libc, 4));
    // The application called back from libc (a qsort comparator, a dl_iterate_phdr callback).
    const uint64_t callback[] = {application, libc_code("qsort"), application, application,
                                 application, start_main, start_main, application};
    CHECK_FALSE(call_holds_no_lock(callback, 8));
    CHECK_FALSE(call_holds_no_lock(direct, 0));
}

TEST_CASE("a signal that interrupted the application's own call holds no lock; one inside a "
          "runtime callback may") {
    remember_runtime();
    CHECK(judged_signal(interrupt_here) == 1);
    CHECK(judged_signal([] {
              int values[] = {3, 1, 2};
              qsort(values, 3, sizeof values[0], compare_and_interrupt);
          }) == 0);
}
