// Overhead benchmark: runs one program unprofiled, under siagent, and under gperftools'
// CPU profiler, alternating, several rounds, and prints each variant's median wall and CPU
// time as a ratio to the unprofiled runs measured in the same invocation, what it adds in
// milliseconds, and the largest resident set of the program (or of any process it ran).
//
// With --agent-before, another build of the agent (an earlier commit's libsiagent.so) runs
// as one more variant, so that a change is measured against its parent in one invocation.
//
// Usage: bench_runner --agent LIB [--agent-before LIB] [--gperftools LIB] [--rounds N]
//                     [--hz N] [--label TEXT] -- PROGRAM ARGS...
#include <sys/resource.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "test/support/exec_arguments.h"

namespace {

struct Variant {
    std::string name;
    std::map<std::string, std::string> environment;
    std::vector<double> wall_seconds;
    std::vector<double> cpu_seconds;
    std::vector<double> max_rss_mib;
};

struct Measurement {
    double wall = 0;
    double cpu = 0;
    double max_rss_mib = 0;
    bool ok = false;
};

Measurement run_once(const std::vector<std::string>& argv, const std::map<std::string, std::string>& extra) {
    // A variant's environment is the bench's own, without any profiler's variables, plus its own.
    siagent::testing::ExecArguments arguments(argv, extra, [](const std::string& name) {
        return name == "LD_PRELOAD" || name.rfind("SI_", 0) == 0 || name.rfind("CPUPROFILE", 0) == 0;
    });
    fflush(stdout);  // or the child's freopen would write our buffered output again
    auto started = std::chrono::steady_clock::now();
    pid_t child = fork();
    if (child == 0) {
        // The programs' own output (and gperftools' summary line) is not the benchmark's.
        if (!freopen("/dev/null", "w", stdout) || !freopen("/dev/null", "w", stderr)) _exit(126);
        execve(arguments.path(), arguments.argv(), arguments.envp());
        _exit(127);
    }
    int status = 0;
    rusage usage{};
    wait4(child, &status, 0, &usage);
    Measurement result;
    result.wall = std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
    result.cpu = usage.ru_utime.tv_sec + usage.ru_utime.tv_usec / 1e6 + usage.ru_stime.tv_sec +
                 usage.ru_stime.tv_usec / 1e6;
    result.max_rss_mib = static_cast<double>(usage.ru_maxrss) / 1024;  // ru_maxrss is in KiB
    result.ok = WIFEXITED(status) && WEXITSTATUS(status) == 0;
    return result;
}

double median(std::vector<double> values) {
    std::sort(values.begin(), values.end());
    size_t middle = values.size() / 2;
    return values.size() % 2 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
}

[[noreturn]] void usage() {
    fprintf(stderr, "usage: bench_runner --agent LIB [--agent-before LIB] [--gperftools LIB] [--rounds N] [--hz N] [--label TEXT] -- PROGRAM ARGS...\n");
    exit(64);
}

}  // namespace

int main(int argc, char** argv) {
    std::string agent, agent_before, gperftools, hz = "100", label;
    int rounds = 5;
    std::vector<std::string> program;
    for (int i = 1; i < argc; ++i) {
        std::string arg = argv[i];
        if (arg == "--") {
            program.assign(argv + i + 1, argv + argc);
            break;
        }
        if (i + 1 >= argc) usage();
        if (arg == "--agent") agent = argv[++i];
        else if (arg == "--agent-before") agent_before = argv[++i];
        else if (arg == "--gperftools") gperftools = argv[++i];
        else if (arg == "--rounds") rounds = atoi(argv[++i]);
        else if (arg == "--hz") hz = argv[++i];
        else if (arg == "--label") label = argv[++i];
        else usage();
    }
    if (agent.empty() || program.empty() || rounds < 1) usage();

    std::string scratch = std::filesystem::temp_directory_path() / ("siagent-bench-" + std::to_string(getpid()));
    std::filesystem::create_directories(scratch);
    auto agent_variant = [&](const std::string& name, const std::string& library) {
        return Variant{name, {{"LD_PRELOAD", library}, {"SI_OUTPUT_DIR", scratch + "/" + name},
                              {"SI_CPU_SAMPLING_HZ", hz}}, {}, {}, {}};
    };
    std::vector<Variant> variants = {{"unprofiled", {}, {}, {}, {}}, agent_variant("siagent", agent)};
    if (!agent_before.empty()) variants.push_back(agent_variant("before", agent_before));
    if (!gperftools.empty()) {
        variants.push_back({"gperftools", {{"LD_PRELOAD", gperftools}, {"CPUPROFILE", scratch + "/gperftools.prof"},
                                           {"CPUPROFILE_FREQUENCY", hz}}, {}, {}, {}});
    }

    std::string command;
    for (const auto& part : program) command += part + " ";
    printf("benchmark: %s(%d rounds, variants alternate within each round, %s Hz)\n",
           label.empty() ? command.c_str() : (label + " ").c_str(), rounds, hz.c_str());
    run_once(program, {});  // warm the page cache
    for (int round = 0; round < rounds; ++round) {
        for (auto& variant : variants) {
            Measurement measured = run_once(program, variant.environment);
            if (!measured.ok) {
                fprintf(stderr, "bench_runner: %s run failed\n", variant.name.c_str());
                return 1;
            }
            variant.wall_seconds.push_back(measured.wall);
            variant.cpu_seconds.push_back(measured.cpu);
            variant.max_rss_mib.push_back(measured.max_rss_mib);
        }
    }
    std::filesystem::remove_all(scratch);

    double base_wall = median(variants[0].wall_seconds), base_cpu = median(variants[0].cpu_seconds);
    double base_rss = median(variants[0].max_rss_mib);
    printf("%-12s %12s %12s %12s %12s %12s %12s %12s\n", "variant", "wall (s)", "cpu (s)",
           "wall ratio", "cpu ratio", "added ms", "max RSS MiB", "added MiB");
    for (const auto& variant : variants) {
        double wall = median(variant.wall_seconds), cpu = median(variant.cpu_seconds);
        double rss = median(variant.max_rss_mib);
        printf("%-12s %12.4f %12.4f %12.4f %12.4f %12.2f %12.1f %12.1f\n", variant.name.c_str(), wall,
               cpu, wall / base_wall, cpu / base_cpu, (wall - base_wall) * 1000, rss, rss - base_rss);
    }
    return 0;
}
