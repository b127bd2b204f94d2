#include "test/integration/process_runner.h"

#include <catch2/catch.hpp>
#include <dirent.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <regex>

#include "test/support/exec_arguments.h"
#include "transport/profile_file.h"

namespace siagent::testing {
namespace {

std::string required_variable(const char* name) {
    const char* value = getenv(name);
    if (value == nullptr) FAIL(std::string(name) + " is not set: run the tests through meson test");
    return value;
}

}  // namespace

std::string agent_library() { return required_variable("SIAGENT_LIBRARY"); }
std::string program(const std::string& name) { return required_variable("SIAGENT_PROGRAMS") + "/" + name; }
std::string siagent_cli() { return required_variable("SIAGENT_CLI"); }

RunResult run(const std::vector<std::string>& argv, const std::map<std::string, std::string>& environment,
              int timeout_seconds) {
    ExecArguments arguments(argv, environment);

    int out_pipe[2], err_pipe[2];
    REQUIRE(pipe2(out_pipe, O_CLOEXEC) == 0);
    REQUIRE(pipe2(err_pipe, O_CLOEXEC) == 0);
    pid_t child = fork();
    REQUIRE(child >= 0);
    if (child == 0) {
        dup2(out_pipe[1], STDOUT_FILENO);
        dup2(err_pipe[1], STDERR_FILENO);
        execve(arguments.path(), arguments.argv(), arguments.envp());
        _exit(127);
    }
    close(out_pipe[1]);
    close(err_pipe[1]);

    RunResult result;
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    pollfd fds[2] = {{out_pipe[0], POLLIN, 0}, {err_pipe[0], POLLIN, 0}};
    int open_pipes = 2;
    while (open_pipes > 0) {
        auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - std::chrono::steady_clock::now());
        if (left.count() <= 0) {
            result.timed_out = true;
            kill(child, SIGKILL);
            break;
        }
        if (poll(fds, 2, static_cast<int>(left.count())) < 0) continue;
        for (int i = 0; i < 2; ++i) {
            if (fds[i].fd < 0 || fds[i].revents == 0) continue;
            char buffer[4096];
            ssize_t got = read(fds[i].fd, buffer, sizeof buffer);
            if (got > 0) {
                (i == 0 ? result.out : result.err).append(buffer, got);
            } else {
                close(fds[i].fd);
                fds[i].fd = -1;
                --open_pipes;
            }
        }
    }
    for (auto& fd : fds) if (fd.fd >= 0) close(fd.fd);
    int status = 0;
    waitpid(child, &status, 0);
    if (WIFEXITED(status)) result.exit_code = WEXITSTATUS(status);
    if (WIFSIGNALED(status)) result.signal = WTERMSIG(status);
    return result;
}

TemporaryDirectory::TemporaryDirectory() {
    const char* base = getenv("TMPDIR");
    std::string pattern = std::string(base != nullptr ? base : "/tmp") + "/siagent-test-XXXXXX";
    REQUIRE(mkdtemp(pattern.data()) != nullptr);
    path_ = pattern;
}

TemporaryDirectory::~TemporaryDirectory() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
}

std::vector<std::string> TemporaryDirectory::files(const std::string& prefix) const {
    std::vector<std::string> found;
    for (const auto& entry : std::filesystem::directory_iterator(path_)) {
        std::string name = entry.path().filename();
        if (name.rfind(prefix, 0) == 0) found.push_back(entry.path());
    }
    std::sort(found.begin(), found.end());
    return found;
}

std::map<std::string, double> truth_values(const std::string& out) {
    std::map<std::string, double> truth;
    std::regex pattern(R"(truth (\w+) (-?\d+))");
    for (auto it = std::sregex_iterator(out.begin(), out.end(), pattern); it != std::sregex_iterator(); ++it)
        truth[(*it)[1]] = std::stod((*it)[2]);
    return truth;
}

std::vector<Profile> read_profiles(const std::vector<std::string>& paths) {
    std::vector<Profile> profiles;
    for (const auto& path : paths) {
        std::string error;
        auto profile = read_profile_file(path, error);
        INFO(path << ": " << error);
        REQUIRE(profile.has_value());
        profiles.push_back(std::move(*profile));
    }
    return profiles;
}

double children_cpu_seconds() {
    rusage usage{};
    getrusage(RUSAGE_CHILDREN, &usage);
    return static_cast<double>(usage.ru_utime.tv_sec + usage.ru_stime.tv_sec) +
           static_cast<double>(usage.ru_utime.tv_usec + usage.ru_stime.tv_usec) / 1e6;
}

}  // namespace siagent::testing
