// Known truth: a program that crashes in a known function, one way per mode.
// Usage: crash_kinds null | abort | divide | uncaught | recover | ignored [seconds to wait first]
//   null      writes through a null pointer in crash_null_write      (SIGSEGV)
//   abort     calls abort() from crash_abort_call                    (SIGABRT)
//   divide    divides an integer by zero in crash_divide             (SIGFPE)
//   uncaught  throws std::runtime_error("no way out") from crash_throw, never caught
//             (std::terminate, then SIGABRT)
//   ignored   sets SIGSEGV to SIG_IGN, then writes through a null pointer in
//             crash_null_write: a fault cannot be ignored, the kernel kills (SIGSEGV)
//   recover   installs its own SIGSEGV handler, faults in crash_null_write, recovers
//             with siglongjmp, prints "recovered" and exits 0
// Before crashing it prints "crashing in <function>".
#include <setjmp.h>
#include <unistd.h>

#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <stdexcept>

namespace {

volatile int zero = 0;
int* volatile nowhere = nullptr;
sigjmp_buf recovery;

__attribute__((noinline)) void crash_null_write(int value) {
    *nowhere = value;
    asm volatile("" ::: "memory");
}

__attribute__((noinline)) void crash_abort_call() {
    abort();
}

__attribute__((noinline)) int crash_divide(int value) { return value / zero; }

__attribute__((noinline)) void crash_throw() { throw std::runtime_error("no way out"); }

void on_segv(int) { siglongjmp(recovery, 1); }

}  // namespace

int main(int argc, char** argv) {
    const char* mode = argc > 1 ? argv[1] : "null";
    if (argc > 2) usleep(static_cast<useconds_t>(atof(argv[2]) * 1e6));
    printf("crashing in %s\n", mode);
    fflush(stdout);
    if (strcmp(mode, "null") == 0) crash_null_write(1);
    if (strcmp(mode, "ignored") == 0) {
        signal(SIGSEGV, SIG_IGN);
        crash_null_write(3);
    }
    if (strcmp(mode, "abort") == 0) crash_abort_call();
    if (strcmp(mode, "divide") == 0) printf("%d\n", crash_divide(7));
    if (strcmp(mode, "uncaught") == 0) crash_throw();
    if (strcmp(mode, "recover") == 0) {
        struct sigaction action = {};
        action.sa_handler = on_segv;
        sigemptyset(&action.sa_mask);
        sigaction(SIGSEGV, &action, nullptr);
        if (sigsetjmp(recovery, 1) == 0) crash_null_write(2);
        printf("recovered\n");
        return 0;
    }
    return 3;
}
