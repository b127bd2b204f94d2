#include "core/output_directory.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <utility>

#include "core/agent_descriptors.h"

namespace siagent {
namespace {

// mkdir -p. Existing directories (including races with other creators) are fine.
bool make_directories(const std::string& directory, std::string& error) {
    size_t position = 0;
    while (position <= directory.size()) {
        size_t slash = directory.find('/', position);
        if (slash == std::string::npos) slash = directory.size();
        std::string path = directory.substr(0, slash);
        position = slash + 1;
        if (path.empty()) continue;  // leading '/' or "//"
        if (::mkdir(path.c_str(), 0777) == 0) continue;
        const int err = errno;
        struct stat status {};
        if (err == EEXIST && ::stat(path.c_str(), &status) == 0 && S_ISDIR(status.st_mode)) continue;
        error = "cannot create directory " + path + ": " + std::strerror(err);
        return false;
    }
    return true;
}

}  // namespace

OutputDirectory::OutputDirectory(std::string path) : path_(std::move(path)) {
    while (path_.size() > 1 && path_.back() == '/') path_.pop_back();
}

OutputDirectory::~OutputDirectory() {
    if (fd_ >= 0 && !is_lost_descriptor(fd_)) ::close(fd_);
}

void OutputDirectory::open_if_present() {
    if (fd_ < 0 && !path_.empty()) fd_ = ::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
}

int OutputDirectory::descriptor(std::string& error) {
    // The application took the number for itself (dup2 onto it): it is not ours to use or
    // close any more, and the directory is opened again by its path.
    if (fd_ >= 0 && is_lost_descriptor(fd_)) fd_ = -1;
    if (fd_ >= 0) return fd_;
    if (path_.empty()) {
        error = "the output directory is empty";
        return -1;
    }
    if (!make_directories(path_, error)) return -1;
    fd_ = ::open(path_.c_str(), O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (fd_ < 0) error = "cannot open directory " + path_ + ": " + std::strerror(errno);
    return fd_;
}

void OutputDirectory::forget_if_removed(int error_number) {
    if (error_number != ENOENT || fd_ < 0) return;
    ::close(fd_);
    fd_ = -1;
}

std::string OutputDirectory::file_path(const std::string& name) const { return path_ + "/" + name; }

}  // namespace siagent
