#include "core/error/cxx_runtime.h"

#include <dlfcn.h>

#include <atomic>
#include <mutex>

namespace siagent {
namespace {

// The program's std::exception_ptr: one pointer, the thrown object, holding a reference
// to it. Not trivially destructible, so returned in memory, as std::current_exception
// returns it (Itanium C++ ABI); released by the program's own destructor.
struct ApplicationExceptionPtr {
    void* object = nullptr;
    ~ApplicationExceptionPtr();
};

using ExceptionTypeFunction = std::type_info* (*)();
using CurrentExceptionFunction = ApplicationExceptionPtr (*)();
using ReleaseExceptionFunction = void (*)(ApplicationExceptionPtr*);
using SetTerminateFunction = std::terminate_handler (*)(std::terminate_handler);

// Written once under `resolving`, before `resolved` is set; read-only afterwards.
ExceptionTypeFunction exception_type = nullptr;
CurrentExceptionFunction current_exception = nullptr;
ReleaseExceptionFunction release_exception = nullptr;
SetTerminateFunction set_terminate = nullptr;
const std::type_info* std_exception_type = nullptr;  // the program's typeid(std::exception)
std::atomic<bool> resolved{false};
std::once_flag resolving;

template <typename Function>
Function global_symbol(const char* name) {
    // RTLD_DEFAULT: the program's global scope, where the agent's own libstdc++ (local
    // symbols) is not.
    return reinterpret_cast<Function>(dlsym(RTLD_DEFAULT, name));
}

ApplicationExceptionPtr::~ApplicationExceptionPtr() {
    if (object != nullptr) release_exception(this);
}

}  // namespace

bool resolve_application_cxx_runtime() {
    std::call_once(resolving, [] {
        exception_type = global_symbol<ExceptionTypeFunction>("__cxa_current_exception_type");
        current_exception = global_symbol<CurrentExceptionFunction>("_ZSt17current_exceptionv");
        release_exception =
            global_symbol<ReleaseExceptionFunction>("_ZNSt15__exception_ptr13exception_ptrD1Ev");
        set_terminate = global_symbol<SetTerminateFunction>("_ZSt13set_terminatePFvvE");
        std_exception_type = global_symbol<const std::type_info*>("_ZTISt9exception");
        resolved.store(true, std::memory_order_release);
    });
    return exception_type != nullptr;
}

// signal-safe.
std::type_info* application_exception_type() {
    if (!resolved.load(std::memory_order_acquire) || exception_type == nullptr) return nullptr;
    return exception_type();
}

const char* application_exception_what() {
    std::type_info* type = application_exception_type();
    if (type == nullptr || std_exception_type == nullptr || current_exception == nullptr ||
        release_exception == nullptr)
        return nullptr;
    ApplicationExceptionPtr thrown = current_exception();
    if (thrown.object == nullptr) return nullptr;
    // What a `catch (const std::exception&)` does, by the program's own runtime: whether
    // the thrown type derives from std::exception, and where that base is in the object.
    // The object outlives `thrown`: the terminating thread is still handling it.
    void* base = thrown.object;
    if (!std_exception_type->__do_catch(type, &base, 1)) return nullptr;
    return static_cast<const std::exception*>(base)->what();
}

std::terminate_handler application_set_terminate(std::terminate_handler handler) {
    if (!resolve_application_cxx_runtime() || set_terminate == nullptr) return nullptr;
    return set_terminate(handler);
}

}  // namespace siagent
