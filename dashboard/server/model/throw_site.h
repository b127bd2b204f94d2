// Where an exception was thrown or a process crashed, the same for every process of a
// build: what the Errors tab shows and groups by, and what the error rules compare.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace siagent::dashboard {

// A frame the agent could not name: its module and file offset ("libstdc++.so.6+0x9a26c"),
// or, from older agents, its address alone or with the module ("0x7fcd0aaa026c
// (libstdc++.so.6)"), which changes with every process's load address.
bool is_unnamed_frame(std::string_view frame);

// The innermost frame with a name (`frames` innermost first). When none has one: the module
// of the innermost frame ("libstdc++.so.6"), or "" when that is unknown too.
std::string throw_site(const std::vector<std::string>& frames);

// A crash's stack without the innermost frames that only delivered the signal: abort,
// raise and pthread_kill, assertion and fortify failures, std::terminate and the throw
// that called it, the agent's own hooks, and unnamed frames of the C and C++ runtimes.
// The whole stack when nothing else is left.
std::vector<std::string> program_frames(const std::vector<std::string>& frames);

// The headline of a crash: throw_site(program_frames(frames)).
std::string crash_site(const std::vector<std::string>& frames);

}  // namespace siagent::dashboard
