// A directory the agent writes its files into (SI_OUTPUT_DIR), held open from its first use.
//
// Every file is made relative to the open directory (openat, renameat2, linkat, unlinkat),
// never by its path again: a process that chroots into a jail, or whose working directory
// changes, after the agent started still has its files land where SI_OUTPUT_DIR named, and
// nothing is created inside the process's new root (a chrooted daemon found tmp/... made
// inside its jail). The descriptor is the agent's (opened in agent code: moved above the
// floor and registered, core/agent_descriptors.h).
#pragma once

#include <cerrno>
#include <string>

namespace siagent {

class OutputDirectory {
public:
    explicit OutputDirectory(std::string path);
    ~OutputDirectory();
    OutputDirectory(const OutputDirectory&) = delete;
    OutputDirectory& operator=(const OutputDirectory&) = delete;

    const std::string& path() const { return path_; }
    // Opens the directory now if it exists, making nothing (an agent that never writes a
    // file leaves no directory behind either); descriptor() makes it later when missing.
    void open_if_present();
    // The directory's descriptor (O_PATH), made with its missing parents and opened at the
    // first call that finds it (again, when the application took the number with dup2);
    // -1 with `error` set when it cannot be. One user at a time (the agent thread, or a tool).
    int descriptor(std::string& error);
    // A call on the descriptor failed with `error_number`: when the directory itself was
    // removed meanwhile (ENOENT), the next descriptor() makes and opens the path again.
    void forget_if_removed(int error_number);

    // A file made in the directory: `create(at)` (openat(at, ...) or the like: a descriptor,
    // or -1 with errno set) with the directory's descriptor, and again once with the
    // directory made and opened anew when the first call failed with ENOENT (removed since
    // it was opened). `at` is -1 with `error` set when the directory cannot be had; `file`
    // is create's last result, errno as it left it.
    struct MadeFile {
        int at = -1;
        int file = -1;
    };
    template <typename Create>
    MadeFile make_file(Create&& create, std::string& error) {
        MadeFile made{descriptor(error), -1};
        if (made.at < 0) return made;
        made.file = create(made.at);
        if (made.file >= 0 || errno != ENOENT) return made;
        forget_if_removed(ENOENT);
        made.at = descriptor(error);
        if (made.at >= 0) made.file = create(made.at);
        return made;
    }
    // path()/name, for messages and results.
    std::string file_path(const std::string& name) const;

private:
    std::string path_;
    int fd_ = -1;
};

}  // namespace siagent
