// Dashboard transport costs (a benchmark, not a test; figures in docs/performance.md).
//   transport_bench encode [rounds, default 200] [nodes, default 1000]
//     agent-thread CPU per report for a CPU profile of `nodes` breakdown nodes: build the
//     breakdown, encode the metric, queue it, build the upload envelope and gzip it.
//   transport_bench encode-spans [rounds, default 200] [nodes, default 1000] [spans, default 8]
//     the same report twice, its samples without span labels and spread over `spans`
//     span names: what the breakdown's metadata.spans costs, as ratios.
//   transport_bench demo-bytes <agent library> <demo program> [seconds, default 130]
//     runs the demo under LD_PRELOAD against a test dashboard with the production
//     intervals and prints the bytes sent (gzipped bodies, headers apart) per minute.
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <vector>

#include "test/support/sample_profiles.h"
#include "test/support/test_dashboard.h"
#include "test/support/uploads.h"
#include "transport/gzip.h"
#include "transport/message_queue.h"
#include "transport/profile_metric.h"
#include "transport/stackimpact_json.h"

using namespace siagent;
using namespace siagent::testing;

namespace {

int64_t thread_cpu_ns() {
    timespec now;
    clock_gettime(CLOCK_THREAD_CPUTIME_ID, &now);
    return static_cast<int64_t>(now.tv_sec) * 1'000'000'000 + now.tv_nsec;
}

struct EncodeCost {
    size_t json_bytes = 0, gzip_bytes = 0, tree_nodes = 0;
    double mean_ms = 0, median_ms = 0, p90_ms = 0;
};

EncodeCost encode_cost(const KindProfile& cpu, int rounds) {
    AgentIdentity identity = make_identity(Config{}, time(nullptr));
    MetricIds ids(identity);
    SystemClock clock;
    MessageQueue queue(clock, std::chrono::minutes(10), 8u << 20);
    std::vector<int64_t> costs;
    EncodeCost cost;
    for (int round = 0; round < rounds; ++round) {
        int64_t start = thread_cpu_ns();
        Metric metric = profile_metric(cpu, ids);
        queue.push(metric_message_json(metric));
        std::vector<const std::string*> batch;
        uint64_t id = queue.take_batch(2u << 20, batch);
        std::string body = envelope_json(identity, time(nullptr), upload_payload_json(batch));
        std::string gzipped = gzip_compress(body);
        queue.confirm(id);
        costs.push_back(thread_cpu_ns() - start);
        cost.json_bytes = body.size();
        cost.gzip_bytes = gzipped.size();
        cost.tree_nodes = metric.breakdown.node_count();
    }
    std::sort(costs.begin(), costs.end());
    int64_t sum = 0;
    for (int64_t one : costs) sum += one;
    cost.mean_ms = sum / 1e6 / rounds;
    cost.median_ms = costs[costs.size() / 2] / 1e6;
    cost.p90_ms = costs[costs.size() * 9 / 10] / 1e6;
    return cost;
}

void print_cost(const char* what, const KindProfile& cpu, const EncodeCost& cost, int rounds) {
    printf("%sreport of %zu breakdown nodes (%zu samples): JSON %zu bytes, gzipped %zu bytes\n", what,
           cost.tree_nodes, cpu.profile.samples.size(), cost.json_bytes, cost.gzip_bytes);
    printf("%sagent-thread CPU per report over %d rounds: mean %.3f ms, median %.3f ms, p90 %.3f ms\n",
           what, rounds, cost.mean_ms, cost.median_ms, cost.p90_ms);
}

int encode(int rounds, size_t nodes) {
    KindProfile cpu{"cpu", make_wide_cpu_profile(nodes)};
    print_cost("", cpu, encode_cost(cpu, rounds), rounds);
    return 0;
}

int encode_spans(int rounds, size_t nodes, size_t spans) {
    KindProfile plain{"cpu", make_wide_cpu_profile(nodes)};
    KindProfile labelled = plain;
    for (size_t i = 0; i < labelled.profile.samples.size(); ++i)
        labelled.profile.samples[i].labels.push_back({"span", "span_" + std::to_string(i % std::max<size_t>(spans, 1))});
    EncodeCost without = encode_cost(plain, rounds), with = encode_cost(labelled, rounds);
    print_cost("without spans: ", plain, without, rounds);
    print_cost("with spans:    ", labelled, with, rounds);
    printf("with %zu span names / without: CPU (median) x%.2f, JSON x%.2f, gzipped x%.2f\n", spans,
           with.median_ms / without.median_ms, static_cast<double>(with.json_bytes) / without.json_bytes,
           static_cast<double>(with.gzip_bytes) / without.gzip_bytes);
    return 0;
}

int demo_bytes(const char* agent, const char* demo, int seconds) {
    TestDashboard server;
    pid_t child = fork();
    if (child == 0) {
        setenv("LD_PRELOAD", agent, 1);
        setenv("SI_AGENT_KEY", "bench", 1);
        setenv("SI_DASHBOARD_ADDRESS", server.address().c_str(), 1);
        std::string minimum = std::to_string(seconds);
        execl(demo, demo, "1", "2", "0", minimum.c_str(), static_cast<char*>(nullptr));
        _exit(127);
    }
    int status = 0;
    waitpid(child, &status, 0);
    size_t wire = 0, json = 0, uploads = 0, configs = 0;
    for (const ReceivedRequest& request : server.requests()) {
        wire += request.wire_bytes;
        json += request.body.size();
        uploads += request.target.ends_with("upload");
        configs += request.target.ends_with("config");
    }
    double minutes = seconds / 60.0;
    printf("%d s of demo_hotspots (2 busy threads): %zu uploads, %zu config requests, "
           "%zu metric messages\n", seconds, uploads, configs, uploaded_messages(server.requests()));
    printf("bodies sent: %zu bytes gzipped (%zu bytes of JSON) = %.0f bytes per minute gzipped\n",
           wire, json, wire / minutes);
    return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : 1;
}

}  // namespace

int main(int argc, char** argv) {
    std::string mode = argc > 1 ? argv[1] : "";
    if (mode == "encode")
        return encode(argc > 2 ? atoi(argv[2]) : 200, argc > 3 ? strtoul(argv[3], nullptr, 10) : 1000);
    if (mode == "encode-spans")
        return encode_spans(argc > 2 ? atoi(argv[2]) : 200, argc > 3 ? strtoul(argv[3], nullptr, 10) : 1000,
                            argc > 4 ? strtoul(argv[4], nullptr, 10) : 8);
    if (mode == "demo-bytes" && argc >= 4)
        return demo_bytes(argv[2], argv[3], argc > 4 ? atoi(argv[4]) : 130);
    fprintf(stderr, "usage: transport_bench encode [rounds] [nodes] | encode-spans [rounds] [nodes] [spans] |"
                    " demo-bytes AGENT DEMO [seconds]\n");
    return 2;
}
