// A server program started in the background for a test, on a loopback port, and stopped
// by a signal; bounded everywhere so a broken server fails the test instead of hanging it.
#pragma once

#include <sys/types.h>

#include <map>
#include <string>
#include <vector>

namespace siagent::testing {

class BackgroundProcess {
public:
    BackgroundProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& environment,
                      const std::string& output_file);
    ~BackgroundProcess();  // SIGKILL if still running

    pid_t pid() const { return pid_; }
    // Sends `signal` and waits up to `timeout_seconds`; returns the wait status, or -1 on timeout.
    int stop(int signal, int timeout_seconds = 30);

private:
    pid_t pid_ = -1;
    bool reaped_ = false;
};

// A loopback TCP port nobody listens on right now.
int free_loopback_port();

// Waits until something accepts connections on 127.0.0.1:port (at most `timeout_seconds`).
bool wait_for_port(int port, int timeout_seconds = 20);

// Sends `requests` HTTP/1.0 GETs of `path` to 127.0.0.1:port; returns how many got "200 OK".
int http_get_many(int port, const std::string& path, int requests);

}  // namespace siagent::testing
