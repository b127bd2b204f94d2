#include "test/dashboard/api/http_client.h"

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <rapidjson/document.h>

#include <algorithm>

#include "transport/gzip.h"

namespace siagent::testing {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr int kTimeoutSeconds = 60;

void set_timeouts(tcp::socket& socket) {
    timeval timeout{kTimeoutSeconds, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_SNDTIMEO, &timeout, sizeof timeout);
}

std::string lower(std::string text) {
    std::transform(text.begin(), text.end(), text.begin(), [](unsigned char c) { return std::tolower(c); });
    return text;
}

}  // namespace

HttpReply http_call(int port, const HttpCall& call) {
    HttpReply reply;
    boost::asio::io_context io;
    tcp::socket socket(io);
    beast::error_code error;
    socket.connect(tcp::endpoint(boost::asio::ip::address_v4::loopback(), static_cast<unsigned short>(port)), error);
    if (error) return reply;
    set_timeouts(socket);

    http::request<http::string_body> request{http::string_to_verb(call.method), call.target, 11};
    request.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : call.headers) request.set(name, value);
    request.body() = call.body;
    if (call.chunked) request.chunked(true);
    else request.prepare_payload();
    http::write(socket, request, error);
    // A server refusing a large body may answer before reading it all: read the answer anyway.
    beast::flat_buffer buffer;
    http::response_parser<http::string_body> parser;
    parser.body_limit(512 * 1024 * 1024);
    http::read(socket, buffer, parser, error);
    if (error && !parser.is_header_done()) return reply;
    auto response = parser.release();
    reply.status = static_cast<int>(response.result_int());
    for (const auto& field : response) reply.headers[lower(std::string(field.name_string()))] = std::string(field.value());
    reply.body = response.body();
    if (reply.headers["content-encoding"] == "gzip") {
        std::string inflate_error;
        reply.body = gzip_decompress(reply.body, 512 * 1024 * 1024, inflate_error).value_or("<bad gzip>");
        reply.was_gzipped = true;
    }
    return reply;
}

std::string raw_exchange(int port, const std::string& bytes) {
    boost::asio::io_context io;
    tcp::socket socket(io);
    beast::error_code error;
    socket.connect(tcp::endpoint(boost::asio::ip::address_v4::loopback(), static_cast<unsigned short>(port)), error);
    if (error) return {};
    timeval timeout{5, 0};
    setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
    boost::asio::write(socket, boost::asio::buffer(bytes), error);
    std::string reply;
    char chunk[4096];
    for (;;) {
        const size_t got = socket.read_some(boost::asio::buffer(chunk), error);
        reply.append(chunk, got);
        if (error) return reply;
    }
}

HttpReply UiClient::login(const std::string& email, const std::string& password) {
    HttpCall call{"POST", "/api/login", R"({"email": ")" + email + R"(", "password": ")" + password + "\"}", {}, false};
    call.headers["Content-Type"] = "application/json";
    HttpReply reply = http_call(port_, call);
    const std::string set_cookie = reply.headers["set-cookie"];
    if (reply.status == 200) {
        cookie_ = set_cookie.substr(0, set_cookie.find(';'));
        csrf_ = json_string(reply.body, "csrf_token").value_or("");
    }
    return reply;
}

HttpReply UiClient::send(const std::string& method, const std::string& target, const std::string& body) {
    HttpCall call{method, target, body, {{"Cookie", cookie_}, {"X-CSRF-Token", csrf_}, {"Accept-Encoding", "gzip"}}, false};
    if (!body.empty()) call.headers["Content-Type"] = "application/json";
    return http_call(port_, call);
}

HttpReply UiClient::send_without_csrf(const std::string& method, const std::string& target, const std::string& body) {
    return http_call(port_, HttpCall{method, target, body, {{"Cookie", cookie_}}, false});
}

rapidjson::Document parse_json(const std::string& body) {
    rapidjson::Document document;
    document.Parse(body.c_str());
    if (document.HasParseError()) document.SetNull();
    return document;
}

const rapidjson::Value* find_hotspot(const rapidjson::Value& profile, const std::string& function,
                                     const std::string& file) {
    for (const auto& spot : profile["hotspots"].GetArray()) {
        if (function == spot["function"].GetString() && (file.empty() || file == spot["file"].GetString())) return &spot;
    }
    return nullptr;
}

std::optional<std::string> json_string(const std::string& body, const std::string& key) {
    rapidjson::Document document = parse_json(body);
    if (!document.IsObject()) return std::nullopt;
    auto found = document.FindMember(key.c_str());
    if (found == document.MemberEnd() || !found->value.IsString()) return std::nullopt;
    return std::string(found->value.GetString());
}

}  // namespace siagent::testing
