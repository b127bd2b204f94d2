// The agent's side of the dashboard API: wraps a payload in the envelope, gzips it, adds
// the key as Basic authorization, posts it to {address}/agent/v1/{upload|config}, and says
// what went wrong once per kind of failure (every failure with SI_DEBUG=1). The key only
// ever goes into the Authorization header. Agent thread only. OpenSSL is first used by the
// first send (transport/openssl_lifetime.h), not when the connection is made.
#pragma once

#include <boost/asio/io_context.hpp>

#include <functional>
#include <set>
#include <string>

#include "transport/agent_identity.h"
#include "transport/clock.h"
#include "transport/http_client.h"

namespace siagent {

class DashboardConnection {
public:
    DashboardConnection(boost::asio::io_context& io, const Clock& clock, AgentIdentity identity,
                        const std::string& agent_key, HttpClientOptions options);

    // `endpoint` is "upload" or "config"; `payload_json` a JSON object. Returns the size
    // of the gzipped body.
    size_t send(const char* endpoint, const std::string& payload_json,
              Clock::TimePoint deadline, std::function<void(HttpResult)> done);

    const AgentIdentity& identity() const { return identity_; }
    std::string origin() const { return client_.origin(); }
    const DashboardAddress& address() const { return client_.address(); }

private:
    void report(const char* endpoint, const HttpResult& result);
    // Before the first request: the authorization and the TLS context. False without OpenSSL.
    bool prepare();

    boost::asio::io_context& io_;
    const Clock& clock_;
    AgentIdentity identity_;
    std::string agent_key_;      // secret: never logged; cleared once authorization_ is made
    std::string authorization_;  // secret: never logged
    HttpClient client_;
    std::set<std::string> reported_;  // failure kinds already said on stderr
    bool failing_ = false;
};

// "Basic " + base64(key + ":"): the key is the user name, the password is empty.
std::string basic_authorization(const std::string& agent_key);

}  // namespace siagent
