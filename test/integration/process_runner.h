// Runs a program the way a user would (optionally under LD_PRELOAD) and collects what it
// printed, how it ended, and the profile files it left.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "core/profile.h"

namespace siagent::testing {

struct RunResult {
    int exit_code = -1;    // when it exited
    int signal = 0;        // when a signal ended it
    bool timed_out = false;
    std::string out;
    std::string err;
};

// Paths given by meson through the environment.
std::string agent_library();
std::string program(const std::string& name);
std::string siagent_cli();

// Runs `argv` with the current environment plus `environment` (entries with an empty value
// are removed), killing it after `timeout_seconds`.
// CPU time (user + system) of the waited-for children so far: around a run(), what that
// program used.
double children_cpu_seconds();

RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& environment,
              int timeout_seconds = 120);

// A fresh empty directory under $TMPDIR (or /tmp), removed by the destructor.
class TemporaryDirectory {
public:
    TemporaryDirectory();
    ~TemporaryDirectory();
    const std::string& path() const { return path_; }
    // Files in the directory whose names start with `prefix`, sorted.
    std::vector<std::string> files(const std::string& prefix = "") const;

private:
    std::string path_;
};

// The "truth <name> <number>" lines a test program printed, by name.
std::map<std::string, double> truth_values(const std::string& out);

// Reads every file (REQUIREs that each decodes).
std::vector<Profile> read_profiles(const std::vector<std::string>& paths);

}  // namespace siagent::testing
