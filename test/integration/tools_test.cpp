// What a user reads: Go's pprof (the reference reader of the format) and `siagent top`.
#include <catch2/catch.hpp>

#include <sys/stat.h>

#include <algorithm>
#include <sstream>

#include "test/integration/process_runner.h"
#include "test/integration/profile_queries.h"

using namespace siagent::testing;

namespace {

std::string find_go() {
    for (const char* candidate : {"/usr/bin/go", "/usr/lib/go/bin/go", "/usr/local/go/bin/go"}) {
        struct stat info;
        if (stat(candidate, &info) == 0) return candidate;
    }
    return "";
}

}  // namespace

TEST_CASE("go tool pprof reads every file the agent writes, with names and lines") {
    std::string go = find_go();
    REQUIRE_FALSE(go.empty());  // scripts/test installs golang-go
    TemporaryDirectory dir;
    TemporaryDirectory go_home;
    // 150 units (about 0.3 s): the forked child lives well past its agent's start at 50 ms.
    REQUIRE(run({program("fork_exec"), "150"},
                {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", dir.path()}, {"SI_CPU_SAMPLING_HZ", "500"}})
                .exit_code == 0);
    auto files = dir.files("cpu-");
    REQUIRE(files.size() >= 3);
    std::map<std::string, std::string> go_env = {{"HOME", go_home.path()}, {"GOCACHE", go_home.path() + "/cache"},
                                                 {"GOFLAGS", "-mod=mod"}, {"GOTOOLCHAIN", "local"}};
    bool saw_function = false;
    for (const auto& file : files) {
        RunResult top = run({go, "tool", "pprof", "-top", "-sample_index=cpu", file}, go_env);
        INFO(file << "\n" << top.err << top.out);
        CHECK(top.exit_code == 0);
        CHECK(top.out.find("Type: cpu") != std::string::npos);
        saw_function = saw_function || top.out.find("_burn") != std::string::npos;
        RunResult lines = run({go, "tool", "pprof", "-top", "-lines", file}, go_env);
        CHECK(lines.exit_code == 0);
        CHECK(lines.out.find("fork_exec.cpp:") != std::string::npos);
    }
    CHECK(saw_function);
}

TEST_CASE("a Go program, whose exit no destructor sees, leaves CPU profiles with Go names and lines") {
    std::string go = find_go();
    REQUIRE_FALSE(go.empty());
    TemporaryDirectory build, dir;
    std::map<std::string, std::string> go_env = {{"HOME", build.path()}, {"GOCACHE", build.path() + "/cache"},
                                                 {"GOFLAGS", "-mod=mod"}, {"GOTOOLCHAIN", "local"},
                                                 {"CGO_ENABLED", "1"}};
    const std::string binary = build.path() + "/go_burn";
    const char* source_dir = getenv("SIAGENT_SOURCE_DIR");
    REQUIRE(source_dir != nullptr);
    RunResult built = run({go, "build", "-o", binary, std::string(source_dir) + "/test/programs/go/go_burn.go"},
                          go_env, 300);
    INFO(built.err);
    REQUIRE(built.exit_code == 0);
    // 2.5 s at the default 60 s report interval: without reports made often for Go, nothing.
    const double cpu_before = children_cpu_seconds();
    RunResult burned = run({binary, "2.5"}, {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", dir.path()},
                                             {"SI_CPU_SAMPLING_HZ", "200"}});
    const double burned_cpu_seconds = children_cpu_seconds() - cpu_before;
    REQUIRE(burned.exit_code == 0);
    CHECK(burned.out == "burned true\n");
    auto files = dir.files("cpu-");
    REQUIRE(files.size() >= 2);
    std::vector<std::string> argv = {siagent_cli(), "top"};
    argv.insert(argv.end(), files.begin(), files.end());
    RunResult top = run(argv, {});
    INFO(top.out);
    // At least the first 1.5 s of its 2.5 (reports every second; less CPU than that on a
    // loaded machine: 60 % of what it used), nearly all of it in burnGo, at its own source
    // line (not a line of the cgo runtime's C files, which .debug_aranges name).
    size_t row = top.out.find("main.burnGo");
    REQUIRE(row != std::string::npos);
    std::string line = top.out.substr(row, top.out.find('\n', row) - row);
    CHECK(line.find("go_burn.go:") != std::string::npos);
    auto profiles = read_profiles(files);
    INFO("the Go program used " << burned_cpu_seconds << " s of CPU");
    CHECK(static_cast<double>(self_value(profiles, "main.burnGo", 1)) > 0.6 * burned_cpu_seconds * 1e9);

    // A command of a profiled shell starts its agent from an allocation past the start
    // delay, but goroutines call no malloc: a Go program (its build-id note) makes its
    // waiting thread at its start, and is profiled at the default delay too.
    TemporaryDirectory from_shell;
    RunResult shell = run({"/bin/bash", "-c", binary + " 2.5; :"},
                          {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", from_shell.path()},
                           {"SI_START_DELAY", ""}, {"SI_CPU_SAMPLING_HZ", "200"}});
    REQUIRE(shell.exit_code == 0);
    auto from_shell_profiles = read_profiles(from_shell.files("cpu-"));
    REQUIRE(!from_shell_profiles.empty());
    CHECK(self_value(from_shell_profiles, "main.burnGo", 1) > 0);
}

TEST_CASE("siagent top prints the hot spots of the demo, ranked, with file:line") {
    TemporaryDirectory dir;
    // 800 requests with render_response at half its cost: 61 / 28 / 11 % in about 2,200
    // samples. The 17-point gap between the last two is 13 standard deviations of its estimate;
    // the demo's own 25 / 20 split was 3.7, and a loaded CI machine once read it as 22.2 / 22.9.
    REQUIRE(run({program("demo_hotspots"), "800", "2", "0", "0", "0.5"},
                {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", dir.path()}, {"SI_CPU_SAMPLING_HZ", "1000"}})
                .exit_code == 0);
    std::vector<std::string> argv = {siagent_cli(), "top"};
    for (const auto& file : dir.files("cpu-")) argv.push_back(file);
    RunResult top = run(argv, {});
    INFO(top.out << top.err);
    REQUIRE(top.exit_code == 0);
    size_t score = top.out.find("score_items");
    size_t parse = top.out.find("parse_request");
    size_t render = top.out.find("render_response");
    REQUIRE(score != std::string::npos);
    REQUIRE(parse != std::string::npos);
    REQUIRE(render != std::string::npos);
    CHECK(score < parse);  // 61 % before 28 %
    CHECK(parse < render);  // 28 % before 11 %
    CHECK(top.out.find("demo_hotspots.cpp:") != std::string::npos);
}

TEST_CASE("siagent top ranks exception types and messages of an error profile, sites with --cum") {
    TemporaryDirectory dir;
    REQUIRE(run({program("throw_sites"), "50"}, {{"LD_PRELOAD", agent_library()}, {"SI_OUTPUT_DIR", dir.path()}})
                .exit_code == 0);
    std::vector<std::string> argv = {siagent_cli(), "top", "-n", "5"};
    for (const auto& file : dir.files("error-")) argv.push_back(file);
    REQUIRE(argv.size() > 4);
    RunResult flat = run(argv, {});
    INFO(flat.out << flat.err);
    REQUIRE(flat.exit_code == 0);
    CHECK(flat.out.find("errors: 400 total") != std::string::npos);
    size_t parse = flat.out.find("ParseError: bad token");
    size_t code = flat.out.find("(anonymous namespace)::Code");
    REQUIRE(parse != std::string::npos);
    REQUIRE(code != std::string::npos);
    argv[3] = "0";  // every row
    argv.insert(argv.begin() + 2, "--cum");
    RunResult cum = run(argv, {});
    CHECK(cum.out.find("parse_site(long, int)") != std::string::npos);
    CHECK(cum.out.find("code_site(int)") != std::string::npos);
}

TEST_CASE("siagent top refuses an unreadable file with a one-line error") {
    RunResult top = run({siagent_cli(), "top", "/nonexistent/cpu-1-1.pb.gz"}, {});
    CHECK(top.exit_code == 2);
    CHECK(top.err.find("/nonexistent/cpu-1-1.pb.gz") != std::string::npos);
}

TEST_CASE("the library exports only the interposed symbols and the public API") {
    RunResult symbols = run({"/usr/bin/nm", "-D", "--defined-only", agent_library()}, {});
    REQUIRE(symbols.exit_code == 0);
    std::vector<std::string> exported;
    std::istringstream stream(symbols.out);
    for (std::string line; std::getline(stream, line);) {
        auto space = line.rfind(' ');
        std::string name = line.substr(space + 1);
        if (name.find("@@") != std::string::npos) name = name.substr(0, name.find("@@"));
        exported.push_back(name);
    }
    std::sort(exported.begin(), exported.end());
    INFO(symbols.out);
    // One line per family of interposed symbols (preload/<family>.cpp).
    std::vector<std::string> expected = {
        "si_start", "si_destroy",                                          // the C API
        "__cxa_throw",                                                     // exceptions
        "siagent_span_begin", "siagent_span_begin_profiled", "siagent_span_end",  // spans
        "pthread_create",                                                  // threads
        "sigaction", "signal", "sigset", "pthread_sigmask", "sigprocmask",  // signals
        "bsd_signal", "sysv_signal", "__sysv_signal",
        "unshare", "setns",                                                // namespaces
        "prctl",                                                           // seccomp
        "setuid", "setgid", "seteuid", "setegid", "setreuid", "setregid",  // credentials
        "setresuid", "setresgid", "setgroups",
        // descriptors the agent must keep (preload/descriptors.cpp)
        "close", "close_range", "closefrom", "dup2", "dup3", "pipe", "pipe2", "syscall",
        "epoll_create", "epoll_create1", "epoll_ctl", "eventfd", "timerfd_create", "timerfd_settime",
        "socket",
        "malloc", "free", "calloc", "realloc", "reallocarray", "memalign",  // malloc
        "posix_memalign", "aligned_alloc", "valloc", "pvalloc", "malloc_usable_size",
        // blocking calls (core/block/block_calls.h, with their 64-bit-offset twins)
        "accept", "accept4", "clock_nanosleep", "connect", "epoll_pwait", "epoll_pwait2", "epoll_wait", "fcntl",
        "fcntl64", "fdatasync", "flock", "fsync", "nanosleep", "open", "open64", "openat",
        "openat64", "poll", "ppoll", "pread", "pread64", "pselect", "pthread_cond_timedwait",
        "pthread_cond_wait", "pthread_join", "pthread_mutex_lock", "pthread_rwlock_rdlock",
        "pthread_rwlock_wrlock", "pwrite", "pwrite64", "read", "readv", "recv", "recvfrom",
        "recvmmsg", "recvmsg", "select", "sem_timedwait", "sem_wait", "send", "sendmmsg",
        "sendmsg", "sendto", "sleep", "usleep", "wait4", "waitpid", "write", "writev",
        // their fortified entry points (-D_FORTIFY_SOURCE)
        "__open64_2", "__open_2", "__openat64_2", "__openat_2", "__poll_chk", "__ppoll_chk",
        "__pread64_chk", "__pread_chk", "__read_chk", "__recv_chk", "__recvfrom_chk",
    };
    for (const char* form : {"_Znwm", "_Znam"})  // operator new, new[]
        for (const char* variant : {"", "RKSt9nothrow_t", "St11align_val_t", "St11align_val_tRKSt9nothrow_t"})
            expected.push_back(std::string(form) + variant);
    for (const char* form : {"_ZdlPv", "_ZdaPv"})  // operator delete, delete[]
        for (const char* variant : {"", "RKSt9nothrow_t", "m", "St11align_val_t", "mSt11align_val_t",
                                    "St11align_val_tRKSt9nothrow_t"})
            expected.push_back(std::string(form) + variant);
    // What the agent library takes from the first stage: C++ names in namespace siagent,
    // which no program can define.
    expected.push_back("siagent_next_symbol");
    std::erase_if(exported, [](const std::string& name) { return name.starts_with("_ZN7siagent"); });
    std::sort(expected.begin(), expected.end());
    CHECK(exported == expected);
}

// A library of the agent's, next to libsiagent.so.
std::string sibling_library(const std::string& name) {
    std::string path = agent_library();
    path.replace(path.rfind("libsiagent.so"), std::string("libsiagent.so").size(), name);
    return path;
}

TEST_CASE("the agent library exports one symbol: the table the first stage forwards to") {
    RunResult symbols = run({"/usr/bin/nm", "-D", "--defined-only", sibling_library("libsiagent-agent.so")}, {});
    REQUIRE(symbols.exit_code == 0);
    INFO(symbols.out);
    CHECK(symbols.out.find("siagent_agent_entry") != std::string::npos);
    CHECK(std::count(symbols.out.begin(), symbols.out.end(), '\n') == 1);
}

TEST_CASE("libdw is the symbolizer library's alone: the agent library does not need it, and "
          "libsiagent-dwarf.so exports one symbol, its reader's maker") {
    RunResult needed = run({"/usr/bin/readelf", "-d", sibling_library("libsiagent-agent.so")}, {});
    REQUIRE(needed.exit_code == 0);
    INFO(needed.out);
    CHECK(needed.out.find("libdw") == std::string::npos);
    CHECK(needed.out.find("libelf") == std::string::npos);
    RunResult symbols = run({"/usr/bin/nm", "-D", "--defined-only", sibling_library("libsiagent-dwarf.so")}, {});
    REQUIRE(symbols.exit_code == 0);
    INFO(symbols.out);
    CHECK(symbols.out.find("siagent_make_debug_info") != std::string::npos);
    CHECK(std::count(symbols.out.begin(), symbols.out.end(), '\n') == 1);
}

TEST_CASE("OpenSSL is libsiagent-tls.so's alone: the agent library holds none of its code, and "
          "libsiagent-tls.so exports one symbol, its function table") {
    RunResult agent_symbols = run({"/usr/bin/nm", sibling_library("libsiagent-agent.so")}, {});
    REQUIRE(agent_symbols.exit_code == 0);
    // OpenSSL's own internal functions are named ossl_*; the agent's stubs are not.
    CHECK(agent_symbols.out.find(" ossl_") == std::string::npos);
    CHECK(agent_symbols.out.find("siagent_openssl_slot_SSL_connect") != std::string::npos);
    RunResult symbols = run({"/usr/bin/nm", "-D", "--defined-only", sibling_library("libsiagent-tls.so")}, {});
    REQUIRE(symbols.exit_code == 0);
    INFO(symbols.out);
    CHECK(symbols.out.find("siagent_openssl_functions") != std::string::npos);
    CHECK(std::count(symbols.out.begin(), symbols.out.end(), '\n') == 1);
}
