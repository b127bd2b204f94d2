// Dashboard benchmark: ingest throughput and merged-profile query latency of a running
// siagent-dashboard (scripts/bench-dashboard prints how it is called; figures in
// docs/performance.md).
//   dashboard_bench --server PATH [--seconds 20] [--clients 2] [--processes 100]
//                   [--hours 24] [--interval 120] [--stacks 130] [--spans 0]
//                   [--database postgresql://...] [--instances 1] [--rate 0]
// Ingest: `clients` threads POST gzipped uploads of `stacks` stacks per profile, round-robin
// over `processes` processes, for `seconds`. Query: the database is seeded directly through
// the storage with `processes` x hours x 3600 / interval CPU reports, then the server is
// timed on one merged profile over the whole range, after the hourly rollups the server
// builds in the background are built. With --spans N, every CPU report also gets N span
// metrics (with measurement.stats) and, for span_0, a span tree as large as the whole tree
// (the worst case); /spans and the span_0 CPU profile over the range are then timed too, and
// the ingest runs a second time with every breakdown tagged with N span names. With
// --database the server keeps everything in that (empty) PostgreSQL database instead of
// SQLite, and the seeding writes there. With --instances N (PostgreSQL only) N servers share
// that database and the clients spread their uploads over them in turn; the server CPU is
// theirs together. Every upload's latency is kept: the median and p99 are printed. With
// --rate R the clients are paced (open loop: R uploads/s together, each client every
// clients/R s), as agents are, so the latency is the service's at that load rather than the
// queue of clients sending back to back.
#include <signal.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>
#include <thread>
#include <vector>

#include "dashboard/server/open_storage.h"
#include "dashboard/server/postgres/connection.h"
#include "test/bench/server_output.h"
#include "test/bench/synthetic_reports.h"
#include "test/dashboard/api/agent_fixtures.h"
#include "test/dashboard/api/http_client.h"
#include "test/integration/background_process.h"
#include "transport/gzip.h"

using namespace siagent;
using Clock = std::chrono::steady_clock;
using bench::read_text;
using bench::word_after;

namespace {

struct Options {
    std::string server;
    std::string database;  // empty: SQLite in the data directory
    int seconds = 20, clients = 2, processes = 100, hours = 24, interval = 120, stacks = 130, spans = 0;
    int instances = 1;
    int rate = 0;  // uploads/s offered by all clients together, each at its own pace; 0: back to back
};

struct Server {
    std::unique_ptr<testing::BackgroundProcess> process;
    int port = 0;
    std::string password, key;
};

Server start(const Options& options, const std::string& data, const std::string& log) {
    Server server;
    server.port = testing::free_loopback_port();
    std::vector<std::string> argv = {options.server, "--listen", "127.0.0.1:" + std::to_string(server.port), "--data",
                                     data};
    if (!options.database.empty()) argv.insert(argv.end(), {"--database", options.database});
    server.process = std::make_unique<testing::BackgroundProcess>(argv, std::map<std::string, std::string>{}, log);
    const auto deadline = Clock::now() + std::chrono::seconds(20);
    while (read_text(log).find("listening on") == std::string::npos && Clock::now() < deadline) {
        std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (!testing::wait_for_port(server.port)) throw std::runtime_error("the server did not start: " + read_text(log));
    server.password = word_after(read_text(log), "password:");
    server.key = word_after(read_text(log), "agent key:");
    return server;
}

double cpu_seconds(pid_t pid) {
    std::istringstream stat(read_text("/proc/" + std::to_string(pid) + "/stat"));
    std::string field;
    double ticks = 0;
    for (int i = 1; i <= 15 && stat >> field; ++i) {
        if (i == 14 || i == 15) ticks += std::stod(field);
    }
    return ticks / static_cast<double>(sysconf(_SC_CLK_TCK));
}

// Uploads per second for `options.seconds`, with `spans` span names tagged in every breakdown.
double ingest(const Options& options, const std::vector<Server>& servers, int spans) {
    const Server& server = servers.front();
    const int64_t now = std::time(nullptr);
    std::vector<testing::HttpCall> calls;
    size_t bytes = 0;
    for (int pid = 0; pid < options.processes; ++pid) {
        calls.push_back(testing::agent_call(
            server.key, "upload", bench::synthetic_upload("ingest", 1000 + pid, now, pid * 4, options.stacks, spans)));
        bytes += calls.back().body.size();
    }
    std::cout << "ingest: " << options.processes << " distinct uploads";
    if (spans > 0) std::cout << " with " << spans << " span names";
    std::cout << ", gzipped " << bytes / calls.size() / 1024 << " KiB on average, uncompressed "
              << bench::synthetic_upload("ingest", 1, now, 0, options.stacks, spans).size() / 1024 << " KiB\n";
    std::atomic<long> ok{0}, failed{0};
    auto servers_cpu = [&] {
        double total = 0;
        for (const Server& each : servers) total += cpu_seconds(each.process->pid());
        return total;
    };
    const double cpu_before = servers_cpu();
    std::vector<std::vector<double>> latencies(options.clients);
    const auto start = Clock::now();
    const auto end = start + std::chrono::seconds(options.seconds);
    std::vector<std::thread> clients;
    for (int c = 0; c < options.clients; ++c) {
        clients.emplace_back([&, c] {
            // Paced: this client's k-th upload leaves at start + (k + c / clients) * clients / rate.
            const auto period = std::chrono::duration<double>(options.rate > 0 ? double(options.clients) / options.rate : 0);
            auto due = start + std::chrono::duration_cast<Clock::duration>(period * (double(c) / options.clients));
            for (size_t i = c; Clock::now() < end; i += options.clients) {
                if (options.rate > 0) {
                    // An upload due after the end is not waited for: the duration would count
                    // up to one period of sleep (2 s for 200 clients at 100/s) as serving time.
                    if (due >= end) break;
                    std::this_thread::sleep_until(due);
                    due += std::chrono::duration_cast<Clock::duration>(period);
                }
                const int port = servers[(i / options.clients) % servers.size()].port;
                const auto sent = Clock::now();
                const testing::HttpReply reply = testing::http_call(port, calls[i % calls.size()]);
                latencies[c].push_back(std::chrono::duration<double, std::milli>(Clock::now() - sent).count());
                if (reply.status == 200) {
                    ++ok;
                } else if (failed++ == 0) {
                    std::cerr << "ingest: first failure: " << reply.status << " " << reply.body.substr(0, 200) << "\n";
                }
            }
        });
    }
    for (auto& client : clients) client.join();
    const double elapsed = std::chrono::duration<double>(Clock::now() - start).count();
    const double cpu = servers_cpu() - cpu_before;
    std::vector<double> all;
    for (const auto& each : latencies) all.insert(all.end(), each.begin(), each.end());
    std::sort(all.begin(), all.end());
    auto percentile = [&](double p) { return all.empty() ? 0 : all[std::min(all.size() - 1, size_t(p * all.size()))]; };
    std::cout << "ingest: " << ok << " uploads in " << elapsed << " s = " << ok / elapsed << " uploads/s with "
              << options.clients << " clients" << (options.rate > 0 ? " paced at " + std::to_string(options.rate) + "/s" : "")
              << ", " << servers.size() << " instance(s) (" << failed
              << " failed); latency median " << percentile(0.5) << " ms, p99 " << percentile(0.99)
              << " ms; server CPU " << cpu << " s = " << 1000 * cpu / std::max<long>(ok, 1) << " ms per upload\n";
    return 1000 * cpu / std::max<long>(ok, 1);
}

void seed(const Options& options, const std::string& data, int64_t now) {
    const auto owned = dashboard::open_storage(data, options.database, 1);
    dashboard::Storage& storage = *owned;
    std::vector<std::string> blobs;
    for (uint32_t variant = 0; variant < 16; ++variant) blobs.push_back(bench::synthetic_tree(variant, options.stacks).encode());
    const int reports = options.hours * 3600 / options.interval;
    for (int pid = 0; pid < options.processes; ++pid) {
        dashboard::Envelope envelope;
        envelope.app_name = "query";
        envelope.host_name = "host" + std::to_string(pid % 10);
        envelope.process_id = 5000 + pid;
        envelope.run_id = "feedface" + std::to_string(10000000 + pid);
        envelope.extra = "{}";
        const auto process = storage.record_process(1, envelope, now);
        std::vector<dashboard::ReportToStore> batch;
        for (int r = 0; r < reports; ++r) {
            dashboard::ReportToStore report;
            report.series = {"profile", "cpu-profile", "CPU usage", "percent"};
            report.timestamp = now - 60 - static_cast<int64_t>(r) * options.interval;
            report.value = 50;
            report.blob = blobs[(pid + r) % blobs.size()];
            for (int s = 0; s < options.spans; ++s) {
                dashboard::ReportToStore span;
                span.series = {"state", "span", "span_" + std::to_string(s), "millisecond"};
                span.timestamp = report.timestamp;
                span.value = 20 + s;
                span.span_stats = dashboard::SpanStats{100, 1500, 10.0 + s, 30.0 + s, 40.0 + s};
                batch.push_back(std::move(span));
            }
            if (options.spans > 0) {
                dashboard::ReportToStore tree = report;
                tree.series.type = dashboard::span_profile_type("span_0");
                batch.push_back(std::move(tree));
            }
            batch.push_back(std::move(report));
        }
        storage.store_reports(process, batch);
    }
    std::cout << "query: seeded " << options.processes * reports << " CPU reports (" << options.processes
              << " processes, one per " << options.interval << " s over " << options.hours << " h), "
              << blobs[0].size() / 1024 << " KiB per stored tree";
    if (options.spans > 0) std::cout << ", each with " << options.spans << " span metrics and a span_0 tree";
    std::cout << "\n";
    // What the server's maintenance does in the background, timed here.
    const auto start = Clock::now();
    size_t groups = 0;
    while (size_t built = storage.build_rollups(now, 2000, 200'000)) groups += built;
    while (size_t built = storage.build_span_rollups(now, 2000)) groups += built;
    std::cout << "query: built " << groups << " hourly rollups in "
              << std::chrono::duration<double>(Clock::now() - start).count() << " s (one pass, one thread)\n";
    if (!options.database.empty()) {
        // What autovacuum (each table, within a minute of inserts like these) and the server's
        // retention pass (the partitioned `reports` as a whole, at start and hourly) do: without
        // statistics the planner takes the 72,000 reports for one and joins them row by row.
        const auto analyze_start = Clock::now();
        dashboard::postgres::Connection(options.database).exec("ANALYZE");
        std::cout << "query: ANALYZE, as autovacuum and the server's retention pass would have, in "
                  << std::chrono::duration<double>(Clock::now() - analyze_start).count() << " s\n";
    }
}

// Median of 9 GETs of `target`, in seconds; prints them. More than five: PostgreSQL may plan a
// prepared statement generically from its sixth execution on one connection.
constexpr int kRounds = 9;
double timed(testing::UiClient& client, const std::string& target, const std::string& what) {
    std::vector<double> times;
    for (int round = 0; round < kRounds; ++round) {
        const auto start = Clock::now();
        testing::HttpReply reply = client.get(target);
        times.push_back(std::chrono::duration<double>(Clock::now() - start).count());
        if (round == 0) {
            auto body = testing::parse_json(reply.body);
            std::cout << "query: " << what << ": status " << reply.status;
            if (body.IsObject() && body.HasMember("reports")) std::cout << ", " << body["reports"].GetInt() << " reports merged";
            std::cout << ", " << reply.body.size() / 1024 << " KiB of JSON\n";
        }
    }
    std::sort(times.begin(), times.end());
    std::cout << "query: " << what << " over the range: median " << times[kRounds / 2] << " s, min " << times[0]
              << " s, max " << times[kRounds - 1] << " s (" << kRounds << " rounds)\n";
    return times[kRounds / 2];
}

void query(const Options& options, const Server& server, int64_t now) {
    testing::UiClient client(server.port);
    client.login("admin@localhost", server.password);
    const auto apps = testing::parse_json(client.get("/api/apps").body);
    std::string id;
    for (const auto& app : apps["apps"].GetArray()) {
        if (std::string(app["name"].GetString()) == "query") id = std::to_string(app["id"].GetInt64());
    }
    const std::string range = "from=" + std::to_string(now - options.hours * 3600) + "&to=" + std::to_string(now);
    const double profile = timed(client, "/api/apps/" + id + "/profile?kind=cpu&" + range, "merged CPU profile");
    if (options.spans == 0) return;
    const double spans = timed(client, "/api/apps/" + id + "/spans?" + range, "span latency (/spans)");
    const double span_profile =
        timed(client, "/api/apps/" + id + "/profile?kind=cpu&span=span_0&" + range, "CPU profile of span_0");
    std::cout << "query: /spans / merged CPU profile = " << spans / profile
              << ", span_0's CPU profile / merged CPU profile = " << span_profile / profile << "\n";
}

Options parse(int argc, char** argv) {
    Options options;
    std::map<std::string, int*> numbers = {{"--seconds", &options.seconds}, {"--clients", &options.clients},
                                           {"--processes", &options.processes}, {"--hours", &options.hours},
                                           {"--interval", &options.interval}, {"--stacks", &options.stacks},
                                           {"--spans", &options.spans}, {"--instances", &options.instances},
                                           {"--rate", &options.rate}};
    for (int i = 1; i + 1 < argc; i += 2) {
        if (std::string(argv[i]) == "--server") options.server = argv[i + 1];
        else if (std::string(argv[i]) == "--database") options.database = argv[i + 1];
        else if (numbers.count(argv[i])) *numbers[argv[i]] = std::stoi(argv[i + 1]);
        else throw std::runtime_error(std::string("unknown option ") + argv[i]);
    }
    if (options.server.empty()) throw std::runtime_error("--server PATH is required");
    if (options.instances < 1 || (options.instances > 1 && options.database.empty())) {
        throw std::runtime_error("--instances N > 1 shares a PostgreSQL database: give --database too");
    }
    return options;
}

}  // namespace

int main(int argc, char** argv) {
    try {
        const Options options = parse(argc, argv);
        char pattern[] = "/tmp/siagent-dashboard-bench-XXXXXX";
        const std::string dir = mkdtemp(pattern);
        {
            std::vector<Server> servers;
            servers.push_back(start(options, dir + "/data", dir + "/server.log"));
            // Printed only by a server that made its first account: a used database has none.
            if (servers.front().password.empty() || servers.front().key.empty())
                throw std::runtime_error("the server printed no first account's password and agent key: "
                                         "--database must name an empty database (one run each)");
            for (int i = 1; i < options.instances; ++i) {
                servers.push_back(start(options, dir + "/data", dir + "/server" + std::to_string(i) + ".log"));
                servers.back().key = servers.front().key;
            }
            const double plain = ingest(options, servers, 0);
            if (options.spans > 0) {
                const double spanned = ingest(options, servers, options.spans);
                std::cout << "ingest: server CPU per upload with " << options.spans << " span names / without = "
                          << spanned / plain << "\n";
            }
            for (Server& server : servers) server.process->stop(SIGTERM);
        }
        const int64_t now = std::time(nullptr);
        seed(options, dir + "/data", now);
        Server server = start(options, dir + "/data", dir + "/server2.log");
        server.password = word_after(read_text(dir + "/server.log"), "password:");
        query(options, server, now);
        server.process->stop(SIGTERM);
        std::filesystem::remove_all(dir);
    } catch (const std::exception& error) {
        std::cerr << "dashboard_bench: " << error.what() << "\n";
        return 1;
    }
    return 0;
}
