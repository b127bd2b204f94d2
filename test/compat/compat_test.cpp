// Compatibility: programs nobody here wrote (and a few hostile ones), each run twice, without
// and with the agent preloaded, with the same input. The exit status and the standard output
// must be the same, and where a program has a known hot spot its profile must name it.
// (redis-server and nginx: test/integration/real_programs_test.cpp; a daemon that closes
// every descriptor: descriptors_test.cpp; setpriv and set*id drops, fork children:
// process_lifecycle_test.cpp; a Go program: tools_test.cpp.)
#include <catch2/catch.hpp>

#include <unistd.h>

#include <cstdlib>
#include <initializer_list>
#include <string>
#include <vector>

#include "test/integration/process_runner.h"
#include "test/integration/profile_queries.h"

using namespace siagent::testing;

namespace {

bool installed(const std::string& path) { return access(path.c_str(), X_OK) == 0; }

// Whether every tool is on the PATH the scripts run with (or at its absolute path). A
// missing one is said (WARN) and the test is not run: scripts/install-deps installs them
// all, but a machine set up another way should get a clear note, not a failure that looks
// like the agent's.
bool tools_present(std::initializer_list<const char*> tools) {
    const char* path = getenv("PATH");
    std::string directories = path != nullptr ? path : "/usr/bin:/bin";
    bool all = true;
    for (const char* tool : tools) {
        bool found = tool[0] == '/' && installed(tool);
        size_t start = tool[0] == '/' ? directories.size() + 1 : 0;
        while (!found && start <= directories.size()) {
            size_t end = directories.find(':', start);
            if (end == std::string::npos) end = directories.size();
            found = installed(directories.substr(start, end - start) + "/" + tool);
            start = end + 1;
        }
        if (!found) WARN(tool << " is not installed: not run (scripts/install-deps installs it)");
        all = all && found;
    }
    return all;
}

// Runs `script` with bash in a fresh directory, once plainly and once under the agent
// (local files into `profiles`), and checks both end alike and the agent said nothing but
// `agent_says` (a whole line, or nothing). Returns the profiled run. The profiled run loads
// the agent at once in every process (SI_START_DELAY=0, from the test environment); a third
// run with the default delay (short processes never load it, long ones load it midway)
// must end alike too.
RunResult same_with_and_without_agent(const std::string& script, const TemporaryDirectory& profiles,
                                      const std::string& agent_says = "", int timeout_seconds = 120) {
    TemporaryDirectory plain_dir, profiled_dir;
    RunResult plain = run({"/bin/bash", "-c", "cd " + plain_dir.path() + " && " + script}, {}, timeout_seconds);
    INFO("without the agent: exit " << plain.exit_code << "\n" << plain.out << plain.err);
    REQUIRE(plain.exit_code == 0);
    RunResult profiled = run({"/bin/bash", "-c", "cd " + profiled_dir.path() + " && " + script},
                             {{"LD_PRELOAD", agent_library()},
                              {"SI_OUTPUT_DIR", profiles.path()},
                              {"SI_CPU_SAMPLING_HZ", "1000"}},
                             timeout_seconds);
    INFO("with the agent: exit " << profiled.exit_code << " signal " << profiled.signal << "\n"
                                 << profiled.out << profiled.err);
    CHECK_FALSE(profiled.timed_out);
    CHECK(profiled.exit_code == 0);
    CHECK(profiled.out == plain.out);
    CHECK(profiled.err == agent_says);
    TemporaryDirectory delayed_dir, delayed_profiles;
    RunResult delayed = run({"/bin/bash", "-c", "cd " + delayed_dir.path() + " && " + script},
                            {{"LD_PRELOAD", agent_library()},
                             {"SI_OUTPUT_DIR", delayed_profiles.path()},
                             {"SI_START_DELAY", ""}},
                            timeout_seconds);
    INFO("with the agent loaded after the default delay: exit " << delayed.exit_code << " signal "
                                                                << delayed.signal << "\n"
                                                                << delayed.out << delayed.err);
    CHECK_FALSE(delayed.timed_out);
    CHECK(delayed.exit_code == 0);
    CHECK(delayed.out == plain.out);
    // A process that ends within the delay never loads the agent, so says nothing.
    CHECK((delayed.err == agent_says || delayed.err.empty()));
    return profiled;
}

// The CPU profiles the profiled run left (at least one).
std::vector<siagent::Profile> cpu_profiles(const TemporaryDirectory& profiles) {
    auto cpu = read_profiles(profiles.files("cpu-"));
    REQUIRE(!cpu.empty());
    return cpu;
}

}  // namespace

TEST_CASE("bash reading its descriptor 3 while the profiler samples it") {
    TemporaryDirectory profiles;
    same_with_and_without_agent(
        "exec 3</etc/passwd; for ((i = 0; i < 300000; ++i)); do :; done; head -c 64 <&3 | wc -c; echo ok",
        profiles);
}

TEST_CASE("RLIMIT_NOFILE 12: the program opens as many files as without the agent") {
    if (!tools_present({"/usr/bin/python3"})) return;
    TemporaryDirectory profiles;
    RunResult result = same_with_and_without_agent(
        "ulimit -n 12; /usr/bin/python3 -c '\n"
        "import os\n"
        "fds = []\n"
        "try:\n"
        "    while True: fds.append(os.open(\"/etc/passwd\", os.O_RDONLY))\n"
        "except OSError:\n"
        "    print(\"opened\", len(fds))\n'",
        profiles,
        // The first process of the tree says why it is not profiled (bash execs python3).
        "siagent: RLIMIT_NOFILE is 12: too few descriptors to share with the agent; this "
        "process is not profiled\n");
    CHECK(result.out.find("opened ") == 0);
}

TEST_CASE("python3: threads, multiprocessing and subprocess; the interpreter's loop is profiled") {
    if (!tools_present({"/usr/bin/python3"})) return;
    TemporaryDirectory profiles;
    same_with_and_without_agent(
        "/usr/bin/python3 -c '\n"
        "import threading, multiprocessing, subprocess\n"
        "def burn(n):\n"
        "    return sum(i * i % 7 for i in range(n))\n"
        "results = []\n"
        "threads = [threading.Thread(target=lambda: results.append(burn(300000))) for _ in range(4)]\n"
        "[t.start() for t in threads]; [t.join() for t in threads]\n"
        "print(\"threads\", sorted(results))\n"
        "with multiprocessing.Pool(2) as pool:\n"
        "    print(\"pool\", pool.map(burn, [1000, 2000, 3000]))\n"
        "print(\"subprocess\", subprocess.run([\"echo\", \"hi\"], capture_output=True, text=True).stdout.strip())\n'",
        profiles);
    CHECK(total_value_through(cpu_profiles(profiles), "_PyEval_EvalFrameDefault", 1) > 0);
}

TEST_CASE("node: a CPU-bound script and an http server answering 200 requests") {
    if (!installed("/usr/bin/node")) {
        WARN("node is not installed: not run");
        return;
    }
    TemporaryDirectory profiles;
    same_with_and_without_agent(
        "/usr/bin/node -e '\n"
        "function hot(n) { let s = 0; for (let i = 0; i < n; i++) s += i % 7; return s; }\n"
        "console.log(\"hot\", hot(2e8));\n"
        "const http = require(\"http\");\n"
        "const server = http.createServer((req, res) => res.end(\"pong\"));\n"
        "server.listen(0, \"127.0.0.1\", async () => {\n"
        "  const port = server.address().port; let ok = 0;\n"
        "  for (let i = 0; i < 200; i++) {\n"
        "    const body = await new Promise((resolve, reject) => http.get({port, host: \"127.0.0.1\"}, r => {\n"
        "      let d = \"\"; r.on(\"data\", c => d += c); r.on(\"end\", () => resolve(d)); }).on(\"error\", reject));\n"
        "    if (body === \"pong\") ok++;\n"
        "  }\n"
        "  console.log(\"answered\", ok); server.close();\n"
        "});'",
        profiles);
    CHECK(total_value(cpu_profiles(profiles), 1) > 0);
}

TEST_CASE("chromium headless: a page's DOM as without the agent; the browser is profiled, its zygote left alone") {
    // Chromium's zygote checks before each fork that it has one thread, and kills itself
    // with a trap otherwise: a waiting thread in it ended every run that lived past
    // SI_START_DELAY with "GPU process isn't usable. Goodbye." The browser then aborted on
    // an EBADF from close: a descriptor of the agent's, closed unseen by closedir, had been
    // given to the browser (descriptor_reuse in descriptors_test.cpp). Run with the default
    // delay in both profiled runs: with SI_START_DELAY=0 chrome_crashpad_handler's
    // self-monitoring fork child hangs (issue 15's note). Chromium's own log lines vary from
    // run to run: only the agent's are kept on stderr, each once (the crashpad handler,
    // reparented to init, says again what the browser said).
    if (!tools_present({"chromium"})) return;
    TemporaryDirectory profiles;
    same_with_and_without_agent(
        "SI_START_DELAY=50ms chromium --headless --no-sandbox --disable-gpu --user-data-dir=\"$PWD/user\" "
        "--dump-dom 'data:text/html,<p id=sum></p><script>let s = 0; for (let i = 0; i < 3e7; i++) s += i % 7;"
        " document.getElementById(\"sum\").textContent = s;</script>' 2>chromium.err;"
        " status=$?; grep -a '^siagent' chromium.err | sort -u >&2; exit $status",
        profiles,
        // PartitionAlloc, linked into chromium, is its malloc.
        "siagent: malloc comes from the program before libsiagent.so: allocations are not profiled "
        "(name libsiagent.so first in LD_PRELOAD)\n");
    CHECK(total_value(cpu_profiles(profiles), 1) > 0);
}

TEST_CASE("git: init, commit, log") {
    if (!tools_present({"git"})) return;
    TemporaryDirectory profiles;
    same_with_and_without_agent(
        "git init -q repo && cd repo && echo text > file && git add file && "
        "git -c user.email=a@example.com -c user.name=a commit -q -m first && "
        "git -c user.email=a@example.com -c user.name=a commit -q --allow-empty -m second && "
        "git log --format=%s && git status --short | wc -l",
        profiles);
}

TEST_CASE("sqlite3: a query over 200,000 rows") {
    if (!tools_present({"sqlite3"})) return;
    TemporaryDirectory profiles;
    same_with_and_without_agent(
        "sqlite3 :memory: 'create table t(x); with recursive c(i) as (select 1 union all select i + 1 "
        "from c where i < 200000) insert into t select i from c; select count(*), sum(x), max(x % 997) from t;'",
        profiles);
}

TEST_CASE("make -j2 with gcc: a small project builds and its program runs") {
    if (!tools_present({"make", "gcc"})) return;
    TemporaryDirectory profiles;
    same_with_and_without_agent(
        "for i in 1 2 3 4 5 6; do echo \"int part$i(int x) { return x * $i; }\" > part$i.c; done && "
        "printf 'int part1(int);int part2(int);int part3(int);int part4(int);int part5(int);int part6(int);\\n"
        "#include <stdio.h>\\nint main(void) { printf(\"%%d\\\\n\", part1(1)+part2(2)+part3(3)+part4(4)+part5(5)+part6(6)); return 0; }\\n' > main.c && "
        "printf 'app: main.o part1.o part2.o part3.o part4.o part5.o part6.o\\n\\tgcc -o $@ $^\\n%%.o: %%.c\\n\\tgcc -O2 -c -o $@ $<\\n' > Makefile && "
        "make -s -j2 && ./app",
        profiles);
}

// AddressSanitizer's shared runtime (gcc's default) ends any program in which a library
// comes before it, as every preloaded one does, before the agent could run (docs/
// architecture.md, Known limits): with ASan's own option for that, such a program runs as
// without the agent and is profiled, allocations through ASan's allocator included.
TEST_CASE("a program built with AddressSanitizer, run with ASAN_OPTIONS=verify_asan_link_order=0") {
    if (!tools_present({"gcc"})) return;
    TemporaryDirectory profiles;
    same_with_and_without_agent(
        "cat > app.c <<'EOF'\n"
        "#include <stdio.h>\n#include <stdlib.h>\n#include <time.h>\n"
        "static volatile long sink;\n"
        "__attribute__((noinline)) static void asan_hot_loop(void) {\n"
        "  struct timespec start, now; clock_gettime(CLOCK_MONOTONIC, &start);\n"
        "  do { for (int i = 0; i < 10000; ++i) { char *p = malloc(64 + i % 64); p[0] = 1; sink += p[0]; free(p); }\n"
        "       clock_gettime(CLOCK_MONOTONIC, &now);\n"
        "  } while ((now.tv_sec - start.tv_sec) * 1000 + (now.tv_nsec - start.tv_nsec) / 1000000 < 400);\n"
        "}\n"
        "int main(void) { asan_hot_loop(); printf(\"%d\\n\", sink > 0); return 0; }\n"
        "EOF\n"
        "gcc -fsanitize=address -O1 -g -o app app.c && ASAN_OPTIONS=verify_asan_link_order=0 ./app",
        profiles);
    auto cpu = cpu_profiles(profiles);
    CHECK(total_value_through(cpu, "asan_hot_loop", 1) > 0);
}

// valgrind runs its guest with the agent loaded inside it; memcheck must find nothing to
// report (it used to report ld.so's reads while expanding the agent library's RUNPATH).
TEST_CASE("valgrind: memcheck over a program finds no error") {
    if (!tools_present({"valgrind"})) return;
    TemporaryDirectory profiles;
    same_with_and_without_agent("valgrind -q --error-exitcode=9 /bin/echo hi", profiles);
}

TEST_CASE("a fork storm: 1000 children that allocate and exit") {
    TemporaryDirectory profiles;
    same_with_and_without_agent(program("process_churn") + " fork 1000 && echo done", profiles);
}

TEST_CASE("thread churn: 20 rounds of 64 threads") {
    TemporaryDirectory profiles;
    same_with_and_without_agent(program("process_churn") + " threads 64 20 && echo done", profiles);
}

TEST_CASE("a program whose threads block every signal") {
    if (!tools_present({"/usr/bin/python3"})) return;
    TemporaryDirectory profiles;
    same_with_and_without_agent(
        "/usr/bin/python3 -c '\n"
        "import signal, threading\n"
        "signal.pthread_sigmask(signal.SIG_BLOCK, signal.valid_signals())\n"
        "out = []\n"
        "t = threading.Thread(target=lambda: out.append(sum(range(3000000))))\n"
        "t.start(); t.join()\n"
        "print(out, sorted(signal.pthread_sigmask(signal.SIG_BLOCK, [])) == sorted(signal.valid_signals()))\n'",
        profiles);
}
