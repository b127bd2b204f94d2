// File descriptors the agent owns, kept out of the application's way.
//
// The agent's descriptors (its event loop's epoll, eventfd and timerfd, its sockets, the
// files it writes) are moved above a floor (descriptor_floor) as soon as
// they are made, close-on-exec, and registered here. The interposed close family then
// refuses to close them for the application (a daemon's "close every descriptor" loop gets
// EBADF for them, as for any number it does not hold), so the agent's loop survives and
// the application's files keep the numbers it expects. An application that dup2()s onto
// one of them explicitly wins: the number becomes the application's, and is marked lost,
// so that the agent's later calls on it fail with EBADF instead of touching the
// application's file (the agent's loop then stops and says so).
//
// The registry is a bitmap of atomic words, one bit per descriptor below kTrackedLimit:
// lookups are one relaxed load (signal-safe, malloc-safe, lock-free); every writer is a
// fetch_or/fetch_and on one word, so concurrent registrations never lose each other.
#pragma once

namespace siagent {

// Descriptors at or above this are never registered (the floor keeps them below it).
constexpr int kTrackedLimit = 4096;

// Where the agent's descriptors go under any usual RLIMIT_NOFILE: above the numbers programs
// pick by hand (3 to 9, bash's 10 and up for `exec {name}>`), and inside the kernel's
// descriptor table of 128 entries. Each fork copies the table up to its highest open
// descriptor: one at 960 made every fork of a small program (a shell, make) copy 1,024
// entries, 5 to 10 us more per fork than 128 (docs/performance.md, "The descriptor table a fork copies").
constexpr int kUsualFloor = 112;

// The lowest number adopt_descriptor moves to, from RLIMIT_NOFILE's soft limit:
// kUsualFloor, or 64 below a smaller limit, and at least 3 below the limit. Not
// signal-safe (getrlimit is, but callers need not care).
int descriptor_floor();

// Moves a descriptor the agent just made above the floor (F_DUPFD_CLOEXEC, then closes the
// original) and registers it. Returns the descriptor to use: the moved one, or `fd` itself
// (still registered, close-on-exec set) when there is no room above the floor. Negative
// `fd` passes through. signal-safe, malloc-safe (fcntl and close only).
int adopt_descriptor(int fd);

// The agent closed or gave up its descriptor. signal-safe, malloc-safe.
void forget_descriptor(int fd);

// signal-safe, malloc-safe: one relaxed load each.
bool is_agent_descriptor(int fd);
bool is_lost_descriptor(int fd);

// Whether a registered number still holds the file the agent adopted there (the same file
// type, device and inode, close-on-exec). It may not: code the agent runs can close its
// descriptor where no interposer sees it (libstdc++'s directory iterator opens with openat
// and closes with closedir, glibc's internal close), and the application's next descriptor
// may then get the number. Such a stale registration is forgotten here, so that the
// application's close of its own descriptor is not refused (Chromium aborts on that EBADF;
// a server would leak the connection). Two system calls (fcntl, fstat); signal-safe,
// malloc-safe. Anonymous descriptors (eventfd, epoll, timerfd) share one inode: among them
// only the close-on-exec flag tells the application's apart.
bool agent_still_holds(int fd);

// The application took the number for itself (dup2/dup3 onto it): not the agent's any more,
// and the agent's calls on it must fail. signal-safe, malloc-safe.
void mark_descriptor_lost(int fd);

// Whether the application ever took one of the agent's numbers (since start, or since the
// fork child cleared the parent's). signal-safe, malloc-safe.
bool any_descriptor_lost();

// In a fork child, before its own agent starts: closes every descriptor the parent's agent
// had (the child's copy of its event loop, sockets and files; that agent is abandoned and
// never uses them again; a stale number, now the application's, is left open) and forgets them, so that no generation of forks accumulates them.
// Only the forking thread exists then. signal-safe, malloc-safe.
void close_inherited_descriptors();

// Whether [first, last] holds a descriptor the agent still holds (agent_still_holds; stale
// registrations met on the way are forgotten); `next` gets the lowest one. signal-safe,
// malloc-safe.
bool find_agent_descriptor(unsigned first, unsigned last, int& next);

}  // namespace siagent
