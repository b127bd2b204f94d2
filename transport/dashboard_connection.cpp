#include "transport/dashboard_connection.h"

#include <openssl/evp.h>

#include <boost/asio/post.hpp>

#include "core/log.h"
#include "transport/gzip.h"
#include "transport/openssl_lifetime.h"
#include "transport/stackimpact_json.h"

namespace siagent {

std::string basic_authorization(const std::string& agent_key) {
    std::string credentials = agent_key + ":";
    std::string encoded(4 * ((credentials.size() + 2) / 3) + 1, '\0');
    int length = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(encoded.data()),
                                 reinterpret_cast<const unsigned char*>(credentials.data()),
                                 static_cast<int>(credentials.size()));
    encoded.resize(length > 0 ? static_cast<size_t>(length) : 0);
    return "Basic " + encoded;
}

DashboardConnection::DashboardConnection(boost::asio::io_context& io, const Clock& clock,
                                         AgentIdentity identity, const std::string& agent_key,
                                         HttpClientOptions options)
    : io_(io),
      clock_(clock),
      identity_(std::move(identity)),
      agent_key_(agent_key),
      client_(io, std::move(options)) {}

bool DashboardConnection::prepare() {
    if (!authorization_.empty()) return true;
    if (!openssl_ready()) return false;
    authorization_ = basic_authorization(agent_key_);
    agent_key_.clear();
    std::string error;
    if (!client_.prepare(error)) print_line(("siagent: " + error).c_str());
    return true;
}

size_t DashboardConnection::send(const char* endpoint, const std::string& payload_json,
                               Clock::TimePoint deadline, std::function<void(HttpResult)> done) {
    if (!prepare()) {
        // As a request that failed: later, never inside the caller's own call.
        boost::asio::post(io_, [this, endpoint, done = std::move(done)] {
            HttpResult result;
            result.failure = HttpFailure::tls;
            result.detail = "OpenSSL could not be loaded";
            report(endpoint, result);
            done(std::move(result));
        });
        return 0;
    }
    HttpRequest request;
    request.target = client_.address().target(std::string("/agent/v1/") + endpoint);
    request.gzipped_body = gzip_compress(envelope_json(identity_, clock_.unix_seconds(), payload_json));
    request.authorization = authorization_;
    // The client's timers run on the real steady clock; `deadline` is on clock_'s.
    request.deadline = std::chrono::steady_clock::now() + (deadline - clock_.now());
    std::string path = request.target;
    size_t size = request.gzipped_body.size();
    client_.post(std::move(request), [this, path, done = std::move(done)](HttpResult result) {
        report(path.c_str(), result);
        done(std::move(result));
    });
    return size;
}

void DashboardConnection::report(const char* target, const HttpResult& result) {
    if (result.ok()) {
        if (failing_) log_debug("dashboard %s reachable again", origin().c_str());
        failing_ = false;
        return;
    }
    failing_ = true;
    std::string what = std::string(failure_name(result.failure)) +
                       (result.detail.empty() ? "" : " (" + result.detail + ")");
    log_debug("POST %s%s failed: %s", origin().c_str(), target, what.c_str());
    // Once per kind of failure and status for the life of this agent: an outage or a
    // misconfiguration is said once, not every few seconds.
    std::string kind = std::string(failure_name(result.failure)) + std::to_string(result.status);
    if (!reported_.insert(kind).second || debug_logging_enabled()) return;
    std::string line = "siagent: cannot send to the dashboard at " + origin() + ": " + what +
                       "; retrying in the background";
    print_line(line.c_str());
}

}  // namespace siagent
