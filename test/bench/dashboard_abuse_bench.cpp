// Dashboard under abuse (scripts/bench-dashboard-abuse; figures in docs/performance.md):
//   dashboard_abuse_bench --server PATH [--seconds 10] [--agents 200] [--attackers 250]
//                         [--logins-per-second 40]
// 1. Agents alone: `agents` processes' uploads (a 130-stack CPU profile each, gzipped), sent
//    by 8 client threads for `seconds`: uploads/s and p99 latency; the server's idle RSS.
// 2. The same agents while `attackers` connections (from 50 other loopback addresses) each
//    send the headers of an 8 MiB upload with an unknown key and then trickle its body
//    (1 KiB every 100 ms), reopening when closed: uploads/s and p99 against step 1, and the server's peak RSS above idle.
// 3. `/api/me` from one session, 20 a second, while logins with the right password (a full
//    PBKDF2 each) arrive at `logins-per-second`: p99 of /api/me, and how the logins fared.
// Goals (issue 18): peak RSS under 256 MiB above idle; attacked throughput >= 80 % of the
// unattacked, p99 < 500 ms; /api/me p99 < 100 ms.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <mutex>
#include <sstream>
#include <thread>
#include <vector>

#include "test/bench/server_output.h"
#include "test/bench/synthetic_reports.h"
#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/http_client.h"
#include "test/integration/background_process.h"

using namespace siagent;
using Clock = std::chrono::steady_clock;
using bench::read_text;
using bench::word_after;

namespace {

struct Options {
    std::string server;
    int seconds = 10, agents = 200, attackers = 250, logins_per_second = 40;
};

double rss_mib(pid_t pid) {
    std::istringstream status(read_text("/proc/" + std::to_string(pid) + "/status"));
    for (std::string line; std::getline(status, line);) {
        if (line.rfind("VmRSS:", 0) == 0) return std::stod(line.substr(6)) / 1024;
    }
    return 0;
}

double percentile(std::vector<double> values, double p) {
    if (values.empty()) return 0;
    std::sort(values.begin(), values.end());
    return values[std::min(values.size() - 1, static_cast<size_t>(p * static_cast<double>(values.size())))];
}

struct Rate {
    double per_second = 0, p99_ms = 0;
    long failed = 0;
};

// Uploads by 8 threads, round-robin over the agents' bodies, for `seconds`.
Rate upload_load(int port, const std::vector<testing::HttpCall>& calls, int seconds) {
    std::mutex mutex;
    std::vector<double> latencies;
    std::atomic<long> failed{0};
    const auto start = Clock::now();
    const auto end = start + std::chrono::seconds(seconds);
    std::vector<std::thread> clients;
    for (int c = 0; c < 8; ++c) {
        clients.emplace_back([&, c] {
            std::vector<double> mine;
            for (size_t i = c; Clock::now() < end; i += 8) {
                const auto sent = Clock::now();
                const testing::HttpReply reply = testing::http_call(port, calls[i % calls.size()]);
                mine.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
                if (reply.status != 200 && failed++ == 0) {
                    std::cerr << "upload: first failure: " << reply.status << " " << reply.body.substr(0, 200) << "\n";
                }
            }
            std::lock_guard lock(mutex);
            latencies.insert(latencies.end(), mine.begin(), mine.end());
        });
    }
    for (auto& client : clients) client.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    return Rate{static_cast<double>(latencies.size() - failed) / elapsed, percentile(latencies, 0.99), failed};
}

// A connection from 127.0.0.<source> (any 127/8 address reaches the server on loopback):
// the attackers come from other addresses than the agents, as they would.
int connect_to(int port, int source) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
    sockaddr_in local{};
    local.sin_family = AF_INET;
    local.sin_addr.s_addr = htonl((127u << 24) | static_cast<uint32_t>(source));
    bind(fd, reinterpret_cast<sockaddr*>(&local), sizeof local);
    sockaddr_in address{};
    address.sin_family = AF_INET;
    address.sin_port = htons(static_cast<uint16_t>(port));
    address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    connect(fd, reinterpret_cast<sockaddr*>(&address), sizeof address);  // completes in the background
    return fd;
}

// Slow 8 MiB uploads with an unknown key, each reopened when the server closes it.
class SlowUploads {
public:
    SlowUploads(int port, int connections) : port_(port), connections_(connections) {
        thread_ = std::thread([this] { run(); });
    }
    ~SlowUploads() {
        stop_ = true;
        thread_.join();
    }
    long opened() const { return opened_; }

private:
    void run() {
        const std::string header = "POST /agent/v1/upload HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                                   "Authorization: Basic c2lfMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDAwMDA6\r\n"
                                   "Content-Length: 8388607\r\n\r\n";
        const std::string chunk(1024, 'x');
        std::vector<int> fds(static_cast<size_t>(connections_), -1);
        std::vector<bool> headed(fds.size(), false);
        while (!stop_) {
            for (size_t i = 0; i < fds.size(); ++i) {
                if (fds[i] < 0) {
                    fds[i] = connect_to(port_, 2 + static_cast<int>(i % 50));  // 50 addresses
                    headed[i] = false;
                    ++opened_;
                }
                const std::string& bytes = headed[i] ? chunk : header;
                const ssize_t sent = send(fds[i], bytes.data(), bytes.size(), MSG_NOSIGNAL);
                if (sent > 0) headed[i] = true;
                char sink[4096];
                const ssize_t got = recv(fds[i], sink, sizeof sink, 0);
                if ((sent < 0 && errno != EAGAIN && errno != ENOTCONN && errno != EINPROGRESS) || got == 0) {
                    close(fds[i]);
                    fds[i] = -1;
                }
            }
            std::this_thread::sleep_for(std::chrono::milliseconds(100));
        }
        for (int fd : fds) {
            if (fd >= 0) close(fd);
        }
    }

    const int port_;
    const int connections_;
    std::atomic<bool> stop_{false};
    std::atomic<long> opened_{0};
    std::thread thread_;
};

Options parse(int argc, char** argv) {
    Options options;
    std::map<std::string, int*> numbers = {{"--seconds", &options.seconds},
                                           {"--agents", &options.agents},
                                           {"--attackers", &options.attackers},
                                           {"--logins-per-second", &options.logins_per_second}};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::string(argv[i]) == "--server") options.server = argv[i + 1];
        else if (numbers.count(argv[i])) *numbers[argv[i]] = std::stoi(argv[i + 1]);
        else throw std::runtime_error(std::string("unknown option ") + argv[i]);
    }
    if (options.server.empty()) throw std::runtime_error("--server PATH is required");
    return options;
}

const char* verdict(bool met) { return met ? "met" : "NOT MET"; }

}  // namespace

int main(int argc, char** argv) {
    try {
        signal(SIGPIPE, SIG_IGN);
        const Options options = parse(argc, argv);
        char pattern[] = "/tmp/siagent-dashboard-abuse-XXXXXX";
        const std::string dir = mkdtemp(pattern);
        const int port = testing::free_loopback_port();
        testing::BackgroundProcess server({options.server, "--listen", "127.0.0.1:" + std::to_string(port), "--data", dir + "/data"},
                                          {}, dir + "/server.log");
        if (!testing::wait_for_port(port)) throw std::runtime_error("the server did not start: " + read_text(dir + "/server.log"));
        std::this_thread::sleep_for(std::chrono::milliseconds(300));
        const std::string log = read_text(dir + "/server.log");
        const std::string password = word_after(log, "password:"), key = word_after(log, "agent key:");

        const int64_t now = std::time(nullptr);
        std::vector<testing::HttpCall> calls;
        for (int pid = 0; pid < options.agents; ++pid) {
            calls.push_back(testing::agent_call(key, "upload", bench::synthetic_upload("abuse", 1000 + pid, now, pid * 4, 130, 0)));
        }
        upload_load(port, calls, 2);  // warm: apps, series and processes exist
        const double idle_rss = rss_mib(server.pid());
        const Rate alone = upload_load(port, calls, options.seconds);
        std::cout << "agents alone: " << options.agents << " agents, " << alone.per_second << " uploads/s, p99 "
                  << alone.p99_ms << " ms, " << alone.failed << " failed; server RSS " << idle_rss << " MiB\n";

        double peak_rss = 0;
        Rate attacked;
        long attack_connections = 0;
        {
            SlowUploads attack(port, options.attackers);
            std::atomic<bool> sampling{true};
            std::thread sampler([&] {
                while (sampling) {
                    peak_rss = std::max(peak_rss, rss_mib(server.pid()));
                    std::this_thread::sleep_for(std::chrono::milliseconds(100));
                }
            });
            std::this_thread::sleep_for(std::chrono::seconds(2));
            attacked = upload_load(port, calls, options.seconds);
            sampling = false;
            sampler.join();
            attack_connections = attack.opened();
        }
        const double ratio = attacked.per_second / alone.per_second;
        std::cout << "under attack (" << options.attackers << " slow unauthenticated 8 MiB uploads, " << attack_connections
                  << " connections opened): " << attacked.per_second << " uploads/s = " << ratio
                  << " of alone, p99 " << attacked.p99_ms << " ms, " << attacked.failed << " failed\n";
        std::cout << "  server peak RSS " << peak_rss << " MiB, " << peak_rss - idle_rss << " MiB above idle (goal < 256: "
                  << verdict(peak_rss - idle_rss < 256) << "); throughput goal >= 0.8: " << verdict(ratio >= 0.8)
                  << "; p99 goal < 500 ms: " << verdict(attacked.p99_ms < 500) << "\n";

        testing::UiClient session(port);
        if (session.login("admin@localhost", password).status != 200) throw std::runtime_error("login failed");
        std::atomic<bool> logging_in{true};
        std::map<int, long> login_statuses;
        std::mutex statuses;
        std::vector<std::thread> login_threads;
        // 16 senders, each its share of the rate: logins keep arriving while earlier ones hash.
        for (int t = 0; t < 16; ++t) {
            login_threads.emplace_back([&] {
                const auto period = std::chrono::microseconds(16'000'000 / std::max(options.logins_per_second, 1));
                auto next = Clock::now();
                while (logging_in) {
                    testing::HttpCall call{"POST", "/api/login",
                                           R"({"email": "admin@localhost", "password": ")" + password + "\"}", {}, false};
                    call.headers["Content-Type"] = "application/json";
                    const int status = testing::http_call(port, call).status;
                    {
                        std::lock_guard lock(statuses);
                        ++login_statuses[status];
                    }
                    next += period;
                    std::this_thread::sleep_until(next);
                }
            });
        }
        std::vector<double> me;
        const auto end = Clock::now() + std::chrono::seconds(options.seconds);
        while (Clock::now() < end) {
            const auto sent = Clock::now();
            session.get("/api/me");
            me.push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
            std::this_thread::sleep_for(std::chrono::milliseconds(50));
        }
        logging_in = false;
        for (auto& thread : login_threads) thread.join();
        std::cout << "/api/me during " << options.logins_per_second << " logins/s: p99 " << percentile(me, 0.99)
                  << " ms, median " << percentile(me, 0.5) << " ms over " << me.size() << " requests (goal p99 < 100 ms: "
                  << verdict(percentile(me, 0.99) < 100) << "); logins answered:";
        for (const auto& [status, count] : login_statuses) std::cout << " " << count << " x " << status;
        std::cout << "\n";
        server.stop(SIGTERM);
        std::filesystem::remove_all(dir);
    } catch (const std::exception& error) {
        std::cerr << "dashboard_abuse_bench: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
