#include "dashboard/server/notify/notifier.h"

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>

#include <algorithm>
#include <cctype>
#include <iostream>

#include "dashboard/server/notify/webhook_url.h"
#include "transport/backoff.h"
#include "transport/http_client.h"

namespace siagent::dashboard::notify {

namespace asio = boost::asio;

// One incident on its way to one webhook. The URL is opened only for the attempt.
struct Notifier::Delivery {
    int64_t outbox_id = 0;  // 0: not in the outbox (the database refused it): retried in memory
    int64_t account_id = 0;
    Webhook webhook;
    std::string body;
    int attempts = 0;
};

namespace {

// The rule an anomaly belongs to, the incident key: app, kind, category, name, host and
// environment (a mute rule's identity with host and environment given).
std::string rule_key(int64_t app_id, const AnomalyRow& a) {
    std::string key = std::to_string(app_id);
    for (const std::string* part : {&a.kind, &a.category, &a.name, &a.host, &a.environment}) {
        key += '\x1f';
        key += *part;
    }
    return key;
}

std::string seconds_text(std::chrono::milliseconds delay) {
    if (delay.count() % 1000 == 0) return std::to_string(delay.count() / 1000) + " s";
    return std::to_string(delay.count()) + " ms";
}

bool retryable(const HttpResult& result) {
    if (result.failure != HttpFailure::status) {
        return result.failure != HttpFailure::response && result.failure != HttpFailure::destination;
    }
    return result.status >= 500 || result.status == 429 || result.status == 408;
}

}  // namespace

std::vector<std::chrono::milliseconds> retry_schedule(const NotifierSettings& settings) {
    // Backoff's nominal delays carry no jitter: the schedule is the documented one.
    const Backoff backoff(settings.first_retry, settings.first_retry * 1024, 0);
    std::vector<std::chrono::milliseconds> delays;
    for (int failures = 1; failures < settings.max_attempts; ++failures) delays.push_back(backoff.nominal(failures));
    return delays;
}

std::string webhook_seal_context(int64_t account_id) { return "siagent webhook url, account " + std::to_string(account_id); }

Notifier::Notifier(Storage& storage, KeyFile& secrets, NotifierSettings settings)
    : storage_(storage),
      secrets_(secrets),
      settings_(std::move(settings)),
      gate_(storage, settings_.cooldown_seconds),
      rate_(settings_.max_per_minute, 60),
      retry_delays_(retry_schedule(settings_)),
      work_(io_.get_executor()) {
    // A retry is looked for at most half its first wait late.
    settings_.outbox_poll = std::clamp(std::min(settings_.outbox_poll, settings_.first_retry / 2),
                                       std::chrono::milliseconds(50), std::chrono::milliseconds(1000));
}

Notifier::~Notifier() {
    work_.reset();
    io_.stop();
    if (thread_.joinable()) thread_.join();
}

void Notifier::start() {
    poll_timer_ = std::make_unique<asio::steady_timer>(io_);
    schedule_poll();
    thread_ = std::thread([this] { io_.run(); });
}

int64_t Notifier::now() const {
    return std::chrono::duration_cast<std::chrono::seconds>(std::chrono::system_clock::now().time_since_epoch()).count();
}

int64_t Notifier::now_ms() {
    return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
        .count();
}

int64_t Notifier::claim_ms() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(settings_.timeout + std::chrono::seconds(30)).count();
}

void Notifier::recorded(const AppRef& app, const std::vector<AnomalyRow>& anomalies) {
    const int64_t time = now();
    for (const AnomalyRow& anomaly : anomalies) {
        // Called by an upload whose reports are stored: a database that cannot answer must
        // not fail it. The anomaly is then notified (a second notice beats a lost one).
        bool opens = true;
        try {
            opens = gate_.opens(rule_key(app.app_id, anomaly), time);
        } catch (const std::exception& error) {
            std::cerr << "siagent-dashboard: incidents of account " << app.account_id
                      << " not readable, notifying: " << error.what() << "\n";
        }
        if (!opens) continue;
        queue(Incident{app.account_id, app.app_id, app.name, anomaly}, std::nullopt);
    }
}

bool Notifier::send_test(int64_t account_id, int64_t webhook_id) {
    bool found = false;
    for (const Webhook& webhook : storage_.webhooks(account_id)) found = found || webhook.id == webhook_id;
    if (!found) return false;
    AnomalyRow test;
    test.kind = "test";
    test.time = now();
    test.message = "webhooks of this account reach this endpoint";
    queue(Incident{account_id, 0, "siagent", test}, webhook_id);
    return true;
}

void Notifier::learn_origin(int64_t account_id, bool tls, std::string_view host) {
    if (!settings_.public_url.empty() || host.empty() || host.size() > 255) return;
    for (char c : host) {
        if (!std::isalnum(static_cast<unsigned char>(c)) && std::string_view(".-:[]").find(c) == std::string_view::npos) return;
    }
    std::lock_guard<std::mutex> lock(origins_mutex_);
    learned_origins_[account_id] = std::string(tls ? "https://" : "http://") + std::string(host);
}

std::string Notifier::link_base(int64_t account_id) const {
    if (!settings_.public_url.empty()) return settings_.public_url;
    std::lock_guard<std::mutex> lock(origins_mutex_);
    auto found = learned_origins_.find(account_id);
    return found == learned_origins_.end() ? settings_.listening_url : found->second;
}

std::optional<DeliveryStatus> Notifier::status(int64_t webhook_id) const {
    return storage_.webhook_deliveries(webhook_id);
}

void Notifier::queue(Incident incident, std::optional<int64_t> only_webhook) {
    if (pending_.load() >= settings_.max_pending) {
        return drop(incident.account_id, only_webhook, "the notification queue is full");
    }
    ++pending_;
    asio::post(io_, [this, incident = std::move(incident), only_webhook] {
        fan_out(incident, only_webhook);
        --pending_;
    });
}

// Notifier thread: one Delivery per webhook of the account, each within the rate bound.
void Notifier::fan_out(const Incident& incident, std::optional<int64_t> only_webhook) {
    std::vector<Webhook> webhooks;
    try {
        webhooks = storage_.webhooks(incident.account_id);
    } catch (const std::exception& error) {
        std::cerr << "siagent-dashboard: cannot read the webhooks of account " << incident.account_id << ": "
                  << error.what() << "\n";
        return;
    }
    const std::string link = incident_link(link_base(incident.account_id), incident);
    for (Webhook& webhook : webhooks) {
        if (only_webhook && webhook.id != *only_webhook) continue;
        if (pending_.load() >= settings_.max_pending) {
            drop(incident.account_id, webhook.id, "the notification queue is full");
            continue;
        }
        if (!rate_.allow(incident.account_id, now())) {
            drop(incident.account_id, webhook.id,
                 "over " + std::to_string(settings_.max_per_minute) + " notifications a minute for the account");
            continue;
        }
        auto delivery = std::make_shared<Delivery>();
        delivery->account_id = incident.account_id;
        delivery->body = webhook.format == "slack" ? slack_payload(incident, link) : json_payload(incident, link);
        delivery->webhook = std::move(webhook);
        std::optional<int64_t> outbox_id = put_in_outbox(*delivery);
        if (!outbox_id) {
            drop(incident.account_id, delivery->webhook.id, "the notification outbox is full");
            continue;
        }
        delivery->outbox_id = *outbox_id;
        ++pending_;
        attempt(std::move(delivery));
    }
}

// The delivery's outbox id, held by this instance for its first attempt; nullopt when the
// outbox is full; 0 when the database refused it (the delivery is then attempted anyway and
// retried in memory: a notice only this instance can retry beats a lost one).
std::optional<int64_t> Notifier::put_in_outbox(const Delivery& delivery) {
    try {
        return storage_.queue_delivery(delivery.account_id, delivery.webhook.id, delivery.body, now_ms() + claim_ms(),
                                       settings_.max_pending);
    } catch (const std::exception& error) {
        std::cerr << "siagent-dashboard: notification to webhook " << delivery.webhook.id
                  << " not kept in the outbox: " << error.what() << "\n";
        return 0;
    }
}

void Notifier::schedule_poll() {
    poll_timer_->expires_after(settings_.outbox_poll);
    poll_timer_->async_wait([this](const boost::system::error_code& error) {
        if (error) return;
        poll_outbox();
        schedule_poll();
    });
}

// Notifier thread: claims the deliveries that are due (retries, and attempts of instances
// that died) and attempts them.
void Notifier::poll_outbox() {
    const size_t busy = pending_.load();
    if (busy >= settings_.max_pending) return;
    std::vector<OutboxDelivery> due;
    try {
        const int64_t now = now_ms();
        due = storage_.claim_deliveries(now, now + claim_ms(), settings_.max_pending - busy);
    } catch (const std::exception& error) {
        std::cerr << "siagent-dashboard: the notification outbox is not readable: " << error.what() << "\n";
        return;
    }
    for (const OutboxDelivery& row : due) {
        Delivery delivery;
        delivery.outbox_id = row.id;
        delivery.account_id = row.account_id;
        delivery.webhook.id = row.webhook_id;
        delivery.body = row.body;
        delivery.attempts = row.attempts;
        take_from_outbox(delivery);
    }
}

// A claimed delivery goes to its webhook as it is now (its URL may have been replaced by
// deleting the webhook: a deleted webhook receives nothing more).
void Notifier::take_from_outbox(const Delivery& claimed) {
    std::optional<Webhook> webhook;
    try {
        for (Webhook& candidate : storage_.webhooks(claimed.account_id))
            if (candidate.id == claimed.webhook.id) webhook = std::move(candidate);
        if (!webhook) {
            storage_.finish_delivery(claimed.outbox_id);
            return;
        }
    } catch (const std::exception& error) {
        std::cerr << "siagent-dashboard: cannot read the webhooks of account " << claimed.account_id << ": "
                  << error.what() << "\n";
        return;  // the claim lapses; tried again then
    }
    auto delivery = std::make_shared<Delivery>(claimed);
    delivery->webhook = std::move(*webhook);
    ++pending_;
    attempt(std::move(delivery));
}

void Notifier::attempt(std::shared_ptr<Delivery> delivery) {
    ++delivery->attempts;
    const int64_t webhook_id = delivery->webhook.id;
    auto url = secrets_.open(delivery->webhook.sealed_url, webhook_seal_context(delivery->account_id));
    auto parsed = url ? parse_webhook_url(url.value()) : Result<WebhookUrl>(url.failure());
    if (!parsed) {
        std::cerr << "siagent-dashboard: webhook " << webhook_id << " of account " << delivery->account_id
                  << " cannot be used: " << parsed.failure().reason << "\n";
        forget(*delivery);
        note(webhook_id, "failed: " + parsed.failure().reason, 0, 1, 0);
        --pending_;
        return;
    }
    HttpClientOptions options;
    options.address = parsed->address;
    options.ca_file = settings_.ca_file;
    options.connect_timeout = std::chrono::duration_cast<std::chrono::milliseconds>(settings_.timeout);
    options.allow_destination = [policy = settings_.destinations, host = parsed->address.host](const auto& address) {
        return policy.allows(host, address);
    };
    auto client = std::make_shared<HttpClient>(io_, std::move(options));
    std::string ca_error;
    if (!client->prepare(ca_error)) std::cerr << "siagent-dashboard: webhook CA file: " << ca_error << "\n";
    HttpRequest request;
    request.target = parsed->target;
    request.gzipped_body = delivery->body;
    request.gzipped = false;
    request.deadline = std::chrono::steady_clock::now() + settings_.timeout;
    client->post(std::move(request), [this, client, delivery](HttpResult result) {
        finished(delivery, result);
        // The client must outlive the session that is calling back: release it later.
        asio::post(io_, [client] {});
    });
}

void Notifier::finished(std::shared_ptr<Delivery> delivery, const HttpResult& result) {
    const int64_t webhook_id = delivery->webhook.id;
    if (result.ok()) {
        forget(*delivery);
        note(webhook_id, "delivered", 1, 0, 0);
        --pending_;
        return;
    }
    // failure_name and detail name the failure (status, TLS reason), never the URL.
    std::string what = result.failure == HttpFailure::status ? "HTTP " + std::to_string(result.status)
                                                             : std::string(failure_name(result.failure));
    if (result.failure != HttpFailure::status && !result.detail.empty()) what += " (" + result.detail + ")";
    const size_t retry = static_cast<size_t>(delivery->attempts) - 1;
    if (!retryable(result) || retry >= retry_delays_.size()) {
        std::cerr << "siagent-dashboard: notification to webhook " << webhook_id << " of account "
                  << delivery->account_id << " failed after " << delivery->attempts << " attempt(s): " << what << "\n";
        forget(*delivery);
        note(webhook_id, "failed after " + std::to_string(delivery->attempts) + " attempt(s)", 0, 1, 0);
        --pending_;
        return;
    }
    const auto delay = retry_delays_[retry];
    // In the outbox before it is said: from here on a restart retries it.
    bool kept = false;
    if (delivery->outbox_id != 0) {
        try {
            storage_.retry_delivery(delivery->outbox_id, delivery->attempts, now_ms() + delay.count());
            kept = true;
        } catch (const std::exception& error) {
            std::cerr << "siagent-dashboard: retry of webhook " << webhook_id << " kept in memory only: " << error.what()
                      << "\n";
        }
    }
    const std::string retrying = "retry " + std::to_string(retry + 1) + " of " + std::to_string(retry_delays_.size()) +
                                 " in " + seconds_text(delay);
    std::cerr << "siagent-dashboard: notification to webhook " << webhook_id << " failed: " << what << "; " << retrying
              << "\n";
    note(webhook_id, "failed; " + retrying, 0, 0, 0);
    if (kept) {
        --pending_;  // the outbox's poll takes it when it is due
        return;
    }
    retry_in_memory(std::move(delivery), delay);
}

void Notifier::retry_in_memory(std::shared_ptr<Delivery> delivery, std::chrono::milliseconds delay) {
    delivery->outbox_id = 0;
    auto timer = std::make_shared<asio::steady_timer>(io_, delay);
    timer->async_wait([this, timer, delivery](const boost::system::error_code& error) {
        if (error) {
            --pending_;
            return;
        }
        attempt(delivery);
    });
}

// Delivered or given up: out of the outbox (a failure to say so is logged; the delivery is
// then attempted again once its claim lapses).
void Notifier::forget(const Delivery& delivery) {
    if (delivery.outbox_id == 0) return;
    try {
        storage_.finish_delivery(delivery.outbox_id);
    } catch (const std::exception& error) {
        std::cerr << "siagent-dashboard: delivery to webhook " << delivery.webhook.id
                  << " not taken out of the outbox: " << error.what() << "\n";
    }
}

void Notifier::drop(int64_t account_id, std::optional<int64_t> webhook_id, const std::string& why) {
    const uint64_t total = ++dropped_;
    std::cerr << "siagent-dashboard: notification dropped for account " << account_id;
    if (webhook_id) std::cerr << ", webhook " << *webhook_id;
    std::cerr << ": " << why << " (" << total << " dropped since start)\n";
    if (webhook_id) note(*webhook_id, "dropped: " + why, 0, 0, 1);
}

// On the notifier thread, which nothing may end: a status the database refuses is logged.
void Notifier::note(int64_t webhook_id, const std::string& outcome, int delivered, int failed, int dropped) {
    delivered_ += static_cast<uint64_t>(delivered);
    failed_ += static_cast<uint64_t>(failed);
    try {
        storage_.note_webhook_delivery(webhook_id, DeliveryStatus{now(), outcome, static_cast<uint64_t>(delivered),
                                                                  static_cast<uint64_t>(failed),
                                                                  static_cast<uint64_t>(dropped)});
    } catch (const std::exception& error) {
        std::cerr << "siagent-dashboard: delivery status of webhook " << webhook_id << " not stored: " << error.what()
                  << "\n";
    }
}

}  // namespace siagent::dashboard::notify
