#include "core/crash/crash_context.h"

#include <elf.h>
#include <link.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstring>
#include <filesystem>

#include "core/safe_format.h"

namespace siagent {
namespace {

constexpr size_t kPathBytes = 4096;
constexpr size_t kTextBytes = 192 * 1024;  // identity and about 1,000 modules

struct ContextCopy {
    char spool_dir[kPathBytes];
    char text[kTextBytes];
    size_t text_length;
};

ContextCopy copies[2];
std::atomic<int> active{-1};  // -1: never prepared
std::atomic<int> readers{0};

// Agent thread only.
std::string identity_lines;
std::string spool_path;
unsigned long long seen_adds = 0, seen_subs = 0;

struct ModuleWalk {
    SafeText* out;
    const char* executable;
};

// The GNU build id from the object's notes, as lower-case hex ("-" when it has none).
void add_build_id(SafeText& out, const dl_phdr_info* info) {
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& header = info->dlpi_phdr[i];
        if (header.p_type != PT_NOTE) continue;
        auto* cursor = reinterpret_cast<const char*>(info->dlpi_addr + header.p_vaddr);
        const char* end = cursor + header.p_memsz;
        while (cursor + sizeof(ElfW(Nhdr)) <= end) {
            auto* note = reinterpret_cast<const ElfW(Nhdr)*>(cursor);
            const char* name = cursor + sizeof(ElfW(Nhdr));
            const auto* desc = reinterpret_cast<const unsigned char*>(name + ((note->n_namesz + 3) & ~3u));
            if (note->n_type == NT_GNU_BUILD_ID && note->n_namesz == 4 && memcmp(name, "GNU", 4) == 0) {
                static const char kDigits[] = "0123456789abcdef";
                for (unsigned j = 0; j < note->n_descsz; ++j) {
                    char pair[2] = {kDigits[desc[j] >> 4], kDigits[desc[j] & 15]};
                    out.add(pair, 2);
                }
                return;
            }
            cursor = reinterpret_cast<const char*>(desc) + ((note->n_descsz + 3) & ~3u);
        }
    }
    out.add("-");
}

int add_module(dl_phdr_info* info, size_t, void* context) {
    auto* walk = static_cast<ModuleWalk*>(context);
    uint64_t start = UINT64_MAX, end = 0;
    for (int i = 0; i < info->dlpi_phnum; ++i) {
        const ElfW(Phdr)& header = info->dlpi_phdr[i];
        if (header.p_type != PT_LOAD) continue;
        uint64_t from = info->dlpi_addr + header.p_vaddr;
        if (from < start) start = from;
        if (from + header.p_memsz > end) end = from + header.p_memsz;
    }
    if (start >= end) return 0;
    const char* path = info->dlpi_name != nullptr && info->dlpi_name[0] != '\0' ? info->dlpi_name
                                                                                 : walk->executable;
    SafeText& out = *walk->out;
    out.add("module ").add_hex(start).add(" ").add_hex(end).add(" ").add_hex(info->dlpi_addr).add(" ");
    add_build_id(out, info);
    out.add(" ").add(path).add("\n");
    return 0;
}

int count_changes(dl_phdr_info* info, size_t, void*) {
    seen_adds = info->dlpi_adds;
    seen_subs = info->dlpi_subs;
    return 1;  // the counters are the same in every entry
}

// Writes the inactive copy and publishes it. Skipped (false) while a crash handler reads.
bool publish() {
    if (readers.load(std::memory_order_acquire) != 0) return false;
    int current = active.load(std::memory_order_relaxed);
    ContextCopy& copy = copies[current == 0 ? 1 : 0];
    SafeText spool(copy.spool_dir, sizeof copy.spool_dir);
    spool.add(spool_path.c_str());
    SafeText text(copy.text, sizeof copy.text);
    text.add(identity_lines.c_str());
    std::error_code ignored;
    std::string executable = std::filesystem::read_symlink("/proc/self/exe", ignored).string();
    ModuleWalk walk{&text, executable.c_str()};
    dl_iterate_phdr(count_changes, nullptr);
    dl_iterate_phdr(add_module, &walk);
    copy.text_length = text.length();
    active.store(current == 0 ? 1 : 0, std::memory_order_release);
    return true;
}

std::string line(const char* key, const std::string& value) {
    return std::string(key) + " " + (value.empty() ? "-" : value) + "\n";
}

// Makes `directory` (and its parents) unless it exists; false, with `error` set, when it is
// not a directory this user can write in then.
bool make_spool(const std::string& directory, std::string& error) {
    std::error_code failure;
    bool created = std::filesystem::create_directories(directory, failure);
    // Private when we make it (records hold the environment's identity); a directory that
    // exists already (even /tmp) keeps the mode its owner gave it.
    if (!failure && created) chmod(directory.c_str(), 0700);
    if (failure || !std::filesystem::is_directory(directory, failure)) {
        error = "cannot create the spool directory " + directory + ": " +
                (failure ? failure.message() : std::string("not a directory"));
        return false;
    }
    // One made by another user (root, before a setuid) where this one cannot write: a crash
    // would find no place for its record.
    if (access(directory.c_str(), W_OK | X_OK) != 0) {
        error = "cannot write in the spool directory " + directory + ": " + strerror(errno);
        return false;
    }
    return true;
}

// The last resort's top, /tmp/siagent-<uid>, is in a directory every user writes: used only
// when it is a directory (not a link) of this user that no one else can write, so that
// nobody else can choose where the records go or read them there. `absent_ok`: before
// anything is made, no top at all is fine too (it is made next, by this user).
bool ours_alone(const std::string& spool, bool absent_ok, std::string& error) {
    const std::string top = std::filesystem::path(spool).parent_path();
    struct stat info {};
    if (lstat(top.c_str(), &info) != 0 ? absent_ok && errno == ENOENT
                                        : S_ISDIR(info.st_mode) && info.st_uid == getuid() &&
                                              (info.st_mode & (S_IWGRP | S_IWOTH)) == 0)
        return true;
    error = "the spool directory " + spool + " is not private: " + top +
            " is not a directory of this user that only it can write";
    return false;
}

// Checked before anything is made in the last resort (someone else's directory or link there
// gets nothing of ours), and again after (made by someone else meanwhile).
bool usable_spool(const std::string& directory, bool last_resort, std::string& error) {
    if (!last_resort) return make_spool(directory, error);
    return ours_alone(directory, true, error) && make_spool(directory, error) &&
           ours_alone(directory, false, error);
}

}  // namespace

bool prepare_crash_context(const Config& config, std::string& error) {
    // The last resort is this user's as the process is now: one that changed its uid since
    // the configuration was read (a daemon dropping root) must not make, nor use, the
    // directory named for its former uid.
    const std::string last_resort = last_resort_spool_dir();
    const bool defaulted_to_tmp = !config.spool_dir_chosen && names_a_last_resort_spool_dir(config.spool_dir);
    std::string chosen = defaulted_to_tmp ? last_resort : config.spool_dir;
    if (!usable_spool(chosen, chosen == last_resort, error)) {
        // A default under a home that cannot hold it: the last resort, said only when it
        // fails too.
        std::string fallback_error;
        if (config.spool_dir_chosen || chosen == last_resort || !usable_spool(last_resort, true, fallback_error)) {
            if (!fallback_error.empty()) error += "; " + fallback_error;
            return false;
        }
        error.clear();
        chosen = last_resort;
    }
    spool_path = chosen;
    std::error_code ignored;
    identity_lines = line("app", config.app_name) + line("version", config.app_version) +
                     line("environment", config.app_environment) + line("host", config.host_name) +
                     line("executable", std::filesystem::read_symlink("/proc/self/exe", ignored).string());
    publish();
    return true;
}

void refresh_crash_context() {
    if (active.load(std::memory_order_relaxed) < 0) return;
    unsigned long long adds = seen_adds, subs = seen_subs;
    dl_iterate_phdr(count_changes, nullptr);
    if ((adds != seen_adds || subs != seen_subs) && !publish()) {
        seen_adds = adds;  // try again next time
        seen_subs = subs;
    }
}

bool begin_crash_context(CrashContextView& view) {
    readers.fetch_add(1, std::memory_order_acq_rel);
    int current = active.load(std::memory_order_acquire);
    if (current < 0) {
        readers.fetch_sub(1, std::memory_order_release);
        return false;
    }
    view = {copies[current].spool_dir, copies[current].text, copies[current].text_length};
    return true;
}

void end_crash_context() { readers.fetch_sub(1, std::memory_order_release); }

}  // namespace siagent
