// What every request handler shares: the storage, the bounds, the login limiter, the
// anomaly judge, the notifier, the clock. Handlers hold no other state; the context outlives every session.
#pragma once

#include <chrono>
#include <cstdint>
#include <filesystem>
#include <functional>
#include <iostream>
#include <set>
#include <string>

#include "dashboard/server/anomaly/account_threshold.h"
#include "dashboard/server/anomaly/upload_judge.h"
#include "dashboard/server/api/agent_rejections.h"
#include "dashboard/server/anomaly/anomaly_sink.h"
#include "dashboard/server/http/body_budget.h"
#include "dashboard/server/input_limits.h"
#include "dashboard/server/api/login_limiter.h"
#include "dashboard/server/model/storage.h"
#include "dashboard/server/http/worker_pool.h"
#include "dashboard/server/operations/server_metrics.h"

namespace siagent::dashboard {

namespace notify {
class Notifier;
}

struct ServerSettings {
    Limits limits;
    std::filesystem::path web_root;             // empty: no web UI served
    int64_t activation_window_seconds = 300;    // how long one set of processes stays active
    // A process not heard from for longer is gone (agents upload at least once a minute:
    // siagent's metrics, the original agents' reports); one that said it was ending is gone
    // at once.
    int64_t live_process_seconds = 150;
    int64_t session_seconds = 7 * 24 * 3600;
    bool secure_cookies = false;                // serving HTTPS, or behind a proxy that does (--public-url https://)
    std::set<std::string> trusted_proxies;      // canonical addresses (http/client_address.h)
    anomaly::RuleSettings anomaly_rules;        // leak, regression and error rule time scales
    // SHA-256 (hex) of the token /metrics wants (--metrics-token-file); empty: no /metrics.
    std::string metrics_token_sha256;
};

struct ServerContext {
    Storage& storage;
    ServerSettings settings;
    LoginLimiter login_limiter;
    anomaly::AccountThresholds anomaly_thresholds;  // each account's metric anomaly threshold
    anomaly::UploadJudge* judge = nullptr;  // judges stored uploads for anomalies; null: none
    notify::Notifier* notifier = nullptr;   // webhooks; null: notifications not set up
    BodyBudget body_budget{settings.limits.in_flight_body_bytes};  // admission.h
    AgentRejections agent_rejections{std::cerr};  // refusals answered to agents
    // Where slow UI requests run (router.h: worker_pool_for); null: on the I/O thread.
    WorkerPool* hash_workers = nullptr;   // password hashing: login, new users
    WorkerPool* query_workers = nullptr;  // an application's data: profiles, metrics, errors
    ServerMetrics metrics{};              // this instance's counts, for /metrics
    const int64_t started_at = now();

    int64_t now() const {
        return std::chrono::duration_cast<std::chrono::seconds>(
                   std::chrono::system_clock::now().time_since_epoch())
            .count();
    }
};

}  // namespace siagent::dashboard
