#!/usr/bin/python3
"""Checks the safety marks of the agent's hot paths in the built machine code.

Code marked signal-safe or malloc-safe (the profiling signal handler, the crash handler,
the interposed malloc family) must allocate nothing, take no lock and call only
async-signal-safe functions. This disassembles a built library (objdump), follows every
direct call and jump from those entry points through the library's own functions, and
fails on any path that reaches a forbidden function: the allocator, locks, the dynamic
linker's lookups, stdio, exceptions, or a function-local static's guard.

What it cannot see: indirect calls (the real allocator and the application's handlers are
called through pointers, by design; so is the start alarm's callback, which makes a thread
from the profiling signal handler only when the interrupted stack can hold no lock that
making one takes: core/cpu/start_alarm.h) and code in other libraries (libunwind, libc), whose
entry points are listed as allowed leaves below.

Usage: check_signal_safety.py LIBRARY [OBJECT...] [--agent] [--list]
Every function an OBJECT file defines and exports is an entry point too (the files whose
functions are all marked signal-safe and malloc-safe: the blocking-call, descriptor, signal
and span interposers). With --agent the two signal handlers must be found (the agent
library; the first stage has none). Exits 0 when every path is clean, 1 with each offending path
printed otherwise.
"""
import re
import subprocess
import sys

# The interposed malloc family. One may call another (reallocarray is realloc); each is
# checked as an entry point of its own.
ALLOCATION_FUNCTIONS = ["malloc", "free", "calloc", "realloc", "reallocarray", "memalign",
                        "posix_memalign", "aligned_alloc", "valloc", "pvalloc"]

# Entry points (demangled names; a prefix matches clones such as `.cold`).
ROOTS = [
    # The profiling signal handler: runs on any application thread at any instruction.
    "siagent::(anonymous namespace)::on_profiling_signal(",
    # The crash handler: runs in a dying thread, possibly inside malloc.
    "siagent::(anonymous namespace)::on_crash_signal(",
    # The interposed malloc family: allocating or locking here would recurse or deadlock.
    *ALLOCATION_FUNCTIONS,
]

# Reaching any of these from a root is a defect (demangled names, matched as prefixes after
# stripping `@plt`).
FORBIDDEN = [
    "malloc", "calloc", "realloc", "free", "memalign", "posix_memalign", "aligned_alloc",
    "operator new", "operator delete", "__cxa_allocate_exception", "__cxa_throw",
    "__cxa_guard_acquire", "std::__throw_", "__cxa_atexit",
    "pthread_mutex_lock", "pthread_mutex_trylock", "pthread_rwlock_", "pthread_cond_",
    "pthread_once", "pthread_create", "pthread_join", "pthread_key_create", "pthread_setspecific",
    "std::mutex::lock", "std::__mutex_base", "std::condition_variable",
    "dlsym", "dlvsym", "dlopen", "dladdr", "dl_iterate_phdr", "siagent_next_symbol",
    "__tls_get_addr",
    "printf", "fprintf", "snprintf", "vsnprintf", "sprintf", "vfprintf", "puts", "fputs",
    "__printf_chk", "__fprintf_chk", "__snprintf_chk", "__vsnprintf_chk", "__sprintf_chk",
    "__vfprintf_chk",
    "fwrite", "fflush", "fopen", "syslog", "strerror", "getenv", "setenv", "localtime",
    "std::string", "std::__cxx11::basic_string", "std::vector", "std::map", "std::unordered_map",
    "siagent::log_", "siagent::print_line",
]

# Functions of this library that a root reaches only on a path that is not the signal or
# allocation path proper, each with the reason it is safe; not followed further.
ALLOWED_INTERNAL = {
    # First-use resolution of an interposed function's next definition (dlsym): the
    # library constructors resolve every one before the agent installs a handler or the
    # first stage forwards an allocation to the agent (preload/real_function.h).
    "siagent::RealFunction<": "resolved by the library constructor",
    # A thread's libunwind data (a dlopen'ed library's thread-local block, allocated by
    # __tls_get_addr), allocated once per thread only where the interrupted code, or the
    # application's call, holds no allocator or loader lock (core/interrupted_code.h).
    "siagent::(anonymous namespace)::make_thread_unwinder_ready(":
        "only where no allocator or loader lock can be held",
    # A fork child's waiting thread, made by the child's own allocation once it has lived its
    # start delay: only in a fork child of a process still to load the agent, only for a
    # call from the application (not from libc, ld.so or the first stage, which may hold a
    # lock that making a thread takes), never in a vfork child, and only when the first
    # stage's lock is free (trylock) (preload/loader/agent_loader.h).
    "siagent::start_waiting_from_allocation(":
        "only for the application's own allocation in a fork child",
    "siagent::step_aside_for_sandbox(":
        "only for syscall(SYS_seccomp) installing a filter, which no signal handler makes",
}

# Exported functions of the checked objects that are not signal-safe by design, with why.
NOT_SIGNAL_SAFE_BY_DESIGN = {
    name: "stops and joins the first stage's waiting thread around the call (LoaderPause)"
    for name in ["setuid", "setgid", "seteuid", "setegid", "setreuid", "setregid", "setresuid",
                 "setresgid", "setgroups", "unshare", "setns"]
}
NOT_SIGNAL_SAFE_BY_DESIGN.update({
    "si_start": "the public API: loads and starts the agent",
    "si_destroy": "the public API: stops the agent and joins its thread",
    "prctl": "stops the agent before PR_SET_SECCOMP sandboxes the process (step_aside_for_sandbox)",
})

# A direct call or jump, or an indirect one through a rip-relative slot. A slot named with a
# dynamic symbol's version (`# 34af40 <pthread_mutex_unlock@GLIBC_2.2.5>`, `<f@Base>` when
# unversioned) is a GOT entry: the agent library is built -fno-plt, so that is a call into
# another library, as a PLT stub's is, and it is named as one. Any other slot is a pointer
# of this library's (the real allocator's, the application's handlers'): not followed.
CALL = re.compile(r"\b(call|jmp)[a-z]*\s+(?:[0-9a-f]+\s+<(.+?)>"
                  r"|\*0x[0-9a-f]+\(%rip\)\s+#\s+[0-9a-f]+\s+<(.+)>)\s*$")
GOT_SLOT = re.compile(r"^(.+)@(?:Base|[A-Z][A-Z_]*[0-9][0-9._]*)$")
HEADER = re.compile(r"^[0-9a-f]+ <(.+)>:$")


def disassemble(library):
    text = subprocess.run(["objdump", "-d", "--no-show-raw-insn", "-C", library],
                          check=True, capture_output=True, text=True).stdout
    calls = {}
    current = None
    for line in text.splitlines():
        header = HEADER.match(line)
        if header:
            current = header.group(1)
            calls.setdefault(current, set())
            continue
        if current is None:
            continue
        call = CALL.search(line)
        if not call:
            continue
        if call.group(2) is not None:
            target = re.sub(r"\+0x[0-9a-f]+$", "", call.group(2))
        else:
            slot = GOT_SLOT.match(call.group(3))
            if not slot:
                continue
            target = slot.group(1) + "@plt"
        if target != current:
            calls[current].add(target)
    return calls


def base_name(name):
    return name[:-4] if name.endswith("@plt") else name


def is_forbidden(name):
    """`name` is an entry of FORBIDDEN, or one of its overloads, versions, clones or members;
    an entry ending in `_` or `:` is a family (every name it begins)."""
    name = base_name(name)
    for entry in FORBIDDEN:
        if not name.startswith(entry):
            continue
        rest = name[len(entry):]
        if rest == "" or entry[-1] in "_:" or rest[0] in "(@<.: ":
            return True
    return False


def exported_functions(objects):
    names = []
    for obj in objects:
        listing = subprocess.run(["nm", "--defined-only", "-C", obj], check=True,
                                 capture_output=True, text=True).stdout
        for line in listing.splitlines():
            fields = line.split(" ", 2)
            if len(fields) == 3 and fields[1] == "T":
                names.append(fields[2])
    return names


def find_roots(calls, objects):
    roots = [name for name in exported_functions(objects)
             if name in calls and name not in NOT_SIGNAL_SAFE_BY_DESIGN]
    for root in ROOTS:
        exact = [name for name in calls if name == root]
        prefixed = [name for name in calls if root.endswith("(") and name.startswith(root)]
        roots.extend(exact or prefixed)
    return sorted(set(roots))


def main():
    if len(sys.argv) < 2:
        print(__doc__)
        return 2
    library = sys.argv[1]
    objects = [arg for arg in sys.argv[2:] if not arg.startswith("--")]
    calls = disassemble(library)
    roots = find_roots(calls, objects)
    handlers = ROOTS[:2] if "--agent" in sys.argv else []
    missing = [root for root in handlers if not any(name.startswith(root) for name in roots)]
    if missing:
        print("entry points not found in %s: %s" % (library, ", ".join(missing)))
        return 1
    failures = []
    for root in roots:
        # Depth-first over this library's functions, remembering one path to each.
        path_to = {root: [root]}
        stack = [root]
        while stack:
            function = stack.pop()
            for target in sorted(calls.get(function, ())):
                if target in path_to:
                    continue
                path = path_to[function] + [target]
                path_to[target] = path
                # A root may call itself or its own clones (malloc's sampled path is malloc),
                # and an allocation function another.
                if base_name(target) == root or target.startswith(root + "."):
                    continue
                if root in ALLOCATION_FUNCTIONS and base_name(target) in ALLOCATION_FUNCTIONS:
                    continue
                if any(target.startswith(allowed) for allowed in ALLOWED_INTERNAL):
                    continue
                if is_forbidden(target):
                    failures.append(path)
                    continue
                if target in calls and not target.endswith("@plt"):
                    stack.append(target)
        if "--list" in sys.argv:
            print("%s reaches %d functions" % (root, len(path_to)))
    for path in failures:
        print("not signal/malloc-safe: " + "\n    -> ".join(path))
    print("%d entry points checked, %d forbidden calls reachable" % (len(roots), len(failures)))
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
