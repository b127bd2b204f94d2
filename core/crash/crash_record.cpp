#include "core/crash/crash_record.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "core/error/error_aggregator.h"
#include "core/symbols/symbolizer.h"

namespace siagent {
namespace {

uint64_t number(const std::string& text) { return strtoull(text.c_str(), nullptr, 0); }

// Undoes SafeText::add_escaped.
std::string unescape(const std::string& text) {
    std::string out;
    for (size_t i = 0; i < text.size(); ++i) {
        if (text[i] == '\\' && i + 3 < text.size() + 0 && text[i + 1] == 'x') {
            out += static_cast<char>(strtoul(text.substr(i + 2, 2).c_str(), nullptr, 16));
            i += 3;
        } else {
            out += text[i];
        }
    }
    return out;
}

std::string dash_as_empty(const std::string& value) { return value == "-" ? "" : value; }

bool parse_line(const std::string& key, const std::string& value, CrashRecord& out) {
    if (key == "signal") {
        std::istringstream parts(value);
        parts >> out.signal >> out.signal_name;
    } else if (key == "code") out.code = strtoll(value.c_str(), nullptr, 10);
    else if (key == "fault_address") out.fault_address = number(value);
    else if (key == "pid") out.pid = static_cast<int64_t>(number(value));
    else if (key == "tid") out.tid = static_cast<int64_t>(number(value));
    else if (key == "time_unix_ms") out.time_unix_ms = static_cast<int64_t>(number(value));
    else if (key == "exception") out.exception_type = demangle_type_name(unescape(value).c_str());
    else if (key == "exception_what") out.exception_what = unescape(value);
    else if (key == "app") out.app = dash_as_empty(value);
    else if (key == "version") out.version = dash_as_empty(value);
    else if (key == "environment") out.environment = dash_as_empty(value);
    else if (key == "host") out.host = dash_as_empty(value);
    else if (key == "executable") out.executable = dash_as_empty(value);
    else if (key == "module") {
        std::istringstream parts(value);
        std::string start, end, bias;
        CrashModule module;
        parts >> start >> end >> bias >> module.build_id;
        std::getline(parts >> std::ws, module.path);
        module.start = number(start);
        module.end = number(end);
        module.bias = number(bias);
        if (module.build_id == "-") module.build_id.clear();
        out.modules.push_back(module);
    } else return key == "frames";  // unknown keys are errors; "frames" precedes addresses
    return true;
}

const CrashModule* module_of(const CrashRecord& record, uint64_t address) {
    for (const CrashModule& module : record.modules)
        if (address >= module.start && address < module.end) return &module;
    return nullptr;
}

std::string base_name(const std::string& path) {
    size_t slash = path.rfind('/');
    return slash == std::string::npos ? path : path.substr(slash + 1);
}

// The C and C++ runtimes and the agent: frames there are how a crash was delivered
// (abort, raise, __cxa_throw), not where the program went wrong.
bool runtime_module(const CrashModule* module) {
    if (module == nullptr) return false;
    std::string name = base_name(module->path);
    for (const char* prefix : {"libc.so", "libc-", "libstdc++", "libgcc_s", "libsiagent", "ld-linux", "libpthread"})
        if (name.rfind(prefix, 0) == 0) return true;
    return false;
}

const char* code_name(int signal, int64_t code) {
    if (code <= 0) return code == SI_USER ? "SI_USER (kill)" : code == SI_TKILL ? "SI_TKILL (raise, abort)" : "sent";
    if (signal == SIGSEGV) return code == SEGV_MAPERR ? "SEGV_MAPERR" : code == SEGV_ACCERR ? "SEGV_ACCERR" : "";
    if (signal == SIGFPE) return code == FPE_INTDIV ? "FPE_INTDIV" : code == FPE_INTOVF ? "FPE_INTOVF" : "";
    if (signal == SIGBUS) return code == BUS_ADRERR ? "BUS_ADRERR" : code == BUS_ADRALN ? "BUS_ADRALN" : "";
    if (signal == SIGILL) return code == ILL_ILLOPN ? "ILL_ILLOPN" : code == ILL_ILLOPC ? "ILL_ILLOPC" : "";
    return "";
}

std::string hex(uint64_t value) {
    char text[24];
    snprintf(text, sizeof text, "0x%llx", static_cast<unsigned long long>(value));
    return text;
}

std::string utc_time(int64_t unix_ms) {
    time_t seconds = static_cast<time_t>(unix_ms / 1000);
    tm utc;
    gmtime_r(&seconds, &utc);
    char text[40];
    strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S UTC", &utc);
    return text;
}

std::string describe_frame(const Frame& frame) {
    if (frame.lines.empty()) return "??";
    const SourceLine& owner = frame.lines.back();
    std::string text = owner.function.empty() ? "??" : owner.function;
    if (!owner.file.empty()) text += " (" + base_name(owner.file) + ":" + std::to_string(owner.line) + ")";
    for (size_t i = frame.lines.size() - 1; i-- > 0;) {  // inlined callees, outermost first
        const SourceLine& inlined = frame.lines[i];
        text += "\n          inlined: " + inlined.function;
        if (!inlined.file.empty()) text += " (" + base_name(inlined.file) + ":" + std::to_string(inlined.line) + ")";
    }
    return text;
}

}  // namespace

bool parse_crash_record(const std::string& text, CrashRecord& out, std::string& error) {
    out = CrashRecord{};
    std::istringstream lines(text);
    std::string line;
    if (!std::getline(lines, line) || line != "siagent crash record 1") {
        error = "not a siagent crash record (version 1)";
        return false;
    }
    bool ended = false;
    while (std::getline(lines, line)) {
        if (line == "end") {
            ended = true;
            break;
        }
        if (line.rfind("0x", 0) == 0) {
            out.frames.push_back(number(line));
            continue;
        }
        size_t space = line.find(' ');
        std::string key = line.substr(0, space);
        std::string value = space == std::string::npos ? "" : line.substr(space + 1);
        if (!parse_line(key, value, out)) {
            error = "unknown line \"" + line.substr(0, 40) + "\"";
            return false;
        }
    }
    if (!ended || out.signal == 0) {
        error = "incomplete record";
        return false;
    }
    return true;
}

std::string render_crash_report(const CrashRecord& record) {
    std::vector<LoadedModule> modules;
    for (const CrashModule& module : record.modules) modules.push_back({module.path, module.bias, module.build_id});
    Symbolizer symbolizer(modules);
    std::ostringstream out;
    out << "crash of " << (record.app.empty() ? "?" : record.app);
    if (!record.version.empty()) out << " version " << record.version;
    if (!record.environment.empty()) out << " environment " << record.environment;
    out << " on " << (record.host.empty() ? "?" : record.host) << "\n";
    out << "executable " << record.executable << ", pid " << record.pid << ", thread " << record.tid
        << ", at " << utc_time(record.time_unix_ms) << "\n";
    out << "signal " << record.signal << " (" << record.signal_name << "), code " << record.code << " ("
        << code_name(record.signal, record.code) << ")";
    if (record.code > 0) out << ", fault address " << hex(record.fault_address);  // sent: no address
    out << "\n";
    if (!record.exception_type.empty()) {
        out << "exception " << record.exception_type;
        if (!record.exception_what.empty()) out << ": " << record.exception_what;
        out << "\n";
    }
    std::ostringstream stack;
    std::string crashed_in;
    for (size_t i = 0; i < record.frames.size(); ++i) {
        uint64_t address = i == 0 ? record.frames[i] : record.frames[i] - 1;  // callers: the call
        const CrashModule* module = module_of(record, address);
        std::string where = describe_frame(symbolizer.resolve(address));
        if (crashed_in.empty() && !runtime_module(module)) crashed_in = where.substr(0, where.find('\n'));
        stack << "  #" << i << (i < 10 ? "  " : " ") << hex(record.frames[i]) << "  " << where;
        if (module != nullptr) stack << "  [" << base_name(module->path) << "+" << hex(address - module->bias) << "]";
        stack << "\n";
    }
    out << "crashed in " << (crashed_in.empty() ? "??" : crashed_in) << "\n";
    out << "stack (" << record.frames.size() << " frames, innermost first):\n" << stack.str();
    return out.str();
}

std::string crash_leaf_name(const CrashRecord& record) {
    std::string name = record.signal_name.empty() ? "signal " + std::to_string(record.signal) : record.signal_name;
    std::string code = code_name(record.signal, record.code);
    name += ": " + (code.empty() ? "code " + std::to_string(record.code) : code);
    if (record.code > 0) name += " at " + hex(record.fault_address);
    if (!record.exception_type.empty()) {
        name += "; " + record.exception_type;
        if (!record.exception_what.empty()) name += ": " + record.exception_what;
    }
    return name;
}

std::vector<ClaimedCrash> claim_crash_records(const std::string& spool_dir,
                                              const std::function<bool(const CrashRecord&)>& wanted) {
    std::vector<ClaimedCrash> claimed;
    std::error_code failure;
    std::filesystem::directory_iterator entries(spool_dir, failure);
    if (failure) return claimed;
    std::vector<std::filesystem::path> records;
    for (const auto& entry : entries) {
        std::string name = entry.path().filename();
        if (name.rfind("crash-", 0) == 0 && name.size() > 4 && name.substr(name.size() - 4) == ".rec")
            records.push_back(entry.path());
    }
    for (const auto& path : records) {
        std::ifstream file(path);
        std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
        CrashRecord record;
        std::string error;
        if (!parse_crash_record(text, record, error)) {
            rename(path.c_str(), (path.string() + ".bad").c_str());
            continue;
        }
        if (!wanted(record)) continue;
        std::string claim = spool_dir + "/." + path.filename().string() + ".claimed-" + std::to_string(getpid());
        if (rename(path.c_str(), claim.c_str()) != 0) continue;  // another agent took it
        claimed.push_back({std::move(record), path.string(), claim});
    }
    return claimed;
}

std::string write_crash_report(const CrashRecord& record, OutputDirectory& output_dir) {
    std::string unusable;
    std::string target = "crash-" + std::to_string(record.pid) + "-" +
                         std::to_string(record.time_unix_ms / 1000) + ".txt";
    std::string temporary = target + ".tmp";
    const std::string text = render_crash_report(record);
    const auto [at, fd] = output_dir.make_file(
        [&](int in) { return openat(in, temporary.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0666); },
        unusable);
    if (at < 0 || fd < 0) return "";
    bool written = write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size());
    written = close(fd) == 0 && written;
    if (!written || renameat(at, temporary.c_str(), at, target.c_str()) != 0) {
        unlinkat(at, temporary.c_str(), 0);
        return "";
    }
    return output_dir.file_path(target);
}

void release_crash_claim(const ClaimedCrash& claimed, bool reported) {
    if (reported) unlink(claimed.claim_path.c_str());
    else rename(claimed.claim_path.c_str(), claimed.spool_path.c_str());
}

}  // namespace siagent
