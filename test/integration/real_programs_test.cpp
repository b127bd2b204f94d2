// Programs nobody here wrote, run as in production under the agent: redis-server (jemalloc,
// its own signal handlers, a forked child for BGSAVE, shutdown on SIGTERM) and nginx (a master
// and forked workers, a SIGHUP reload that replaces the workers, graceful SIGQUIT). They must
// serve exactly as without the agent, end as they would, and leave profiles of every process
// that used CPU.
#include <catch2/catch.hpp>

#include <dirent.h>
#include <signal.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include <chrono>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <set>
#include <thread>

#include "core/config.h"
#include "test/integration/background_process.h"
#include "test/integration/process_runner.h"
#include "test/integration/profile_queries.h"

using namespace siagent::testing;

namespace {

std::map<std::string, std::string> profiling_into(const TemporaryDirectory& dir) {
    // Daemons drop privileges in their workers: the output directory must stay writable.
    chmod(dir.path().c_str(), 0777);
    return {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", dir.path()}, {"SI_CPU_SAMPLING_HZ", "1000"}};
}

std::set<pid_t> pids_with_profiles(const TemporaryDirectory& dir) {
    std::set<pid_t> pids;
    for (const auto& path : dir.files("cpu-")) {
        std::string name = path.substr(path.rfind('/') + 1);  // cpu-<pid>-<seconds>.pb.gz
        pids.insert(static_cast<pid_t>(std::stol(name.substr(4))));
    }
    return pids;
}

std::set<pid_t> children_of(pid_t parent) {
    std::set<pid_t> children;
    DIR* proc = opendir("/proc");
    while (dirent* entry = readdir(proc)) {
        pid_t pid = static_cast<pid_t>(atoi(entry->d_name));
        if (pid <= 0) continue;
        std::ifstream stat("/proc/" + std::to_string(pid) + "/stat");
        std::string line;
        if (!std::getline(stat, line)) continue;
        // Fields after the command name (in parentheses): state, ppid, ...
        std::istringstream rest(line.substr(line.rfind(')') + 2));
        std::string state;
        pid_t ppid = 0;
        rest >> state >> ppid;
        if (ppid == parent) children.insert(pid);
    }
    closedir(proc);
    return children;
}

template <typename Condition>
bool eventually(Condition condition, int timeout_seconds = 20) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_seconds);
    while (std::chrono::steady_clock::now() < deadline) {
        if (condition()) return true;
        std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    return false;
}

std::string read_file(const std::string& path) {
    std::ifstream file(path);
    return std::string(std::istreambuf_iterator<char>(file), std::istreambuf_iterator<char>());
}

}  // namespace

TEST_CASE("redis-server: serves a benchmark, forks for BGSAVE, exits 0 on SIGTERM, and is profiled") {
    TemporaryDirectory profiles, data;
    std::string port = std::to_string(free_loopback_port());
    BackgroundProcess redis({"/usr/bin/redis-server", "--port", port, "--bind", "127.0.0.1", "--dir", data.path(),
                             "--save", "", "--appendonly", "no", "--daemonize", "no", "--logfile", ""},
                            profiling_into(profiles), data.path() + "/redis.log");
    REQUIRE(wait_for_port(std::stoi(port)));

    RunResult benchmark = run({"/usr/bin/redis-benchmark", "-h", "127.0.0.1", "-p", port, "-n", "40000", "-c", "8",
                               "-q", "-t", "set,get"},
                              {}, 120);
    INFO(benchmark.out << benchmark.err);
    CHECK(benchmark.exit_code == 0);
    CHECK(benchmark.out.find("SET:") != std::string::npos);
    CHECK(benchmark.out.find("GET:") != std::string::npos);

    CHECK(run({"/usr/bin/redis-cli", "-p", port, "bgsave"}, {}).exit_code == 0);
    bool saved = eventually([&] {
        std::string info = run({"/usr/bin/redis-cli", "-p", port, "info", "persistence"}, {}).out;
        return info.find("rdb_bgsave_in_progress:0") != std::string::npos &&
               info.find("rdb_last_bgsave_status:ok") != std::string::npos &&
               info.find("rdb_saves:1") != std::string::npos;
    });
    CHECK(saved);

    int status = redis.stop(SIGTERM);
    INFO(read_file(data.path() + "/redis.log"));
    REQUIRE(status != -1);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);

    auto files = profiles.files("cpu-" + std::to_string(redis.pid()) + "-");
    REQUIRE(!files.empty());
    auto decoded = read_profiles(files);
    CHECK(total_value(decoded, 1) > 0);
    CHECK(total_value_through(decoded, "aeMain", 1) > 0);
    CHECK(total_value_through(decoded, "processCommand", 1) > 0);
}

TEST_CASE("nginx: master and workers serve, a SIGHUP reload replaces the workers, SIGQUIT ends it, all profiled") {
    TemporaryDirectory profiles, prefix;
    chmod(prefix.path().c_str(), 0755);
    std::string port = std::to_string(free_loopback_port());
    mkdir((prefix.path() + "/www").c_str(), 0755);
    mkdir((prefix.path() + "/logs").c_str(), 0755);
    std::ofstream(prefix.path() + "/www/index.html") << std::string(2048, 'x');
    std::ofstream(prefix.path() + "/nginx.conf")
        << "worker_processes 2;\n"
        << "pid " << prefix.path() << "/nginx.pid;\n"
        << "error_log " << prefix.path() << "/logs/error.log;\n"
        << "events { worker_connections 64; }\n"
        << "http {\n  access_log off;\n"
        << "  server { listen 127.0.0.1:" << port << "; location / { root " << prefix.path() << "/www; } }\n}\n";

    BackgroundProcess nginx({"/usr/sbin/nginx", "-p", prefix.path(), "-e", prefix.path() + "/logs/error.log", "-c",
                             prefix.path() + "/nginx.conf", "-g", "daemon off;"},
                            profiling_into(profiles), prefix.path() + "/stderr.log");
    REQUIRE(wait_for_port(std::stoi(port)));
    REQUIRE(eventually([&] { return children_of(nginx.pid()).size() == 2; }));
    std::set<pid_t> first_workers = children_of(nginx.pid());
    CHECK(http_get_many(std::stoi(port), "/index.html", 3000) == 3000);

    kill(nginx.pid(), SIGHUP);
    // The reload is done when none of the first workers is left and two new ones serve.
    REQUIRE(eventually([&] {
        std::set<pid_t> now = children_of(nginx.pid());
        for (pid_t pid : first_workers)
            if (now.count(pid) != 0) return false;
        return now.size() == 2;
    }));
    std::set<pid_t> second_workers = children_of(nginx.pid());
    CHECK(http_get_many(std::stoi(port), "/index.html", 3000) == 3000);

    int status = nginx.stop(SIGQUIT);
    std::string error_log = read_file(prefix.path() + "/logs/error.log");
    INFO(error_log << read_file(prefix.path() + "/stderr.log"));
    REQUIRE(status != -1);
    CHECK(WIFEXITED(status));
    CHECK(WEXITSTATUS(status) == 0);
    CHECK(error_log.find("exited on signal") == std::string::npos);
    CHECK(read_file(prefix.path() + "/stderr.log").find("siagent") == std::string::npos);

    // Workers that served before the reload and workers that served after it wrote profiles.
    std::set<pid_t> profiled = pids_with_profiles(profiles);
    auto any_profiled = [&](const std::set<pid_t>& workers) {
        for (pid_t pid : workers)
            if (profiled.count(pid) != 0) return true;
        return false;
    };
    CHECK(any_profiled(first_workers));
    CHECK(any_profiled(second_workers));
    for (pid_t pid : profiled) {
        auto decoded = read_profiles(profiles.files("cpu-" + std::to_string(pid) + "-"));
        CHECK(total_value(decoded, 1) > 0);
    }
    // The workers (nobody, with the master's configuration and this user's HOME, which they
    // cannot write) keep their crash records in nobody's last resort. They used to make this
    // user's /tmp/siagent-<uid>, owned by nobody, which every later process of this user
    // then refused as not its own: none of them recorded a crash.
    struct stat last_resort {};
    const std::string ours = std::filesystem::path(siagent::last_resort_spool_dir()).parent_path();
    if (lstat(ours.c_str(), &last_resort) == 0) CHECK(last_resort.st_uid == getuid());
}
