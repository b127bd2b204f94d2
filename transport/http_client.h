// One HTTP(S) POST at a time per call, with Boost.Beast on the agent's io_context: resolve
// (synchronously, on the agent thread, cached), connect (bounded by the connect timeout),
// TLS handshake with certificate and host-name verification, write, read a bounded
// response, close. Every request ends by its deadline; `done` is called exactly once.
//
// One thread only (the agent's; the dashboard's notifier): post() and every callback run
// there. The Beast types stay in http_client.cpp (the one heavy translation unit).
#pragma once

#include <boost/asio/io_context.hpp>

#include <chrono>
#include <functional>
#include <memory>
#include <string>

#include <boost/asio/ip/address.hpp>

#include "core/dashboard_address.h"

namespace siagent {

struct HttpClientOptions {
    DashboardAddress address;
    std::string ca_file;  // extra trusted CAs (PEM), besides the system's
    std::chrono::milliseconds connect_timeout{5000};
    size_t max_response_bytes = 64 * 1024;  // body after decompression, and on the wire
    // Which resolved addresses may be connected to (the dashboard's webhooks refuse internal
    // ones); empty: all. No address left: HttpFailure::destination.
    std::function<bool(const boost::asio::ip::address&)> allow_destination;
};

struct HttpRequest {
    std::string target;         // e.g. "/agent/v1/upload"
    std::string gzipped_body;   // JSON, gzipped (as is when `gzipped` is false)
    std::string authorization;  // the whole header value, none when empty; never logged
    bool gzipped = true;        // false: no Content-Encoding (the dashboard's webhooks)
    std::chrono::steady_clock::time_point deadline;
};

enum class HttpFailure {
    none,
    resolve,   // host name not found
    connect,   // refused, unreachable
    tls,       // handshake failed: certificate not trusted, expired, wrong host, ...
    timeout,   // connect timeout or the deadline passed
    network,   // reset or closed while writing or reading
    status,    // an answer other than 2xx (redirects are not followed)
    response,  // an answer that is not HTTP, too large, or badly encoded
    destination,  // every address of the host is one allow_destination refuses
};

const char* failure_name(HttpFailure failure);

struct HttpResult {
    HttpFailure failure = HttpFailure::none;
    int status = 0;        // when an answer came
    std::string body;      // decompressed, at most max_response_bytes
    std::string detail;    // what went wrong, for a message (never contains the key)
    bool ok() const { return failure == HttpFailure::none; }
};

class HttpClient {
public:
    HttpClient(boost::asio::io_context& io, HttpClientOptions options);
    ~HttpClient();
    HttpClient(const HttpClient&) = delete;
    HttpClient& operator=(const HttpClient&) = delete;

    // Builds the TLS context (https only). False, with `error` set, when SI_CA_FILE cannot
    // be loaded; requests still run then, trusting the system's CAs only.
    bool prepare(std::string& error);

    void post(HttpRequest request, std::function<void(HttpResult)> done);

    // The address of the dashboard, e.g. "https://dash.example:8443" (for messages).
    std::string origin() const;
    const DashboardAddress& address() const;

    struct Impl;  // defined and used in http_client.cpp only

private:
    std::unique_ptr<Impl> impl_;
};

}  // namespace siagent
