// The application's C++ runtime, as distinct from the agent's own.
//
// The agent library links its own copy of libstdc++ and of the unwinder (statically, its
// symbols hidden: one shared library less to load and relocate in every profiled process).
// The C++ state that belongs to the program — the exception being handled on a thread,
// the terminate handler — lives in the program's libstdc++, not in the agent's copy, so
// the agent reaches it only through the functions below, found by name in the process's
// global scope. A process without a C++ runtime (a C program) has none of them.
#pragma once

#include <exception>
#include <typeinfo>

namespace siagent {

// Normal context: looks the functions up once (later calls return at once). False when
// the process has no C++ runtime loaded.
bool resolve_application_cxx_runtime();

// signal-safe once resolved (a pointer load and libstdc++'s own lock-free lookup): the type
// of the exception the calling thread is handling, or nullptr.
std::type_info* application_exception_type();

// Not signal-safe (it calls what()): the what() of the exception the calling thread is
// handling when it is a std::exception, else nullptr. For the terminate handler.
const char* application_exception_what();

// Installs `handler` as the program's terminate handler; returns the previous one, or
// nullptr (and installs nothing) without a C++ runtime.
std::terminate_handler application_set_terminate(std::terminate_handler handler);

}  // namespace siagent
