#include "core/error/terminate_hook.h"

#include <unistd.h>

#include <atomic>
#include <cstdlib>
#include <exception>
#include <typeinfo>

#include "core/error/cxx_runtime.h"
#include "core/error/error_profiler.h"
#include "core/safe_format.h"
#include "core/thread_id.h"

namespace siagent {
namespace {

std::terminate_handler previous_handler = nullptr;
std::atomic<bool> installed{false};

// Written once, by the first thread that terminates; read by its crash handler.
std::atomic<pid_t> noted_tid{0};
char noted_type[256];
char noted_what[kMaxErrorMessageBytes + 1];

// Called by the program's std::terminate: the exception is the program's runtime's, read
// through it (core/error/cxx_runtime.h), never rethrown into the agent's own runtime.
void note_current_exception() {
    std::type_info* type = application_exception_type();
    if (type == nullptr) return;
    pid_t expected = 0;
    pid_t self = current_thread_id();
    if (!noted_tid.compare_exchange_strong(expected, -1)) return;
    SafeText(noted_type, sizeof noted_type).add(type->name());
    if (const char* what = application_exception_what()) SafeText(noted_what, sizeof noted_what).add(what);
    noted_tid.store(self, std::memory_order_release);
}

[[noreturn]] void on_terminate() {
    note_current_exception();
    if (previous_handler != nullptr) previous_handler();
    abort();  // what std::terminate does when a handler returns
}

}  // namespace

void install_terminate_hook() {
    if (installed.exchange(true)) return;
    previous_handler = application_set_terminate(on_terminate);
}

bool terminating_exception(pid_t tid, const char*& type_name, const char*& what) {
    if (tid == 0 || noted_tid.load(std::memory_order_acquire) != tid) return false;
    type_name = noted_type;
    what = noted_what;
    return true;
}

}  // namespace siagent
