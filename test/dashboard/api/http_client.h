// A small blocking HTTP/1.1 client for the API tests: one request per connection, a
// receive timeout so a hung server fails the test, gzip responses inflated.
#pragma once

#include <rapidjson/document.h>

#include <map>
#include <optional>
#include <string>

namespace siagent::testing {

struct HttpCall {
    std::string method = "GET";
    std::string target = "/";
    std::string body;
    std::map<std::string, std::string> headers;
    bool chunked = false;  // Transfer-Encoding: chunked instead of Content-Length
};

struct HttpReply {
    int status = 0;  // 0: no answer (connection failed or closed)
    std::map<std::string, std::string> headers;  // names lower-case
    std::string body;  // inflated when the server sent gzip
    bool was_gzipped = false;
};

HttpReply http_call(int port, const HttpCall& call);

// Sends `bytes` as they are and returns what comes back until the server closes (or 5 s).
std::string raw_exchange(int port, const std::string& bytes);

// A browser-like UI client: logs in, keeps the session cookie and the CSRF token.
class UiClient {
public:
    explicit UiClient(int port) : port_(port) {}

    HttpReply login(const std::string& email, const std::string& password);
    HttpReply get(const std::string& target) { return send("GET", target, ""); }
    HttpReply post(const std::string& target, const std::string& body) { return send("POST", target, body); }
    HttpReply put(const std::string& target, const std::string& body) { return send("PUT", target, body); }
    HttpReply del(const std::string& target) { return send("DELETE", target, ""); }
    // A request without the CSRF header, for the tests that it is required.
    HttpReply send_without_csrf(const std::string& method, const std::string& target, const std::string& body);

    // The same session (cookie and CSRF token) sent to another server: another instance.
    UiClient on_port(int port) const {
        UiClient other = *this;
        other.port_ = port;
        return other;
    }

    const std::string& csrf() const { return csrf_; }
    const std::string& cookie() const { return cookie_; }

private:
    HttpReply send(const std::string& method, const std::string& target, const std::string& body);

    int port_;
    std::string cookie_;
    std::string csrf_;
};

// Value of a top-level string field in a JSON body, or nullopt (tests read small bodies).
std::optional<std::string> json_string(const std::string& body, const std::string& key);

// The body as a JSON document (a parse error leaves it a null value).
rapidjson::Document parse_json(const std::string& body);

// The row of `function` (in `file`, when given) among a /profile answer's hot spots, or nullptr.
const rapidjson::Value* find_hotspot(const rapidjson::Value& profile, const std::string& function,
                                     const std::string& file = {});

}  // namespace siagent::testing
