// The `siagent` command. Exit codes: 0 ok, 2 a file could not be read or decoded,
// 64 (EX_USAGE) bad arguments, including profiles of different kinds given together.
#include <cstdio>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <fstream>

#include <algorithm>
#include <filesystem>

#include "core/crash/crash_record.h"
#include "tools/leak_table.h"
#include "tools/metrics_table.h"
#include "tools/top_table.h"
#include "transport/profile_file.h"

namespace {

constexpr int kExitUnreadable = 2;
constexpr int kExitUsage = 64;

constexpr const char* kUsage =
    "usage: siagent <command> [options]\n"
    "\n"
    "commands:\n"
    "  top [-n N] [--cum] [--sample-index NAME|INDEX] FILE...\n"
    "        rank functions of one or more pprof files (gzipped or plain) of one kind,\n"
    "        merged; -n rows (default 20, 0 = all), --cum sorts by cumulative value,\n"
    "        --sample-index picks the value (default: the last sample type, e.g. cpu)\n"
    "  leaks FILE...\n"
    "        list the call stacks that heap-in-use files (inuse-*.pb.gz) flag as\n"
    "        suspected leaks, fastest-growing first\n"
    "  crashes DIR\n"
    "        list the crash reports in DIR, symbolized: raw records of a spool directory\n"
    "        (SI_SPOOL_DIR, crash-*.rec) and reports an agent wrote (SI_OUTPUT_DIR, crash-*.txt)\n"
    "  metrics FILE\n"
    "        show a metrics-<pid>.jsonl file (SI_OUTPUT_DIR) as a table, one row per interval\n"
    "  help  print this text\n";

int usage_error(const std::string& message) {
    std::fprintf(stderr, "siagent: %s (see 'siagent help')\n", message.c_str());
    return kExitUsage;
}

bool parse_rows(std::string_view text, size_t& rows) {
    if (text.empty() || text.size() > 9) return false;
    size_t n = 0;
    for (char c : text) {
        if (c < '0' || c > '9') return false;
        n = n * 10 + static_cast<size_t>(c - '0');
    }
    rows = n;
    return true;
}

// Reads every file; says which one failed and why.
bool read_all(const std::vector<std::string>& files, std::vector<siagent::NamedProfile>& profiles) {
    for (const std::string& path : files) {
        std::string error;
        std::optional<siagent::Profile> p = siagent::read_profile_file(path, error);
        if (!p) {
            std::fprintf(stderr, "siagent: %s\n", error.c_str());
            return false;
        }
        profiles.push_back({path, std::move(*p)});
    }
    return true;
}

int write_stdout(const std::string& text) {
    std::fwrite(text.data(), 1, text.size(), stdout);
    if (std::fflush(stdout) != 0) {
        std::perror("siagent: stdout");
        return 1;
    }
    return 0;
}

int run_leaks(const std::vector<std::string>& args) {
    std::vector<std::string> files;
    for (const std::string& a : args) {
        if (a == "--") continue;
        if (!a.empty() && a[0] == '-' && a != "-") return usage_error("unknown option '" + a + "' for leaks");
        files.push_back(a);
    }
    if (files.empty()) return usage_error("leaks needs at least one inuse profile file");
    std::vector<siagent::NamedProfile> profiles;
    if (!read_all(files, profiles)) return kExitUnreadable;
    std::string error;
    std::optional<siagent::LeakTable> table = siagent::compute_leaks(profiles, error);
    if (!table) {
        std::fprintf(stderr, "siagent: %s\n", error.c_str());
        return kExitUsage;
    }
    return write_stdout(siagent::render_leaks(*table));
}

int run_top(const std::vector<std::string>& args) {
    siagent::TopOptions options;
    std::vector<std::string> files;
    bool options_done = false;
    for (size_t i = 0; i < args.size(); ++i) {
        const std::string& a = args[i];
        if (options_done || a.empty() || a[0] != '-' || a == "-") {
            files.push_back(a);
            continue;
        }
        // Accepts "-n 5", "-n5", "-n=5", and "--sample-index X" or "--sample-index=X".
        auto value = [&](std::string_view flag, std::string& out) -> int {
            if (a == flag) {
                if (i + 1 >= args.size()) return -1;
                out = args[++i];
                return 1;
            }
            if (a.compare(0, flag.size(), flag) != 0) return 0;
            std::string_view rest = std::string_view(a).substr(flag.size());
            if (rest.front() == '=')
                rest.remove_prefix(1);
            else if (flag.size() > 2)
                return 0;  // long flags take '=' only
            out = std::string(rest);
            return 1;
        };
        std::string text;
        int got = 0;
        if (a == "--") {
            options_done = true;
        } else if (a == "--cum") {
            options.sort_by_cum = true;
        } else if (a == "--flat") {
            options.sort_by_cum = false;
        } else if ((got = value("-n", text)) != 0) {
            if (got < 0) return usage_error("-n needs a number");
            if (!parse_rows(text, options.rows))
                return usage_error("-n needs a number, not '" + text + "'");
        } else if ((got = value("--sample-index", text)) != 0) {
            if (got < 0 || text.empty()) return usage_error("--sample-index needs a name or index");
            options.sample_index = text;
        } else {
            return usage_error("unknown option '" + a + "' for top");
        }
    }
    if (files.empty()) return usage_error("top needs at least one profile file");

    std::vector<siagent::NamedProfile> profiles;
    if (!read_all(files, profiles)) return kExitUnreadable;
    std::string error;
    std::optional<siagent::TopTable> table = siagent::compute_top(profiles, options, error);
    if (!table) {  // different kinds, or a sample index the files do not have
        std::fprintf(stderr, "siagent: %s\n", error.c_str());
        return kExitUsage;
    }
    return write_stdout(siagent::render_top(*table));
}

int run_crashes(const std::vector<std::string>& args) {
    if (args.size() != 1) return usage_error("crashes needs one directory");
    std::error_code failure;
    std::vector<std::filesystem::path> files;
    for (const auto& entry : std::filesystem::directory_iterator(args[0], failure)) {
        std::string name = entry.path().filename();
        bool record = name.size() > 4 && name.substr(name.size() - 4) == ".rec";
        bool report = name.size() > 4 && name.substr(name.size() - 4) == ".txt";
        if (name.rfind("crash-", 0) == 0 && (record || report)) files.push_back(entry.path());
    }
    if (failure) {
        std::fprintf(stderr, "siagent: cannot read %s: %s\n", args[0].c_str(), failure.message().c_str());
        return kExitUnreadable;
    }
    std::sort(files.begin(), files.end());
    std::printf("%zu crash%s in %s\n", files.size(), files.size() == 1 ? "" : "es", args[0].c_str());
    for (const auto& path : files) {
        std::ifstream file(path);
        std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        if (path.extension() == ".rec") {
            siagent::CrashRecord record;
            std::string error;
            if (!siagent::parse_crash_record(text, record, error)) {
                std::printf("\n== %s: %s\n", path.c_str(), error.c_str());
                continue;
            }
            text = siagent::render_crash_report(record);
        }
        std::printf("\n== %s\n%s", path.c_str(), text.c_str());
    }
    return std::fflush(stdout) == 0 ? 0 : 1;
}

int run_metrics(const std::vector<std::string>& args) {
    if (args.size() != 1) return usage_error("metrics needs one file");
    std::ifstream file(args[0]);
    if (!file) {
        std::fprintf(stderr, "siagent: cannot read %s\n", args[0].c_str());
        return kExitUnreadable;
    }
    std::vector<siagent::MetricsLine> lines;
    size_t number = 0;
    for (std::string text; std::getline(file, text);) {
        ++number;
        if (text.empty()) continue;
        siagent::MetricsLine line;
        std::string error;
        if (!siagent::parse_metrics_line(text, line, error)) {
            std::fprintf(stderr, "siagent: %s:%zu: %s\n", args[0].c_str(), number, error.c_str());
            return kExitUnreadable;
        }
        lines.push_back(std::move(line));
    }
    const std::string text = siagent::render_metrics(lines);
    std::fwrite(text.data(), 1, text.size(), stdout);
    return std::fflush(stdout) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::vector<std::string> args(argv + 1, argv + argc);
    if (args.empty()) return usage_error("missing command");
    const std::string command = args.front();
    args.erase(args.begin());
    if (command == "help" || command == "--help" || command == "-h") {
        std::fputs(kUsage, stdout);
        return 0;
    }
    if (command == "leaks") {
        for (const std::string& a : args)
            if (a == "--help" || a == "-h") {
                std::fputs(kUsage, stdout);
                return 0;
            }
        return run_leaks(args);
    }
    if (command == "top") {
        for (const std::string& a : args) {
            if (a == "--help" || a == "-h") {
                std::fputs(kUsage, stdout);
                return 0;
            }
            if (a == "--") break;
        }
        return run_top(args);
    }
    if (command == "metrics") return run_metrics(args);
    if (command == "crashes") return run_crashes(args);
    return usage_error("unknown command '" + command + "'");
}
