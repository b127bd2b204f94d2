#include "transport/profile_file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atomic>
#include <cerrno>
#include <cstdio>
#include <cstring>
#include <utility>

#include "transport/gzip.h"
#include "transport/pprof.h"

namespace siagent {
namespace {

constexpr size_t kMaxProfileBytes = size_t{256} << 20;
// How many later seconds to try when names are taken; a directory this crowded is broken.
constexpr int64_t kMaxNameTries = 3600;

std::string errno_text(int err) { return std::strerror(err); }

bool write_all(int fd, std::string_view data) {
    while (!data.empty()) {
        const ssize_t n = ::write(fd, data.data(), data.size());
        if (n < 0) {
            if (errno == EINTR) continue;
            return false;
        }
        data.remove_prefix(static_cast<size_t>(n));
    }
    return true;
}

// Creates a uniquely named hidden file in `directory` (O_EXCL, close-on-exec, mode 0666 less
// the umask). Returns the fd; the caller owns it and the file, named `temp_name` there.
int create_temp(int directory, const std::string& kind, std::string& temp_name) {
    static std::atomic<uint64_t> counter{0};
    for (int attempt = 0; attempt < 100; ++attempt) {
        temp_name = "." + kind + "-" + std::to_string(::getpid()) + "-" +
                    std::to_string(counter.fetch_add(1, std::memory_order_relaxed)) + ".tmp";
        const int fd = ::openat(directory, temp_name.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666);
        if (fd >= 0 || errno != EEXIST) return fd;
    }
    errno = EEXIST;
    return -1;
}

// Moves `from` to `to` (both in `directory`) only if `to` does not exist (errno EEXIST
// otherwise). Atomic against concurrent writers of the same name with renameat2, else with
// link+unlink; only on a file system that has neither (some FUSE, vfat) does a
// check-then-rename race remain.
bool rename_no_replace(int directory, const std::string& from, const std::string& to) {
    if (::renameat2(directory, from.c_str(), directory, to.c_str(), RENAME_NOREPLACE) == 0) {
        return true;
    }
    if (errno != EINVAL && errno != ENOSYS) return false;
    if (::linkat(directory, from.c_str(), directory, to.c_str(), 0) == 0) {
        ::unlinkat(directory, from.c_str(), 0);
        return true;
    }
    if (errno != EPERM && errno != EOPNOTSUPP) return false;
    if (::faccessat(directory, to.c_str(), F_OK, 0) == 0) {
        errno = EEXIST;
        return false;
    }
    return ::renameat(directory, from.c_str(), directory, to.c_str()) == 0;
}

// Reads at most `limit` + 1 bytes, so that an oversized file is detected without reading it.
bool read_bounded(const std::string& path, size_t limit, std::string& out, std::string& error) {
    const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        error = path + ": " + errno_text(errno);
        return false;
    }
    out.clear();
    char buf[64 * 1024];
    bool ok = true;
    for (;;) {
        const ssize_t n = ::read(fd, buf, sizeof buf);
        if (n < 0) {
            if (errno == EINTR) continue;
            error = path + ": " + errno_text(errno);
            ok = false;
            break;
        }
        if (n == 0) break;
        out.append(buf, static_cast<size_t>(n));
        if (out.size() > limit) {
            error = path + ": larger than " + std::to_string(limit >> 20) + " MiB";
            ok = false;
            break;
        }
    }
    ::close(fd);
    return ok;
}

}  // namespace

std::optional<std::string> write_profile_file(OutputDirectory& directory, const std::string& kind,
                                              int64_t pid, int64_t unix_seconds,
                                              const Profile& profile, std::string& error) {
    if (kind.empty() || kind.find('/') != std::string::npos || kind[0] == '.') {
        error = "invalid profile kind '" + kind + "'";
        return std::nullopt;
    }
    const std::string data = gzip_compress(encode_pprof(profile));
    if (data.empty()) {
        error = "cannot compress profile (out of memory)";
        return std::nullopt;
    }
    return write_report_file(directory, kind, ".pb.gz", pid, unix_seconds, data, error);
}

std::optional<std::string> write_profile_file(const std::string& directory, const std::string& kind,
                                              int64_t pid, int64_t unix_seconds,
                                              const Profile& profile, std::string& error) {
    OutputDirectory opened(directory);
    return write_profile_file(opened, kind, pid, unix_seconds, profile, error);
}

std::optional<std::string> write_report_file(OutputDirectory& directory, const std::string& kind,
                                             const std::string& extension, int64_t pid,
                                             int64_t unix_seconds, std::string_view data,
                                             std::string& error) {
    std::string temp;
    const auto [at, fd] = directory.make_file([&](int in) { return create_temp(in, kind, temp); }, error);
    if (at < 0) return std::nullopt;
    if (fd < 0) {
        error = "cannot create a temporary file in " + directory.path() + ": " + errno_text(errno);
        return std::nullopt;
    }
    // No fsync: it would hold up the application's exit (the last report is written from
    // its destructor) by a disk flush. A reader still never sees a partial file, thanks to
    // the rename; only a machine crash right after the write can lose the newest profile.
    const bool written = write_all(fd, data);
    const int write_errno = errno;
    if (::close(fd) != 0 || !written) {
        error = "cannot write " + directory.file_path(temp) + ": " +
                errno_text(written ? errno : write_errno);
        ::unlinkat(at, temp.c_str(), 0);
        return std::nullopt;
    }

    const std::string prefix = kind + "-" + std::to_string(pid) + "-";
    for (int64_t i = 0; i < kMaxNameTries; ++i) {
        const std::string name = prefix + std::to_string(unix_seconds + i) + extension;
        if (rename_no_replace(at, temp, name)) return directory.file_path(name);
        if (errno != EEXIST) {
            error = "cannot rename " + directory.file_path(temp) + " to " + name + ": " +
                    errno_text(errno);
            ::unlinkat(at, temp.c_str(), 0);
            return std::nullopt;
        }
    }
    error = "no free file name in " + directory.path() + " for " + prefix + "<seconds>" + extension;
    ::unlinkat(at, temp.c_str(), 0);
    return std::nullopt;
}

std::optional<Profile> read_profile_file(const std::string& path, std::string& error) {
    std::string data;
    if (!read_bounded(path, kMaxProfileBytes, data, error)) return std::nullopt;
    if (data.empty()) {
        error = path + ": empty file";
        return std::nullopt;
    }
    std::string decode_error;
    if (data.size() >= 2 && static_cast<unsigned char>(data[0]) == 0x1f &&
        static_cast<unsigned char>(data[1]) == 0x8b) {
        auto plain = gzip_decompress(data, kMaxProfileBytes, decode_error);
        if (!plain) {
            error = path + ": " + decode_error;
            return std::nullopt;
        }
        data = std::move(*plain);
    }
    auto profile = decode_pprof(data, decode_error);
    if (!profile) error = path + ": " + decode_error;
    return profile;
}

}  // namespace siagent
