// std::terminate with an exception in flight (an uncaught exception, or one escaping a
// noexcept function): the crash record names the exception's type and what(). A terminate
// handler of the agent notes them, then calls the handler that was there before (by
// default libstdc++'s, which prints them and calls abort(): the SIGABRT crash handler then
// writes the record). The program's own std::set_terminate later replaces it; the record
// then still has the type, read in the SIGABRT handler.
#pragma once

#include <sys/types.h>

namespace siagent {

// Agent thread: installs the agent's terminate handler once per process.
void install_terminate_hook();

// signal-safe. The exception noted by the terminate handler on thread `tid`: its type
// name (mangled) and what() (empty when it is not a std::exception). False when that
// thread did not terminate with an exception.
bool terminating_exception(pid_t tid, const char*& type_name, const char*& what);

}  // namespace siagent
