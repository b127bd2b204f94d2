#include "transport/http_client.h"

#include <openssl/ssl.h>
#include <openssl/x509v3.h>

#include <optional>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "transport/gzip.h"

namespace siagent {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr size_t kMaxResponseHeaderBytes = 16 * 1024;
// A resolved address is reused this long, unless connecting to it fails.
constexpr std::chrono::seconds kResolveCacheFor{300};

}  // namespace

const char* failure_name(HttpFailure failure) {
    switch (failure) {
    case HttpFailure::none: return "ok";
    case HttpFailure::resolve: return "host not found";
    case HttpFailure::connect: return "cannot connect";
    case HttpFailure::tls: return "TLS handshake failed";
    case HttpFailure::timeout: return "timed out";
    case HttpFailure::network: return "connection lost";
    case HttpFailure::status: return "HTTP error status";
    case HttpFailure::response: return "invalid response";
    case HttpFailure::destination: return "destination not allowed";
    }
    return "failed";
}

struct HttpClient::Impl {
    asio::io_context& io;
    HttpClientOptions options;
    std::optional<asio::ssl::context> tls;
    std::vector<tcp::endpoint> resolved;  // the allowed ones only
    std::chrono::steady_clock::time_point resolved_at;

    // Synchronous getaddrinfo on the agent thread (asio's asynchronous resolver would start
    // a thread of its own in the application's process); numeric hosts cost nothing.
    bool resolve(beast::error_code& error) {
        auto now = std::chrono::steady_clock::now();
        if (!resolved.empty() && now - resolved_at < kResolveCacheFor) return true;
        tcp::resolver resolver(io);
        auto results = resolver.resolve(options.address.host, options.address.port, error);
        resolved.clear();
        for (const auto& result : results) {
            if (!options.allow_destination || options.allow_destination(result.endpoint().address())) {
                resolved.push_back(result.endpoint());
            }
        }
        resolved_at = now;
        return !error;
    }
    void forget_address() { resolved = {}; }
};

namespace {

// Whether the handshake failed on verification, and why ("certificate has expired").
std::string verification_error(SSL* ssl) {
    long result = SSL_get_verify_result(ssl);
    if (result == X509_V_OK) return {};
    return X509_verify_cert_error_string(result);
}

// One request on one connection. Owns itself through shared_from_this while an
// asynchronous step is under way; each step is a named member, in protocol order.
template <typename Stream>
class Session : public std::enable_shared_from_this<Session<Stream>> {
public:
    template <typename... StreamArguments>
    Session(HttpClient::Impl& client, HttpRequest request, std::function<void(HttpResult)> done,
            StreamArguments&&... stream_arguments)
        : client_(client),
          stream_(std::forward<StreamArguments>(stream_arguments)...),
          buffer_(client.options.max_response_bytes + kMaxResponseHeaderBytes),
          deadline_(request.deadline),
          done_(std::move(done)) {
        const DashboardAddress& address = client.options.address;
        request_.method(http::verb::post);
        request_.target(request.target);
        request_.version(11);
        request_.set(http::field::host, address.host_header());
        request_.set(http::field::user_agent, "siagent/" SIAGENT_VERSION);
        if (!request.authorization.empty()) request_.set(http::field::authorization, request.authorization);
        request_.set(http::field::content_type, "application/json");
        if (request.gzipped) request_.set(http::field::content_encoding, "gzip");
        request_.set(http::field::accept_encoding, "gzip");
        request_.set(http::field::connection, "close");
        request_.body() = std::move(request.gzipped_body);
        request_.prepare_payload();
        parser_.body_limit(client.options.max_response_bytes);
        parser_.header_limit(kMaxResponseHeaderBytes);
    }

    void run() {
        beast::error_code error;
        const bool found = client_.resolve(error);
        if (!found || client_.resolved.empty()) {
            // Never calls back from inside post(): the caller may not expect it.
            const HttpFailure failure = found ? HttpFailure::destination : HttpFailure::resolve;
            std::string message = found ? "every address of the host is refused" : error.message();
            asio::post(client_.io, [self = this->shared_from_this(), failure, message = std::move(message)] {
                self->finish(failure, message);
            });
            return;
        }
        auto connect_until = std::min(deadline_, std::chrono::steady_clock::now() +
                                                     client_.options.connect_timeout);
        beast::get_lowest_layer(stream_).expires_at(connect_until);
        beast::get_lowest_layer(stream_).async_connect(
            client_.resolved, beast::bind_front_handler(&Session::on_connect, this->shared_from_this()));
    }

private:
    void on_connect(beast::error_code error, const tcp::endpoint&) {
        if (error) {
            client_.forget_address();
            bool timed_out = error == beast::error::timeout;
            return finish(timed_out ? HttpFailure::timeout : HttpFailure::connect, error.message());
        }
        beast::get_lowest_layer(stream_).expires_at(deadline_);
        if constexpr (std::is_same_v<Stream, beast::tcp_stream>) {
            send();
        } else {
            if (!verify_host()) return finish(HttpFailure::tls, "cannot set up host verification");
            stream_.async_handshake(asio::ssl::stream_base::client,
                                    beast::bind_front_handler(&Session::on_handshake,
                                                              this->shared_from_this()));
        }
    }

    // Certificate checks: the chain (verify_peer, set on the context) and the host name or
    // IP address of SI_DASHBOARD_ADDRESS, with SNI for names.
    bool verify_host() {
        SSL* ssl = stream_.native_handle();
        const std::string& host = client_.options.address.host;
        beast::error_code not_ip;
        asio::ip::make_address(host, not_ip);
        if (!not_ip) return X509_VERIFY_PARAM_set1_ip_asc(SSL_get0_param(ssl), host.c_str()) == 1;
        return SSL_set_tlsext_host_name(ssl, host.c_str()) == 1 && SSL_set1_host(ssl, host.c_str()) == 1;
    }

    void on_handshake(beast::error_code error) {
        if (error) {
            if (error == beast::error::timeout) return finish(HttpFailure::timeout, error.message());
            std::string reason;
            if constexpr (!std::is_same_v<Stream, beast::tcp_stream>)
                reason = verification_error(stream_.native_handle());
            return finish(HttpFailure::tls, reason.empty() ? error.message() : reason);
        }
        send();
    }

    void send() {
        http::async_write(stream_, request_,
                          beast::bind_front_handler(&Session::on_write, this->shared_from_this()));
    }

    void on_write(beast::error_code error, size_t) {
        if (error) return finish(network_or_timeout(error), error.message());
        http::async_read(stream_, buffer_, parser_,
                         beast::bind_front_handler(&Session::on_read, this->shared_from_this()));
    }

    void on_read(beast::error_code error, size_t) {
        if (error == beast::error::timeout) return finish(HttpFailure::timeout, error.message());
        // The peer closed before answering: a network failure, like a reset.
        if (error && error != http::error::end_of_stream &&
            error.category() == http::make_error_code(http::error::bad_version).category()) {
            return finish(HttpFailure::response, error.message());  // not HTTP, or too large
        }
        if (error) return finish(HttpFailure::network, error.message());
        auto& response = parser_.get();
        result_.status = static_cast<int>(response.result_int());
        if (result_.status < 200 || result_.status > 299)
            return finish(HttpFailure::status, "HTTP " + std::to_string(result_.status));
        if (beast::iequals(response[http::field::content_encoding], "gzip")) {
            std::string gzip_error;
            auto body = gzip_decompress(response.body(), client_.options.max_response_bytes, gzip_error);
            if (!body) return finish(HttpFailure::response, "response body: " + gzip_error);
            result_.body = std::move(*body);
        } else {
            result_.body = std::move(response.body());
        }
        finish(HttpFailure::none, {});
    }

    static HttpFailure network_or_timeout(const beast::error_code& error) {
        return error == beast::error::timeout ? HttpFailure::timeout : HttpFailure::network;
    }

    void finish(HttpFailure failure, std::string detail) {
        beast::error_code ignored;
        beast::get_lowest_layer(stream_).socket().close(ignored);
        result_.failure = failure;
        result_.detail = std::move(detail);
        if (done_) {
            auto done = std::move(done_);
            done_ = nullptr;
            done(std::move(result_));
        }
    }

    HttpClient::Impl& client_;
    Stream stream_;
    beast::flat_buffer buffer_;
    http::request<http::string_body> request_;
    http::response_parser<http::string_body> parser_;
    std::chrono::steady_clock::time_point deadline_;
    std::function<void(HttpResult)> done_;
    HttpResult result_;
};

}  // namespace

HttpClient::HttpClient(asio::io_context& io, HttpClientOptions options)
    : impl_(new Impl{io, std::move(options), std::nullopt, {}, {}}) {}

HttpClient::~HttpClient() = default;

std::string HttpClient::origin() const { return impl_->options.address.origin(); }

const DashboardAddress& HttpClient::address() const { return impl_->options.address; }

bool HttpClient::prepare(std::string& error) {
    if (!impl_->options.address.tls || impl_->tls) return true;
    impl_->tls.emplace(asio::ssl::context::tls_client);
    asio::ssl::context& context = *impl_->tls;
    SSL_CTX_set_min_proto_version(context.native_handle(), TLS1_2_VERSION);
    context.set_verify_mode(asio::ssl::verify_peer);
    beast::error_code code;
    context.set_default_verify_paths(code);
    if (!impl_->options.ca_file.empty()) {
        context.load_verify_file(impl_->options.ca_file, code);
        if (code) {
            error = "cannot load SI_CA_FILE " + impl_->options.ca_file + ": " + code.message();
            return false;
        }
    }
    return true;
}

void HttpClient::post(HttpRequest request, std::function<void(HttpResult)> done) {
    if (impl_->options.address.tls) {
        std::string ignored;
        prepare(ignored);  // normally done already, with its error reported
        auto session = std::make_shared<Session<beast::ssl_stream<beast::tcp_stream>>>(
            *impl_, std::move(request), std::move(done), impl_->io, *impl_->tls);
        session->run();
    } else {
        auto session = std::make_shared<Session<beast::tcp_stream>>(
            *impl_, std::move(request), std::move(done), impl_->io);
        session->run();
    }
}

}  // namespace siagent
