// The next definition of a libc function after the interposing library, for core code that
// calls the real function past the agent's own interposer (sigaction).
#pragma once

namespace siagent {

// dlsym(RTLD_NEXT, name) as libsiagent.so sees it (its siagent_next_symbol), so that the
// answer is libc's and never the first stage's forwarder; programs that link core without
// libsiagent.so (unit tests) get their own RTLD_NEXT. Not signal-safe (dlsym).
void* next_symbol(const char* name);

}  // namespace siagent
