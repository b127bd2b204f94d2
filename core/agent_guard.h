// Telling the agent's own work from the application's, per thread.
//
// Interposed calls (malloc, read, poll, __cxa_throw...) made by the agent itself (its
// thread, or agent code running on an application thread: symbolizer caches, logging,
// libunwind) must never be sampled and must never recurse into a profiler. Every
// interposer checks inside_agent() first and goes straight to the real function when true.
//
// The flag lives in initial-exec TLS: reading it never calls __tls_get_addr, which could
// allocate (and so recurse into malloc) on first touch. signal-safe, malloc-safe.
#pragma once

namespace siagent {

// Zero-initialized per thread; depth > 0 means "agent code is running on this thread".
extern thread_local constinit int agent_code_depth __attribute__((tls_model("initial-exec")));

inline bool inside_agent() { return agent_code_depth > 0; }

// Marks a scope as agent code. Nests. signal-safe, malloc-safe.
class AgentScope {
public:
    AgentScope() { ++agent_code_depth; }
    ~AgentScope() { --agent_code_depth; }
    AgentScope(const AgentScope&) = delete;
    AgentScope& operator=(const AgentScope&) = delete;
};

// For the agent's own thread: everything it does, for its whole life, is agent code.
inline void mark_thread_as_agent() { agent_code_depth = 1 << 20; }

}  // namespace siagent
