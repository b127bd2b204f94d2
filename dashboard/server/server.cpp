#include "dashboard/server/server.h"

#include <sys/stat.h>

#include <boost/asio/io_context.hpp>
#include <boost/asio/signal_set.hpp>
#include <boost/asio/ssl/context.hpp>

#include <iostream>
#include <thread>
#include <vector>

#include "dashboard/server/bootstrap.h"
#include "dashboard/server/listener.h"
#include "dashboard/server/maintenance.h"
#include "dashboard/server/notify/notifier.h"
#include "dashboard/server/open_storage.h"
#include "dashboard/server/operations/metrics_token.h"
#include "dashboard/server/http/client_address.h"
#include "dashboard/server/api/ui_session.h"

#ifndef SIAGENT_DEFAULT_WEB_DIR
#define SIAGENT_DEFAULT_WEB_DIR ""
#endif

namespace siagent::dashboard {
namespace {

// Slow UI requests queued or running at once (worker_pool.h); past them, 503.
constexpr size_t kMaxHashJobs = 32;
constexpr size_t kMaxQueryJobs = 64;

namespace asio = boost::asio;

std::filesystem::path web_root(const ServeOptions& options) {
    if (options.web) return *options.web;
    std::error_code error;
    const std::filesystem::path built = SIAGENT_DEFAULT_WEB_DIR;
    return !built.empty() && std::filesystem::exists(built / "index.html", error) ? built : std::filesystem::path();
}

std::unique_ptr<asio::ssl::context> tls_context(const ServeOptions& options) {
    if (options.tls_cert.empty()) return nullptr;
    auto tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
    tls->set_options(asio::ssl::context::default_workarounds | asio::ssl::context::no_sslv2 |
                     asio::ssl::context::no_sslv3 | asio::ssl::context::no_tlsv1 | asio::ssl::context::no_tlsv1_1);
    tls->use_certificate_chain_file(options.tls_cert.string());
    tls->use_private_key_file(options.tls_key.string(), asio::ssl::context::pem);
    return tls;
}

std::string url_of(const ServeOptions& options, uint16_t port) {
    const bool v6 = options.host.find(':') != std::string::npos;
    return std::string(options.tls_cert.empty() ? "http" : "https") + "://" + (v6 ? "[" + options.host + "]" : options.host) +
           ":" + std::to_string(port);  // no trailing slash: it is copied as the agents' address
}

notify::NotifierSettings notifier_settings(const ServeOptions& options, const std::string& listening_url) {
    notify::NotifierSettings settings;
    settings.public_url = options.public_url;
    settings.listening_url = listening_url;
    settings.ca_file = options.webhook_ca.string();
    settings.destinations = notify::DestinationPolicy(options.webhook_allowed_hosts);
    settings.cooldown_seconds = options.notify_cooldown_seconds;
    settings.first_retry = std::chrono::seconds(options.notify_retry_seconds);
    return settings;
}

}  // namespace

int run_server(const ServeOptions& options) {
    std::string metrics_token_sha256;
    if (!options.metrics_token_file.empty()) {
        auto hash = read_metrics_token_hash(options.metrics_token_file);
        if (!hash) {
            std::cerr << "siagent-dashboard: " << hash.failure().reason << "\n";
            return hash.failure().status;
        }
        metrics_token_sha256 = hash.value();
    }
    std::error_code error;
    std::filesystem::create_directories(options.data, error);
    ::chmod(options.data.c_str(), 0700);  // the database and the webhook key are secrets
    // PostgreSQL: a pool for the I/O threads and both worker pools at once.
    const auto owned_storage = open_storage(options.data, options.database, options.database.empty() ? 3 : 12);
    Storage& storage = *owned_storage;

    ServerSettings settings;
    settings.web_root = web_root(options);
    settings.activation_window_seconds = options.activation_window_seconds;
    settings.live_process_seconds = options.live_process_seconds;
    settings.secure_cookies = !options.tls_cert.empty() || options.public_url.rfind("https://", 0) == 0;
    settings.trusted_proxies = canonical_addresses(options.trusted_proxies);
    settings.anomaly_rules = options.anomaly_rules;
    settings.metrics_token_sha256 = metrics_token_sha256;
    ServerContext context{storage, settings, LoginLimiter(storage), anomaly::AccountThresholds()};
    auto tls = tls_context(options);

    asio::io_context io(options.threads);
    // After the io_context: joined before it is destroyed, so a job's last post finds it.
    const size_t cores = std::max(1u, std::thread::hardware_concurrency());
    WorkerPool hash_workers(std::max<size_t>(1, cores / 2), kMaxHashJobs);
    WorkerPool query_workers(std::max<size_t>(2, cores / 2), kMaxQueryJobs);
    context.hash_workers = &hash_workers;
    context.query_workers = &query_workers;
    auto listener = std::make_shared<Listener>(
        io, asio::ip::tcp::endpoint(asio::ip::make_address(options.host), options.port), context, tls.get());
    const uint16_t port = listener->local_endpoint().port();

    notify::KeyFile webhook_key(options.data / "webhook.key");
    notify::Notifier notifier(storage, webhook_key, notifier_settings(options, url_of(options, port)));
    notifier.start();
    context.notifier = &notifier;
    anomaly::UploadJudge judge(storage, settings.anomaly_rules, context.anomaly_thresholds, [&context] { return context.now(); });
    judge.set_sink(&notifier);
    judge.start();
    context.judge = &judge;
    if (auto first = bootstrap_if_empty(storage, url_of(options, port), context.now())) std::cout << *first;
    std::cout << "siagent-dashboard: listening on " << url_of(options, port) << std::endl;

    prepare_logins();  // before the first connection: no timing tell on the first login
    listener->run();
    Maintenance maintenance(io, context, options.retention_seconds, options.retention_check_seconds);
    maintenance.start();
    asio::signal_set signals(io, SIGINT, SIGTERM);
    signals.async_wait([&](boost::system::error_code, int) { io.stop(); });

    std::vector<std::thread> threads;
    for (int i = 1; i < options.threads; ++i) threads.emplace_back([&io] { io.run(); });
    io.run();
    for (auto& thread : threads) thread.join();
    judge.stop();  // judges what is left and saves the detectors while the notifier still runs
    return 0;
}

}  // namespace siagent::dashboard
