// fork, exec and abrupt endings under the agent: every process gets its own profile, and
// the agent never changes how or how fast a process ends.
#include <catch2/catch.hpp>

#include <fcntl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <filesystem>
#include <set>
#include <regex>

#include "test/integration/process_runner.h"
#include "test/integration/profile_queries.h"

using namespace siagent::testing;

namespace {

std::map<std::string, std::string> profiling_into(const TemporaryDirectory& dir) {
    return {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", dir.path()}, {"SI_CPU_SAMPLING_HZ", "500"}};
}

// Copies the build's libsiagent*.so (the first stage and the libraries it loads from its own
// directory) into `directory`.
void copy_agent_libraries(const std::string& directory) {
    const std::filesystem::path original = std::filesystem::path(agent_library()).parent_path();
    std::filesystem::create_directories(directory);
    for (const auto& entry : std::filesystem::directory_iterator(original)) {
        const std::string name = entry.path().filename();
        if (name.rfind("libsiagent", 0) == 0 && entry.path().extension() == ".so")
            std::filesystem::copy_file(entry.path(), directory + "/" + name);
    }
}

}  // namespace

TEST_CASE("a forked child and an exec'd child write their own files, named by their own pid") {
    TemporaryDirectory dir;
    RunResult result = run({program("fork_exec"), "60"}, profiling_into(dir));
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    std::map<std::string, std::string> pids;
    std::regex pattern(R"(pid (\w+) (\d+))");
    for (auto it = std::sregex_iterator(result.out.begin(), result.out.end(), pattern); it != std::sregex_iterator(); ++it)
        pids[(*it)[1]] = (*it)[2];
    REQUIRE(pids.size() == 3);

    for (const auto& [role, function] : std::map<std::string, std::string>{
             {"parent", "parent_burn"}, {"forked", "forked_child_burn"}, {"execed", "exec_child_burn"}}) {
        auto files = dir.files("cpu-" + pids[role] + "-");
        INFO(role << " (pid " << pids[role] << ")");
        REQUIRE(!files.empty());
        auto profiles = read_profiles(files);
        double total = static_cast<double>(total_value(profiles, 1));
        REQUIRE(total > 0);
        CHECK(self_value(profiles, function, 1) / total > 0.8);
    }
}

TEST_CASE("the agent does not change how a process ends, nor make it hang") {
    struct Ending {
        const char* mode;
        int exit_code;
        int signal;
    };
    for (const Ending& ending : {Ending{"_exit", 3, 0}, Ending{"sigterm", -1, 15},
                                 Ending{"exit", 4, 0}, Ending{"return", 0, 0}}) {
        TemporaryDirectory dir;
        RunResult plain = run({program("exit_paths"), ending.mode}, {}, 60);
        RunResult profiled = run({program("exit_paths"), ending.mode}, profiling_into(dir), 60);
        INFO(ending.mode << ": " << profiled.err);
        CHECK_FALSE(plain.timed_out);
        CHECK_FALSE(profiled.timed_out);
        CHECK(plain.exit_code == ending.exit_code);
        CHECK(plain.signal == ending.signal);
        CHECK(profiled.exit_code == plain.exit_code);
        CHECK(profiled.signal == plain.signal);
        CHECK(profiled.err.empty());
    }
}

TEST_CASE("exit() while other threads still burn CPU writes the final profile") {
    TemporaryDirectory dir;
    RunResult result = run({program("exit_paths"), "exit"}, profiling_into(dir), 60);
    REQUIRE(result.exit_code == 4);
    auto profiles = read_profiles(dir.files("cpu-"));
    REQUIRE(!profiles.empty());
    CHECK(total_value_through(profiles, "main_burn", 1) > 0);
}

TEST_CASE("an application that takes SIGPROF for itself gets exactly its own signals, and the agent keeps profiling") {
    for (const char* mode : {"handler", "default", "sysv_default", "bsd_default"}) {
        TemporaryDirectory dir;
        RunResult plain = run({program("own_sigprof"), mode}, {});
        RunResult profiled = run({program("own_sigprof"), mode}, profiling_into(dir));
        INFO(mode << ": " << profiled.out << profiled.err);
        CHECK(plain.exit_code == 0);
        CHECK(profiled.exit_code == 0);
        CHECK(profiled.signal == 0);
        CHECK(profiled.err.empty());
        auto profiles = read_profiles(dir.files("cpu-"));
        REQUIRE(!profiles.empty());
        CHECK(total_value_through(profiles, "burn_with_own_profiler", 1) > 0);
    }
}

TEST_CASE("programs started through wrappers that exec (env, taskset, sh -c) are profiled") {
    std::vector<std::vector<std::string>> wrappers = {
        {"/usr/bin/env"}, {"/usr/bin/taskset", "-c", "0"}, {"/bin/sh", "-c"}};
    for (const auto& wrapper : wrappers) {
        TemporaryDirectory dir;
        std::vector<std::string> argv = wrapper;
        if (wrapper[0] == "/bin/sh") argv.push_back(program("sleepy_main") + " 60");
        else {
            argv.push_back(program("sleepy_main"));
            argv.push_back("60");
        }
        RunResult result = run(argv, profiling_into(dir));
        INFO(wrapper[0] << ": " << result.err);
        REQUIRE(result.exit_code == 0);
        CHECK(result.err.empty());
        auto profiles = read_profiles(dir.files("cpu-"));
        REQUIRE(!profiles.empty());
        double total = static_cast<double>(total_value(profiles, 1));
        CHECK(self_value(profiles, "worker_burn", 1) / total > 0.9);
    }
}

TEST_CASE("calls that need a single-threaded process (unshare, setns) succeed as without the agent") {
    RunResult plain = run({program("enter_namespace"), "60"}, {});
    INFO(plain.err);
    REQUIRE(plain.exit_code == 0);  // the machine allows unprivileged user namespaces

    TemporaryDirectory dir;
    RunResult profiled = run({program("enter_namespace"), "60"}, profiling_into(dir));
    INFO(profiled.err);
    CHECK(profiled.exit_code == 0);
    CHECK(profiled.err.empty());
    // The agent thread came back after the call: the work after it is in the last report.
    auto profiles = read_profiles(dir.files("cpu-"));
    REQUIRE(!profiles.empty());
    CHECK(self_value(profiles, "burn_after_unshare", 1) > 0);

    // The same through a tool nobody here wrote, which execs its command afterwards.
    RunResult tool = run({"/usr/bin/unshare", "--user", "--map-root-user", "--mount", "/bin/true"},
                         profiling_into(dir));
    INFO(tool.err);
    CHECK(tool.exit_code == 0);
}

TEST_CASE("a process that ends at once, without samples, leaves no file") {
    TemporaryDirectory dir;
    RunResult result = run({"/bin/true"}, profiling_into(dir));
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(dir.files("").empty());
}

TEST_CASE("a profiled process does not map libdw until it names its addresses, and its "
          "profile names its functions") {
    TemporaryDirectory dir;
    RunResult result = run({program("steady_state")}, profiling_into(dir), 60);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    // Fork children and exits of every library mapped cost page faults (docs/performance.md):
    // the symbolizer's libdw is loaded only to name new addresses, in batches.
    CHECK(result.out.find("libdw mapped: no") != std::string::npos);
    auto profiles = read_profiles(dir.files("cpu-"));
    REQUIRE(!profiles.empty());
    double total = static_cast<double>(total_value(profiles, 1));
    REQUIRE(total > 0);
    CHECK(self_value(profiles, "steady_burn", 1) / total > 0.8);
    // The program's own DWARF has no unit for crt1's _start: it gets no source line (it once
    // got one of the program's files).
    std::vector<CodePosition> start = frame_positions(profiles, "_start");
    REQUIRE(!start.empty());
    for (const CodePosition& position : start) CHECK(position.file.empty());
}

TEST_CASE("the agent brings its own C++ runtime: a C program it profiles maps no libstdc++ "
          "or libgcc_s") {
    TemporaryDirectory dir;
    // bash is a C program; with SI_START_DELAY=0 its agent runs before the script does.
    RunResult result = run({"/bin/bash", "-c",
                            "grep -E 'libsiagent-agent|libstdc|libgcc_s' /proc/$$/maps | "
                            "sed 's/.* //' | sort -u; exit 0"},
                           profiling_into(dir));
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    INFO(result.out);
    CHECK(result.out.find("libsiagent-agent.so") != std::string::npos);  // the agent is there
    CHECK(result.out.find("libstdc++") == std::string::npos);
    CHECK(result.out.find("libgcc_s") == std::string::npos);
}

TEST_CASE("fork children that exit at once start no agent of their own") {
    TemporaryDirectory dir;
    RunResult result = run({program("process_churn"), "fork", "40"}, profiling_into(dir));
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    // Files name their process; only the parent may have lived long enough to write any.
    std::set<std::string> pids;
    std::regex pattern(R"(-(\d+)[-.])");
    for (const std::string& file : dir.files("")) {
        std::smatch match;
        std::string name = file.substr(file.rfind('/') + 1);
        if (std::regex_search(name, match, pattern)) pids.insert(match[1]);
    }
    INFO(pids.size() << " processes wrote files");
    CHECK(pids.size() <= 1);
}

namespace {

// The child's pid as fork_child_start prints it.
std::string child_pid(const std::string& out) {
    std::smatch match;
    REQUIRE(std::regex_search(out, match, std::regex(R"(pid child (\d+))")));
    return match[1];
}

}  // namespace

TEST_CASE("a fork child makes no thread while its agent waits to start") {
    TemporaryDirectory dir;
    RunResult result = run({program("fork_child_start"), "threads"}, profiling_into(dir));
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    // A waiting thread per fork child cost more than the fork itself (core/cpu/start_alarm.h).
    CHECK(result.out.find("threads 1 1") != std::string::npos);
}

// Debian's python3 and node are built without -fPIE and take malloc's address, so that
// dlsym(RTLD_DEFAULT, "malloc") answers with the program's own PLT stub. The runtime's code
// was then taken for the allocator's, no code was ever judged lock-free, and every fork
// child of such a program made a waiting thread instead of the start alarm.
TEST_CASE("a fork child of a program built without -fPIE that takes malloc's address makes no "
          "thread while its agent waits to start") {
    TemporaryDirectory dir;
    RunResult result = run({program("malloc_by_address"), "fork-threads"}, profiling_into(dir));
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == "threads 1 1\n");
}

// Each case's child names its own function; its profile comes from its own agent.
void check_child_profile(const char* mode, const char* function, std::string* out = nullptr,
                         std::map<std::string, std::string> extra = {}) {
    INFO(mode);
    TemporaryDirectory dir;
    std::map<std::string, std::string> environment = profiling_into(dir);
    for (const auto& [name, value] : extra) environment[name] = value;
    // The test runner's MALLOC_PERTURB_ fills every block on malloc and free: the child
    // would then spend almost all its time inside libc, where its agent does not start
    // (core/cpu/start_alarm.h), rather than mostly in the allocator as a real program does.
    environment["MALLOC_PERTURB_"] = "0";
    RunResult result = run({program("fork_child_start"), mode}, environment, 60);
    INFO(result.err);
    REQUIRE_FALSE(result.timed_out);
    REQUIRE(result.exit_code == 0);
    if (out != nullptr) *out = result.out;
    auto files = dir.files("cpu-" + child_pid(result.out) + "-");
    REQUIRE(!files.empty());
    auto profiles = read_profiles(files);
    double total = static_cast<double>(total_value(profiles, 1));
    REQUIRE(total > 0);
    CHECK(total_value_through(profiles, function, 1) / total > 0.8);
}

TEST_CASE("a fork child's agent starts once the child works, whatever it is doing: burning "
          "with every signal blocked, or mostly inside the allocator") {
    check_child_profile("burn", "burn_with_signals_blocked");
    check_child_profile("allocate", "allocate_for_a_while");
}

TEST_CASE("a fork child of a process still waiting to load the agent makes no thread until "
          "it allocates past the start delay, and is then profiled") {
    // A waiting thread made at every such fork cost more than the fork: most children exec
    // or exit within milliseconds (preload/loader/agent_loader.h). Default start delay.
    TemporaryDirectory dir;
    std::map<std::string, std::string> environment = profiling_into(dir);
    environment["SI_START_DELAY"] = "";
    RunResult result = run({program("fork_child_start"), "early"}, environment);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out.find("threads 1 1 2") != std::string::npos);
    check_child_profile("early-allocate", "allocate_for_a_while", nullptr, {{"SI_START_DELAY", ""}});
}

TEST_CASE("a fork child waiting in a call that any handled signal would cut short is not "
          "interrupted by its agent's start, which comes once it works") {
    std::string out;
    check_child_profile("wait", "burn_after_waiting", &out);
    CHECK(out.find("waited fully") != std::string::npos);
}

TEST_CASE("dropping root (setgroups, setresgid, setresuid, then capset) works as without the "
          "agent, in a process and in a fork child whose agent has not started yet") {
    for (std::vector<std::string> command :
         {std::vector<std::string>{program("drop_credentials")},
          std::vector<std::string>{program("drop_credentials"), "fork"},
          std::vector<std::string>{program("drop_credentials"), "capabilities"},
          std::vector<std::string>{"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                   "--clear-groups", "/bin/echo", "hi"}}) {
        INFO(command.back());
        RunResult plain = run(command, {});
        if (plain.exit_code != 0) {
            WARN("not run: dropping credentials needs root here (" << plain.err << ")");
            continue;
        }
        TemporaryDirectory dir;
        RunResult profiled = run(command, profiling_into(dir));
        INFO(profiled.err);
        CHECK(profiled.exit_code == 0);
        CHECK(profiled.out == plain.out);
    }
}

TEST_CASE("a process that sandboxes itself with seccomp (a filter that ends it on any system "
          "call outside a short list, as OpenSSH's and systemd's do) runs as without the "
          "agent, which stops before the filter goes in") {
    for (const char* mode : {"after-load", "tsync", "fork", "early"}) {
        RunResult plain = run({program("sandboxed"), mode}, {});
        INFO(mode << ": " << plain.err);
        REQUIRE(plain.exit_code == 0);
        // Started at once (the test environment's SI_START_DELAY=0) and with the default delay.
        for (const char* delay : {"0", ""}) {
            TemporaryDirectory dir;
            std::map<std::string, std::string> environment = profiling_into(dir);
            environment["SI_START_DELAY"] = delay;
            RunResult profiled = run({program("sandboxed"), mode}, environment);
            INFO("SI_START_DELAY '" << delay << "': " << profiled.err);
            CHECK(profiled.signal == 0);
            CHECK(profiled.exit_code == 0);
            CHECK(profiled.out == plain.out);
            if (std::string(mode) != "after-load") continue;
            // The agent's last report, written as it stopped, has what came before the filter
            // and nothing after it.
            auto profiles = read_profiles(dir.files("cpu-"));
            CHECK(total_value_through(profiles, "burn_before_sandbox", 1) > 0);
            CHECK(total_value_through(profiles, "burn_in_sandbox", 1) == 0);
        }
    }
}

TEST_CASE("under a limit the process set on its own memory (ulimit -v, ulimit -d) the agent "
          "does not start, says so once, and leaves the whole budget to the application") {
    struct Budget {
        const char* ulimit;  // the shell's option and value, in KiB
        const char* allocate_mib;
        const char* said;
    };
    for (const Budget& budget : {Budget{"-v 307200", "200", "RLIMIT_AS (ulimit -v) is 300 MiB"},
                                 Budget{"-d 204800", "150", "RLIMIT_DATA (ulimit -d) is 200 MiB"}}) {
        // bash applies the limit and execs a shell in its place (whose parent is this test,
        // not preloaded: it says so), which runs the program twice as its children (whose
        // parent is preloaded and limited: they say nothing; `exit` keeps bash from execing the
        // last one in its place).
        std::string script = std::string("ulimit ") + budget.ulimit + "; exec /bin/bash -c '" +
                             program("memory_budget") + " " + budget.allocate_mib + " && " +
                             program("memory_budget") + " 1; exit $?'";
        RunResult plain = run({"/bin/bash", "-c", script}, {});
        INFO(budget.ulimit << ": " << plain.out << plain.err);
        REQUIRE(plain.exit_code == 0);
        for (const char* delay : {"0", ""}) {
            TemporaryDirectory dir;
            std::map<std::string, std::string> environment = profiling_into(dir);
            environment["SI_START_DELAY"] = delay;
            RunResult profiled = run({"/bin/bash", "-c", script}, environment);
            INFO("SI_START_DELAY '" << delay << "': " << profiled.out << profiled.err);
            CHECK(profiled.exit_code == 0);
            CHECK(profiled.out == plain.out);
            // Said once, by the shell that starts under the limit.
            CHECK(profiled.err.find(budget.said) != std::string::npos);
            CHECK(profiled.err.find(budget.said) == profiled.err.rfind(budget.said));
            CHECK(dir.files("").empty());
        }
    }
}

TEST_CASE("a process that chroots after its agent started: its files land in SI_OUTPUT_DIR as "
          "named at the start, and nothing is made inside its new root") {
    TemporaryDirectory jail, dir;
    RunResult result = run({program("chroot_jail"), jail.path()}, profiling_into(dir));
    if (result.exit_code == 2) {
        WARN("not run: chroot needs root here");
        return;
    }
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == "jailed\n");
    CHECK(jail.files("").empty());
    // Its samples are there (unnamed: the symbolizer cannot open the process's files from
    // inside the jail, docs/architecture.md, Known limits), and its metrics.
    auto profiles = read_profiles(dir.files("cpu-"));
    CHECK(total_value(profiles, 1) > 0);
    CHECK(!dir.files("metrics-").empty());
}

// Debian's libjemalloc.so.2 (redis-server brings it), or "" where it is not installed.
std::string installed_jemalloc() {
    for (const char* candidate : {"/usr/lib/x86_64-linux-gnu/libjemalloc.so.2",
                                  "/usr/lib/aarch64-linux-gnu/libjemalloc.so.2", "/usr/lib/libjemalloc.so.2"})
        if (access(candidate, R_OK) == 0) return candidate;
    return "";
}

// Containers that already preload an allocator (jemalloc for a Ruby or Python server) and
// add the agent after it: the application, its libraries and the agent's own libraries all
// allocate from that allocator, and so must the agent (a jemalloc block handed to glibc's
// free aborted the process).
TEST_CASE("an allocator named before the agent in LD_PRELOAD: the program runs as with that "
          "allocator alone, is CPU-profiled, and the agent says once that allocations pass by") {
    const std::string jemalloc = installed_jemalloc();
    if (jemalloc.empty()) {
        WARN("not run: libjemalloc.so.2 is not installed (redis-server brings it)");
        return;
    }
    // 8 GiB of allocations: with jemalloc the default 1 GiB took 35 ms, less than the default
    // SI_START_DELAY, and a process that ends sooner never loads the agent.
    const std::vector<std::string> command = {program("alloc_shares"), "8192"};
    RunResult plain = run(command, {{"LD_PRELOAD", jemalloc}});
    REQUIRE(plain.exit_code == 0);
    for (const char* delay : {"0", ""}) {
        TemporaryDirectory dir;
        std::map<std::string, std::string> environment = profiling_into(dir);
        environment["LD_PRELOAD"] = jemalloc + " " + agent_library();
        environment["SI_START_DELAY"] = delay;
        RunResult profiled = run(command, environment);
        INFO("SI_START_DELAY '" << delay << "': " << profiled.err);
        CHECK(profiled.signal == 0);
        CHECK(profiled.exit_code == 0);
        CHECK(profiled.out == plain.out);
        CHECK(total_value(read_profiles(dir.files("cpu-")), 1) > 0);
        const std::string said = "before libsiagent.so: allocations are not profiled";
        CHECK(profiled.err.find(said) != std::string::npos);
        CHECK(profiled.err.find(said) == profiled.err.rfind(said));
    }
    // A command of a shell with the same LD_PRELOAD (a server that an entrypoint script
    // starts): its allocations go to jemalloc, never through this library, so it cannot wait
    // for one to start its agent; it makes its waiting thread at its start instead.
    TemporaryDirectory dir;
    std::map<std::string, std::string> environment = profiling_into(dir);
    environment["LD_PRELOAD"] = jemalloc + " " + agent_library();
    environment["SI_START_DELAY"] = "";
    // 32 GiB: about a second, so that its few samples (the agent starts 50 ms in, and the test
    // may share the CPUs with others) land in its functions whatever the machine's load.
    RunResult in_shell = run({"/bin/bash", "-c", program("alloc_shares") + " 32768 >/dev/null; :"}, environment);
    INFO(in_shell.err);
    REQUIRE(in_shell.exit_code == 0);
    auto profiles = read_profiles(dir.files("cpu-"));
    REQUIRE(!profiles.empty());
    // Most of their time is in jemalloc, below them.
    CHECK(total_value_through(profiles, "allocate_fifty", 1) + total_value_through(profiles, "allocate_thirty", 1) +
              total_value_through(profiles, "allocate_twenty", 1) > 0);

    // Likewise a fork child of a process still waiting to load the agent (a server's workers,
    // forked at its start).
    check_child_profile("early-allocate", "allocate_for_a_while", nullptr,
                        {{"SI_START_DELAY", ""}, {"LD_PRELOAD", jemalloc + " " + agent_library()}});
}

// A program built without -fPIE that takes malloc's address (Debian's node) gives malloc the
// address of its own PLT stub; dlsym(RTLD_DEFAULT, "malloc") answered with it, and the agent
// then took glibc for the allocator even with jemalloc ahead: its symbolizer freed a block of
// jemalloc's with glibc's free and node aborted at its first report.
TEST_CASE("a program built without -fPIE that takes malloc's address: its allocations are "
          "profiled, and with jemalloc ahead the agent allocates from jemalloc too") {
    TemporaryDirectory dir;
    std::map<std::string, std::string> environment = profiling_into(dir);
    environment["SI_START_DELAY"] = "0";
    RunResult alone = run({program("malloc_by_address")}, environment);
    INFO(alone.err);
    REQUIRE(alone.exit_code == 0);
    CHECK(alone.out == "allocated some\n");
    CHECK(total_value_through(read_profiles(dir.files("alloc-")), "allocate_by_address", 1) > 0);

    const std::string jemalloc = installed_jemalloc();
    if (jemalloc.empty()) {
        WARN("jemalloc half not run: libjemalloc.so.2 is not installed (redis-server brings it)");
        return;
    }
    TemporaryDirectory ahead_dir;
    environment = profiling_into(ahead_dir);
    environment["SI_START_DELAY"] = "0";
    environment["LD_PRELOAD"] = jemalloc + " " + agent_library();
    RunResult ahead = run({program("malloc_by_address")}, environment);
    INFO(ahead.err);
    CHECK(ahead.signal == 0);
    REQUIRE(ahead.exit_code == 0);
    CHECK(ahead.out == "allocated some\n");
    CHECK(total_value_through(read_profiles(ahead_dir.files("cpu-")), "allocate_by_address", 1) > 0);
    CHECK(ahead.err.find("libjemalloc.so.2 before libsiagent.so") != std::string::npos);
}

// An image that preloads the library system-wide (/etc/ld.so.preload) and a user who also
// names it in LD_PRELOAD from another place: both copies are loaded. The second one used to
// make every process spin for ever in its forwarders.
TEST_CASE("the library preloaded twice, from two paths: the first copy profiles, the second "
          "stays out of the way") {
    TemporaryDirectory copy;
    copy_agent_libraries(copy.path());
    const std::string second = copy.path() + "/libsiagent.so";
    // alloc_torture allocates from its .preinit_array, before any library's constructor.
    for (const char* name : {"alloc_shares", "alloc_torture"}) {
    RunResult plain = run({program(name)}, {});
    REQUIRE(plain.exit_code == 0);
    for (const std::string& preload : {agent_library() + " " + second, second + " " + agent_library()}) {
        for (const char* delay : {"0", ""}) {
            TemporaryDirectory dir;
            std::map<std::string, std::string> environment = profiling_into(dir);
            environment["LD_PRELOAD"] = preload;
            environment["SI_START_DELAY"] = delay;
            RunResult profiled = run({program(name)}, environment, 30);
            INFO(name << ", " << preload << ", SI_START_DELAY '" << delay << "': " << profiled.err);
            CHECK_FALSE(profiled.timed_out);
            CHECK(profiled.exit_code == 0);
            CHECK(profiled.out == plain.out);
            CHECK(profiled.err.empty());
            if (std::string(delay) == "0") CHECK(!read_profiles(dir.files("alloc-")).empty());
        }
    }
    }
}

// The default start delay (SI_START_DELAY unset: 50 ms). The test environment sets it to 0
// for the other tests; an empty value here unsets it.
TEST_CASE("with the default start delay a short process never loads the agent and writes "
          "nothing, and a longer one is profiled") {
    TemporaryDirectory dir;
    std::map<std::string, std::string> environment = profiling_into(dir);
    environment["SI_START_DELAY"] = "";
    RunResult maps = run({"/bin/cat", "/proc/self/maps"}, environment);
    REQUIRE(maps.exit_code == 0);
    CHECK(maps.out.find("libsiagent.so") != std::string::npos);
    CHECK(maps.out.find("libsiagent-agent.so") == std::string::npos);
    // libunwind (and its liblzma) come with the agent library: about 0.2 ms of every exec.
    CHECK(maps.out.find("libunwind") == std::string::npos);
    CHECK(maps.out.find("liblzma") == std::string::npos);
    CHECK(dir.files().empty());

    RunResult burn = run({program("cpu_shares"), "60"}, environment);
    REQUIRE(burn.exit_code == 0);
    CHECK(!dir.files("cpu-").empty());
}

TEST_CASE("with the default start delay a command of a profiled shell makes no thread at its "
          "start, and is profiled once it allocates past the delay") {
    // A thread per exec'd command cost a preloaded shell's loop about 0.4 ms a command
    // (preload/loader/agent_loader.h, start_pending_on_allocation). The shell itself (its
    // parent, this test, has no agent) makes its waiting thread at its start.
    TemporaryDirectory dir;
    std::map<std::string, std::string> environment = profiling_into(dir);
    environment["SI_START_DELAY"] = "";
    RunResult root = run({"/bin/grep", "^Threads:", "/proc/self/status"}, environment);
    REQUIRE(root.exit_code == 0);
    CHECK(root.out == "Threads:\t2\n");
    // "; :" keeps bash from exec'ing the command in its own place.
    RunResult command = run({"/bin/bash", "-c", "/bin/grep ^Threads: /proc/self/status; :"}, environment);
    REQUIRE(command.exit_code == 0);
    CHECK(command.out == "Threads:\t1\n");

    RunResult allocating = run({"/bin/bash", "-c", program("alloc_shares") + " 200000 >/dev/null; :"}, environment);
    INFO(allocating.err);
    REQUIRE(allocating.exit_code == 0);
    auto profiles = read_profiles(dir.files("cpu-"));
    REQUIRE(!profiles.empty());
    CHECK(self_value(profiles, "allocate_fifty", 1) > 0);

    // Such a command that forks every few milliseconds (a nested shell's loop) still
    // reaches its delay: its own forks do not restart its clock.
    TemporaryDirectory nested_dir;
    environment = profiling_into(nested_dir);
    environment["SI_START_DELAY"] = "";
    RunResult nested = run({"/bin/bash", "-c",
                            "/bin/bash -c 'echo $$; for ((i = 0; i < 400; ++i)); do /bin/true; done; :'; :"},
                           environment);
    REQUIRE(nested.exit_code == 0);
    const std::string nested_pid = nested.out.substr(0, nested.out.find('\n'));
    REQUIRE(!nested_pid.empty());
    bool nested_profiled = false;
    for (const auto& file : nested_dir.files("cpu-"))
        if (file.find("cpu-" + nested_pid + "-") != std::string::npos) nested_profiled = true;
    CHECK(nested_profiled);
}

TEST_CASE("threads already running when the agent loads, interrupted inside malloc, are "
          "profiled without a deadlock") {
    // libunwind's thread-local data is allocated on a thread's first use of it: never in a
    // handler that interrupted malloc (core/stack_capture.cpp). Both threads spend nearly all
    // their time holding their arena's lock when their first signals come (allocating
    // there deadlocked 13 of 16 runs).
    TemporaryDirectory dir;
    std::map<std::string, std::string> environment = profiling_into(dir);
    environment["SI_START_DELAY"] = "";
    environment["SI_CPU_SAMPLING_HZ"] = "1000";
    for (int run_number = 0; run_number < 3; ++run_number) {
        RunResult result = run({program("arena_threads"), "1", "1"}, environment, 30);
        INFO(result.err);
        REQUIRE(!result.timed_out);
        REQUIRE(result.exit_code == 0);
        CHECK(result.out == "done\n");
    }
    auto profiles = read_profiles(dir.files("cpu-"));
    REQUIRE(!profiles.empty());
    double total = static_cast<double>(total_value(profiles, 1));
    REQUIRE(total > 0);
    // Stacks taken before and after each thread's unwinder data exists both reach the
    // program's functions.
    double named = static_cast<double>(total_value_through(profiles, "walk_arenas", 1) +
                                       total_value_through(profiles, "churn_arena", 1));
    CHECK(named / total > 0.9);
}

TEST_CASE("with the default start delay a process that mostly waits loads the agent once it "
          "has lived a second, not before") {
    TemporaryDirectory dir;
    std::map<std::string, std::string> environment = profiling_into(dir);
    environment["SI_START_DELAY"] = "";
    // bash uses a few ms of CPU here, far from the 20 ms that would load the agent sooner.
    RunResult result = run({"/bin/bash", "-c",
                            "sleep 0.4; grep -c libsiagent-agent /proc/$$/maps; "
                            "sleep 1; grep -c libsiagent-agent /proc/$$/maps; exit 0"},
                           environment);  // (a last command would be exec'd in bash's place)
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    INFO(result.out);
    REQUIRE(result.out.find('\n') != std::string::npos);
    CHECK(result.out.substr(0, result.out.find('\n')) == "0");
    CHECK(result.out.substr(result.out.find('\n') + 1) != "0\n");  // its mappings, counted
}

TEST_CASE("with the default start delay the agent runs on the thread that loaded it: one "
          "helper thread and one allocator arena in a single-threaded program") {
    // The waiting thread becomes the agent thread (Agent::ThreadSource::caller) instead of
    // making it and ending: no second thread's stack in glibc's cache and no second arena,
    // which every later fork of the program would pay for (3 arenas here before).
    TemporaryDirectory dir;
    std::map<std::string, std::string> environment = profiling_into(dir);
    environment["SI_START_DELAY"] = "";
    RunResult result = run({program("helper_threads")}, environment, 30);
    INFO(result.err);
    REQUIRE(result.exit_code == 0);
    CHECK(result.out == "agent 1 threads 2 arenas 2\n");
    RunResult plain = run({program("helper_threads")}, {});
    CHECK(plain.out == "agent 0 threads 1 arenas 1\n");
}

TEST_CASE("SI_START_DELAY longer than a process's life leaves it unprofiled") {
    TemporaryDirectory dir;
    std::map<std::string, std::string> environment = profiling_into(dir);
    environment["SI_START_DELAY"] = "30s";
    RunResult burn = run({program("cpu_shares"), "20"}, environment);
    REQUIRE(burn.exit_code == 0);
    CHECK(dir.files().empty());
}

TEST_CASE("dropping root while the agent waits to be loaded works as without the agent") {
    TemporaryDirectory dir;
    std::map<std::string, std::string> environment = profiling_into(dir);
    environment["SI_START_DELAY"] = "";
    for (std::vector<std::string> command :
         {std::vector<std::string>{program("drop_credentials")},
          std::vector<std::string>{program("drop_credentials"), "capabilities"},
          // Once loaded: the agent runs on the thread that loaded it, which the drop must end
          // (and the agent then makes a thread of its own).
          std::vector<std::string>{program("drop_credentials"), "after-load"},
          std::vector<std::string>{"/usr/bin/setpriv", "--reuid=65534", "--regid=65534",
                                   "--clear-groups", "/bin/echo", "hi"}}) {
        RunResult plain = run(command, {});
        if (plain.exit_code != 0) {
            WARN("not run: dropping credentials needs root here (" << plain.err << ")");
            continue;
        }
        RunResult profiled = run(command, environment);
        INFO(profiled.err);
        CHECK(profiled.exit_code == 0);
        CHECK(profiled.out == plain.out);
    }
}

// A container preloads the agent into every process, 32-bit programs too. Named as
// '<prefix>/$LIB/libsiagent.so', ld.so loads the agent into 64-bit programs and the 32-bit
// libsiagent.so that does nothing (preload/i386) into 32-bit ones. Naming the 64-bit library
// itself makes ld.so print "wrong ELF class" on the stderr of every 32-bit program.
namespace {

// Whether execve runs a 32-bit x86 program here: a kernel without IA32 emulation (or a VM
// that refuses it) fails it with ENOEXEC.
bool kernel_runs_i386(const std::string& path) {
    pid_t child = fork();
    if (child == 0) {
        int quiet = open("/dev/null", O_WRONLY);
        dup2(quiet, STDOUT_FILENO);
        dup2(quiet, STDERR_FILENO);
        char* const arguments[] = {const_cast<char*>(path.c_str()), nullptr};
        execv(path.c_str(), arguments);
        _exit(errno == ENOEXEC ? 126 : 127);
    }
    int status = 0;
    if (child < 0 || waitpid(child, &status, 0) != child) return false;
    return !(WIFEXITED(status) && WEXITSTATUS(status) == 126);
}

}  // namespace

TEST_CASE("preloaded as <prefix>/$LIB/libsiagent.so, a 32-bit program starts as it does without "
          "the agent and a 64-bit one is profiled") {
    const char* i386_library = getenv("SIAGENT_I386_LIBRARY");
    if (i386_library == nullptr) {
        WARN("not run: this build makes no 32-bit libsiagent.so (not x86-64, or no -m32)");
        return;
    }
    if (!std::filesystem::exists("/lib/ld-linux.so.2")) {
        WARN("not run: no 32-bit loader, /lib/ld-linux.so.2 (Debian's libc6-i386; scripts/install-deps installs it)");
        return;
    }
    if (!kernel_runs_i386(program("i386_hello"))) {
        WARN("not run: this kernel refuses 32-bit x86 programs (execve: Exec format error)");
        return;
    }
    RunResult bare = run({program("i386_hello")}, {});
    REQUIRE(bare.exit_code == 0);
    REQUIRE(bare.out == "i386 ok\n");
    RunResult named_directly = run({program("i386_hello")}, {{"LD_PRELOAD", agent_library()}});
    CHECK(named_directly.out == "i386 ok\n");
    CHECK(named_directly.err.find("wrong ELF class") != std::string::npos);

    // An installed tree, as meson install makes it: $LIB is lib/x86_64-linux-gnu (Debian) or
    // lib64 for 64-bit programs, lib32 (Debian's libc6-i386) or lib/i386-linux-gnu (a
    // multiarch libc6:i386) for 32-bit ones.
    TemporaryDirectory prefix;
    for (const char* libdir : {"/lib/x86_64-linux-gnu", "/lib64"}) copy_agent_libraries(prefix.path() + libdir);
    for (const char* libdir : {"/lib32", "/lib/i386-linux-gnu"}) {
        std::filesystem::create_directories(prefix.path() + libdir);
        std::filesystem::copy_file(i386_library, prefix.path() + libdir + "/libsiagent.so");
    }
    const std::string preload = prefix.path() + "/$LIB/libsiagent.so";
    TemporaryDirectory dir;
    std::map<std::string, std::string> environment = profiling_into(dir);
    environment["LD_PRELOAD"] = preload;
    RunResult quiet = run({program("i386_hello")}, environment);
    CHECK(quiet.exit_code == 0);
    CHECK(quiet.out == "i386 ok\n");
    CHECK(quiet.err == "");

    RunResult profiled = run({program("malloc_by_address")}, environment);
    INFO(profiled.err);
    REQUIRE(profiled.exit_code == 0);
    CHECK(total_value_through(read_profiles(dir.files("cpu-")), "allocate_by_address", 1) > 0);
}
