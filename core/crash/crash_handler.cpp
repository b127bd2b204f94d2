#include "core/crash/crash_handler.h"

#include <dlfcn.h>
#include <fcntl.h>
#include <setjmp.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <atomic>
#include <cstring>
#include <ctime>

#include "core/crash/crash_context.h"
#include "core/error/cxx_runtime.h"
#include "core/next_symbol.h"
#include "core/safe_format.h"
#include "core/signal_table.h"
#include "core/stack_capture.h"
#include "core/stack_sample.h"
#include "core/error/terminate_hook.h"
#include "core/thread_id.h"

namespace siagent {
namespace {

using SigactionFunction = int (*)(int, const struct sigaction*, struct sigaction*);

std::atomic<bool> recording{false};       // records are written
std::atomic<bool> handlers_installed{false};
SigactionFunction real_sigaction = nullptr;  // libc's; set before the handlers

// One crash is recorded per process: the first thread to crash writes it, others wait
// for it (bounded) so the process does not die before the record is complete.
std::atomic<pid_t> recording_tid{0};
std::atomic<bool> record_done{false};
sigjmp_buf fault_guard;  // a fault inside our own capture jumps back here
std::atomic<bool> guard_armed{false};  // fault_guard is valid (during the capture only)

char header_buffer[8192];
char name_buffer[512];
uint64_t frames[kMaxStackFrames];

const char* signal_name(int signal_number) {
    switch (signal_number) {
        case SIGSEGV: return "SIGSEGV";
        case SIGBUS: return "SIGBUS";
        case SIGILL: return "SIGILL";
        case SIGFPE: return "SIGFPE";
        case SIGABRT: return "SIGABRT";
        default: return "?";
    }
}

void write_all(int fd, const char* data, size_t length) {  // signal-safe
    while (length > 0) {
        ssize_t written = syscall(SYS_write, fd, data, length);
        if (written <= 0) return;
        data += written;
        length -= static_cast<size_t>(written);
    }
}

// signal-safe. The exception in flight, if any: noted by the terminate handler, else the
// type libstdc++ keeps for the exception being handled on this thread.
void add_exception(SafeText& out, pid_t tid) {
    const char* type = nullptr;
    const char* what = nullptr;
    if (!terminating_exception(tid, type, what)) {
        std::type_info* current = application_exception_type();
        if (current != nullptr) type = current->name();
    }
    if (type == nullptr) return;
    out.add("exception ").add_escaped(type).add("\n");
    if (what != nullptr && what[0] != '\0') out.add("exception_what ").add_escaped(what).add("\n");
}

// signal-safe. Captures the stack, guarded: a fault inside the unwinder comes back here
// with whatever was captured so far discarded.
int capture_guarded(void* ucontext) {
    sigset_t faults, previous;
    sigemptyset(&faults);
    sigaddset(&faults, SIGSEGV);
    sigaddset(&faults, SIGBUS);
    // Unblocked so that a nested fault enters our handler (and jumps back) instead of
    // killing the process before the record is written.
    syscall(SYS_rt_sigprocmask, SIG_UNBLOCK, &faults, &previous, _NSIG / 8);
    int depth = 0;
    if (sigsetjmp(fault_guard, 0) == 0) {
        guard_armed.store(true, std::memory_order_release);
        depth = capture_interrupted_stack(ucontext, frames, kMaxStackFrames).depth;
    }
    guard_armed.store(false, std::memory_order_release);
    syscall(SYS_rt_sigprocmask, SIG_SETMASK, &previous, nullptr, _NSIG / 8);
    return depth;
}

void format_header(SafeText& out, int signal_number, const siginfo_t* info, pid_t tid) {
    timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    out.add("siagent crash record 1\n");
    out.add("signal ").add_decimal(static_cast<uint64_t>(signal_number)).add(" ").add(signal_name(signal_number)).add("\n");
    out.add("code ").add_signed(info != nullptr ? info->si_code : 0).add("\n");
    out.add("fault_address ").add_hex(info != nullptr ? reinterpret_cast<uint64_t>(info->si_addr) : 0).add("\n");
    out.add("pid ").add_decimal(static_cast<uint64_t>(getpid())).add("\n");
    out.add("tid ").add_decimal(static_cast<uint64_t>(tid)).add("\n");
    out.add("time_unix_ms ").add_decimal(static_cast<uint64_t>(now.tv_sec) * 1000 + now.tv_nsec / 1'000'000).add("\n");
    add_exception(out, tid);
}

// signal-safe. Writes the whole record under a hidden name, then renames it, so a reader
// (the next agent) never sees half a record.
void write_record(int signal_number, siginfo_t* info, void* ucontext, pid_t tid) {
    timespec now;
    clock_gettime(CLOCK_REALTIME, &now);
    CrashContextView context;
    if (!begin_crash_context(context)) return;
    int depth = capture_guarded(ucontext);
    SafeText header(header_buffer, sizeof header_buffer);
    format_header(header, signal_number, info, tid);
    header.add("frames ").add_decimal(static_cast<uint64_t>(depth)).add("\n");
    for (int i = 0; i < depth; ++i) header.add_hex(frames[i]).add("\n");

    SafeText name(name_buffer, sizeof name_buffer);
    name.add(context.spool_dir).add("/.crash-").add_decimal(static_cast<uint64_t>(getpid()))
        .add("-").add_decimal(static_cast<uint64_t>(tid)).add(".tmp");
    int fd = static_cast<int>(syscall(SYS_openat, AT_FDCWD, name.text(),
                                      O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600));
    if (fd >= 0) {
        write_all(fd, header.text(), header.length());
        write_all(fd, context.text, context.text_length);
        write_all(fd, "end\n", 4);
        syscall(SYS_close, fd);
        char final_name[sizeof name_buffer];
        SafeText target(final_name, sizeof final_name);
        target.add(context.spool_dir).add("/crash-").add_decimal(static_cast<uint64_t>(getpid()))
            .add("-").add_decimal(static_cast<uint64_t>(tid)).add("-")
            .add_decimal(static_cast<uint64_t>(now.tv_sec)).add(".rec");
        syscall(SYS_renameat, AT_FDCWD, name.text(), AT_FDCWD, target.text());
    }
    end_crash_context();
}

bool is_fault(int signal_number, const siginfo_t* info) {
    return info != nullptr && info->si_code > 0 && signal_number != SIGABRT;
}

// signal-safe. Another thread is writing the record: give it up to 2 s before dying.
void wait_for_record() {
    for (int i = 0; i < 200 && !record_done.load(std::memory_order_acquire); ++i) {
        timespec pause = {0, 10'000'000};
        syscall(SYS_nanosleep, &pause, nullptr);
    }
}

// signal-safe. Whether the application's own disposition deals with this delivery: its
// handler does; SIG_IGN does too, except for a hardware fault, which the kernel never lets
// a process ignore (it would kill it by the default action).
bool application_handles(int signal_number, const siginfo_t* info) {
    struct sigaction application;
    if (!exchange_application_action(signal_number, nullptr, &application)) return false;
    if (application.sa_handler == SIG_DFL) return false;
    if (application.sa_handler == SIG_IGN) return !is_fault(signal_number, info);
    return true;
}

// signal-safe.
void on_crash_signal(int signal_number, siginfo_t* info, void* ucontext) {
    int saved_errno = errno;
    // The thread's id only when it is needed (a system call: the signals a JVM or a
    // guard-page handler takes by the thousand go on to the application without it).
    if (guard_armed.load(std::memory_order_acquire) && recording_tid.load() == current_thread_id())
        siglongjmp(fault_guard, 1);  // we faulted inside our own capture
    if (!recording.load(std::memory_order_acquire) || application_handles(signal_number, info)) {
        errno = saved_errno;
        chain_to_application(signal_number, info, ucontext);
        return;
    }
    const pid_t tid = current_thread_id();
    pid_t none = 0;
    if (recording_tid.compare_exchange_strong(none, tid)) {
        write_record(signal_number, info, ucontext, tid);
        record_done.store(true, std::memory_order_release);
    } else {
        wait_for_record();
    }
    if (is_fault(signal_number, info) && real_sigaction != nullptr) {
        // (Also when the application set SIG_IGN: a fault cannot be ignored.)
        // Returning runs the faulting instruction again, now under the default action:
        // the process ends by the real fault, with its address in the core dump.
        struct sigaction fallback = {};
        fallback.sa_handler = SIG_DFL;
        sigemptyset(&fallback.sa_mask);
        real_sigaction(signal_number, &fallback, nullptr);
        errno = saved_errno;
        return;
    }
    errno = saved_errno;
    chain_to_application(signal_number, info, ucontext);  // SIG_DFL: raised again
}

}  // namespace

bool install_crash_handlers(const Config& config, std::string& error) {
    if (!prepare_crash_context(config, error)) return false;
    install_terminate_hook();
    prepare_stack_capture();
    if (!handlers_installed.exchange(true)) {
        real_sigaction = reinterpret_cast<SigactionFunction>(next_symbol("sigaction"));
        for (int signal_number : kCrashSignals) {
            int failure = install_agent_handler(signal_number, on_crash_signal);
            if (failure != 0) {
                error = std::string("cannot install the ") + signal_name(signal_number) +
                        " handler: " + strerror(failure);
                return false;
            }
        }
    }
    recording.store(true, std::memory_order_release);
    return true;
}

}  // namespace siagent
