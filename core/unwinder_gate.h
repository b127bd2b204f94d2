// No fork copies one of libunwind's locks while it is held.
//
// libunwind guards process-wide state (its cache of register-state rules, its memory pools)
// with mutexes taken inside unw_step and unw_backtrace. When a thread held one while another
// thread forked, the child inherits it locked with no owner, and its first unwind (a sample,
// or the start alarm's look at the interrupted code) waits for ever: a fork-heavy program
// with allocating threads hung that way (alloc_fork, about 1 run in 100).
//
// So every entry into libunwind on the agent's behalf passes a gate, and fork's prepare
// handler closes the gate and waits until the unwinds under way have left (they take
// microseconds). An unwind refused at the closed gate is a sample without a stack, and
// only while a fork is being prepared. If they have not left within kForkWaitLimit (a thread
// stopped inside libunwind by a debugger), the fork goes on and the child, and its own
// children, never unwind again: their samples have no stacks, and nothing hangs.
#pragma once

#include <chrono>

#include "core/unwinder_memory.h"

namespace siagent {

constexpr std::chrono::milliseconds kForkWaitLimit{50};

// A call into libunwind on the agent's behalf (an UnwinderCall) that asked the gate.
// Proceed only when admitted(). Nests: a nested entry of an admitted thread is admitted.
// signal-safe, malloc-safe, lock-free.
class UnwinderEntry {
public:
    UnwinderEntry();
    ~UnwinderEntry();
    UnwinderEntry(const UnwinderEntry&) = delete;
    UnwinderEntry& operator=(const UnwinderEntry&) = delete;
    bool admitted() const { return admitted_; }

private:
    UnwinderCall call_;
    bool admitted_;
};

// The fork handlers, in this order: close in prepare (waits for the unwinds under way, at
// most kForkWaitLimit), then one of the two opens. Closing is not signal-safe (it sleeps);
// the opens are (and run in the child between fork and exec).
void close_unwinder_gate_for_fork();
void open_unwinder_gate_in_parent();
void open_unwinder_gate_in_child();

// Whether this process may unwind at all (false in the child of a fork that gave up waiting).
bool unwinder_usable();

}  // namespace siagent
