// Webhook notifications of anomalies, on a thread of its own (an io_context), so ingestion
// never waits for a network: recorded() only groups anomalies into incidents (IncidentGate)
// and queues the new incidents. The notifier thread reads the account's webhooks, opens their
// sealed URLs, and POSTs one payload per incident per webhook through transport's HttpClient
// (https verified against the system CAs, plus `ca_file`).
//
// Bounds: at most `max_per_minute` notifications per account (RateLimit), at most
// `max_pending` incidents and deliveries queued or in flight, and as many in the outbox;
// past any, notifications are dropped, counted and logged (webhook and account ids, never
// the URL). A failed delivery (no connection, timeout, TLS failure, 5xx or 429) is retried
// after `first_retry`, doubling, up to `max_attempts` in all; other 4xx answers are final.
//
// Every delivery is in the database's outbox (Storage::queue_delivery) until it is delivered
// or given up: the instance that made it holds it while it attempts it, then a failed one
// waits there for its retry, which any instance's poll (every `outbox_poll`) claims when it
// is due. So a restart or a dead instance loses no pending retry, and a delivery whose
// instance died during the attempt is taken over once its claim (`timeout` + 30 s) lapses:
// at least once, not exactly once (an instance killed between the endpoint's answer and
// the outbox's update has it sent again). Open incidents and each webhook's delivery status
// are in the database too (IncidentGate, Storage::note_webhook_delivery); each instance
// keeps its own per-account rate.
#pragma once

#include <boost/asio/io_context.hpp>
#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/steady_timer.hpp>

#include <atomic>
#include <chrono>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "dashboard/server/anomaly/anomaly_sink.h"
#include "dashboard/server/notify/destination_policy.h"
#include "dashboard/server/notify/incident_gate.h"
#include "dashboard/server/notify/payload.h"
#include "dashboard/server/notify/rate_limit.h"
#include "dashboard/server/notify/secret_box.h"

namespace siagent {
struct HttpResult;
}

namespace siagent::dashboard::notify {

struct NotifierSettings {
    std::string public_url;                     // base of links in messages (--public-url); empty: learned
    std::string listening_url;                  // links before an origin is learned
    std::string ca_file;                        // extra CAs for https webhooks (PEM); empty: system only
    DestinationPolicy destinations;             // internal addresses refused unless allowed by name
    int64_t cooldown_seconds = 3600;            // one incident per rule per quiet hour
    size_t max_per_minute = 30;                 // notifications per account
    std::chrono::milliseconds first_retry{5000};
    int max_attempts = 6;                       // retries after 5, 10, 20, 40, 80 s
    size_t max_pending = 1000;
    std::chrono::seconds timeout{10};           // one attempt, connect to answer
    std::chrono::milliseconds outbox_poll{1000};  // how often due retries are looked for
};

// The last outcome of a webhook's deliveries, for the Account page (model/storage.h).
using DeliveryStatus = WebhookDeliveries;

// The waits between attempts: first_retry, doubling; max_attempts - 1 of them.
std::vector<std::chrono::milliseconds> retry_schedule(const NotifierSettings& settings);

// The sealed URL's associated data: it opens only in the account it was sealed for.
std::string webhook_seal_context(int64_t account_id);

class Notifier final : public AnomalySink {
public:
    Notifier(Storage& storage, KeyFile& secrets, NotifierSettings settings);
    ~Notifier() override;  // stops the thread; pending deliveries are abandoned

    // Starts the thread and the outbox's poll.
    void start();

    void recorded(const AppRef& app, const std::vector<AnomalyRow>& anomalies) override;
    // Queues a test message to one webhook of the account; false when it is not the account's.
    bool send_test(int64_t account_id, int64_t webhook_id);
    // Shared by every instance on the database; deleted with the webhook.
    std::optional<DeliveryStatus> status(int64_t webhook_id) const;

    // Without a configured public URL, an account's links use the origin its owner's browser
    // last reached the dashboard at (scheme and Host header); a malformed host is ignored.
    // Per account, so no one changes the links another account receives.
    void learn_origin(int64_t account_id, bool tls, std::string_view host);
    std::string link_base(int64_t account_id) const;

    KeyFile& secrets() { return secrets_; }
    // This instance's counts since it started (/metrics); dropped counts every drop, also
    // those with no webhook (the account's rate, a full queue).
    uint64_t dropped() const { return dropped_.load(); }
    uint64_t delivered() const { return delivered_.load(); }
    uint64_t failed() const { return failed_.load(); }
    size_t pending() const { return pending_.load(); }

private:
    struct Delivery;
    void queue(Incident incident, std::optional<int64_t> only_webhook);
    void fan_out(const Incident& incident, std::optional<int64_t> only_webhook);
    std::optional<int64_t> put_in_outbox(const Delivery& delivery);
    void poll_outbox();
    void schedule_poll();
    void take_from_outbox(const Delivery& delivery);
    void attempt(std::shared_ptr<Delivery> delivery);
    void finished(std::shared_ptr<Delivery> delivery, const HttpResult& result);
    void retry_in_memory(std::shared_ptr<Delivery> delivery, std::chrono::milliseconds delay);
    void forget(const Delivery& delivery);
    void drop(int64_t account_id, std::optional<int64_t> webhook_id, const std::string& why);
    void note(int64_t webhook_id, const std::string& outcome, int delivered, int failed, int dropped);
    int64_t now() const;
    static int64_t now_ms();
    int64_t claim_ms() const;  // how long an attempt holds its delivery

    Storage& storage_;
    KeyFile& secrets_;
    NotifierSettings settings_;
    IncidentGate gate_;
    RateLimit rate_;
    std::vector<std::chrono::milliseconds> retry_delays_;
    std::atomic<size_t> pending_{0};
    std::atomic<uint64_t> dropped_{0};
    std::atomic<uint64_t> delivered_{0};
    std::atomic<uint64_t> failed_{0};  // after the last attempt
    mutable std::mutex origins_mutex_;  // guards learned_origins_
    std::map<int64_t, std::string> learned_origins_;  // account -> origin

    boost::asio::io_context io_;
    boost::asio::executor_work_guard<boost::asio::io_context::executor_type> work_;
    std::unique_ptr<boost::asio::steady_timer> poll_timer_;
    std::thread thread_;
};

}  // namespace siagent::dashboard::notify
