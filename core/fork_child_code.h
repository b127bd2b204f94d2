// Where the code that runs in every fork child lives.
//
// A fork child inherits no page-table entries for the parent's code (file-backed
// mappings are faulted in again), so every page of code its fork handlers run costs a
// page fault, about 2 µs on bare metal and 15 to 20 µs on a small VM, in children that
// mostly exec or exit at once. Functions marked SIAGENT_FORK_CHILD_CODE are placed
// together: the linker gathers every .text.hot.* input section at the start of .text, and
// the group starts at a 64 KiB boundary (preload/fork_child_data_start.cpp). The kernel
// maps the file's cached pages up to 64 KiB around a fault (fault-around), so a child
// faults the agent's child handlers, its destructor and the lock it takes in once
// (checked by the 'fork child code in one window' test).
// Mark only functions that run in the child between the fork and its exec (or its exit:
// the library destructor and what it calls in a child whose agent never started; the
// signal and descriptor interposers a shell's child calls to reset its mask and handlers and
// to redirect); what they call and do not inline is still fetched from wherever it lives.
#pragma once

#define SIAGENT_FORK_CHILD_CODE __attribute__((section(".text.hot.siagent_fork_child")))

// The same for data: every variable a fork child's handlers write (the rings' heads, the
// profilers' flags and counters, the CPU profiler's timer generation and thread registry,
// the start alarm, the life-cycle and loading locks) goes into one output section, so a
// child copies one or two pages instead of one each, and so does the parent, which writes
// most of them again after the fork. A section whose name is not .data.* or .bss.* is kept
// whole by the linker (it is not one of the default script's, so every object's part lands
// in one output section of that name). Mark only variables of the agent's library that fork
// handlers write.
#define SIAGENT_FORK_CHILD_DATA __attribute__((section("siagent_fork_child_data")))
