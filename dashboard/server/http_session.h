// One HTTP connection, in the shape of Beast's advanced server example: each asynchronous
// step is a named member (do_read, on_read, on_write), the stream carries the timeout, and
// the session keeps itself alive through shared_from_this. HttpSession<Derived> holds the
// protocol; PlainSession and TlsSession (listener.cpp) add their stream, handshake and close.
//
// Bounds: headers are limited by the parser (431), every read by the stream timeout. The
// body is read only once the headers are admitted (admission.h: an agent's key, the body's
// bound for its path, a share of the bytes in flight), else the answer comes at once. After
// an error response the connection is closed, draining what the client still sends for a
// moment so it can read the answer instead of a reset. Slow UI requests (router.h:
// worker_pool_for) are routed on a worker pool, never on the I/O threads.
#pragma once

#include <boost/asio/post.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <chrono>
#include <memory>
#include <optional>
#include <string>

#include "dashboard/server/api/admission.h"
#include "dashboard/server/api/router.h"
#include "dashboard/server/http/client_address.h"

namespace siagent::dashboard {

namespace beast = boost::beast;

template <class Derived>
class HttpSession {
public:
    HttpSession(ServerContext& context, std::string remote_address)
        : context_(context), remote_address_(std::move(remote_address)) {}

protected:
    Derived& derived() { return static_cast<Derived&>(*this); }

    void do_read() {
        derived().on_idle();  // waiting for a request: may be shed past a connection bound
        const Limits& limits = context_.settings.limits;
        admission_.reset();
        kind_ = RequestKind::other;  // until headers say otherwise (a malformed request)
        started_ = std::chrono::steady_clock::now();
        body_bytes_ = 0;
        parser_.emplace();
        parser_->header_limit(static_cast<uint32_t>(limits.header_bytes));
        parser_->body_limit(limits.body_bytes);
        beast::get_lowest_layer(derived().stream()).expires_after(std::chrono::seconds(limits.read_timeout_seconds));
        http::async_read_header(derived().stream(), buffer_, *parser_,
                                beast::bind_front_handler(&HttpSession::on_header, derived().shared_from_this()));
    }

    void on_header(beast::error_code error, std::size_t) {
        if (error == http::error::end_of_stream) return derived().do_close();
        if (error) return reject(error);
        derived().on_busy();
        kind_ = request_kind(target_path(parser_->get().target()));
        client_address_ = client_address(context_.settings.trusted_proxies, remote_address_,
                                         parser_->get()["X-Forwarded-For"]);
        started_ = std::chrono::steady_clock::now();
        const auto length = parser_->content_length();  // boost::optional
        auto admitted =
            admit(context_, parser_->get(), length ? std::optional<uint64_t>(*length) : std::nullopt, client_address_);
        if (!admitted) return refuse(admitted.failure());
        admission_.emplace(std::move(admitted.value()));
        parser_->body_limit(admission_->body_limit);
        http::async_read(derived().stream(), buffer_, *parser_,
                         beast::bind_front_handler(&HttpSession::on_read, derived().shared_from_this()));
    }

    // Headers not admitted: answered without reading the body, and the connection closed.
    void refuse(const Failure& failure) {
        Response response = error_response(failure.status, failure.reason);
        if (failure.status == 503) response.set(http::field::retry_after, "5");
        response.version(parser_->get().version());
        response.keep_alive(false);
        response.prepare_payload();
        send(std::move(response), true);
    }

    void on_read(beast::error_code error, std::size_t) {
        if (error == http::error::end_of_stream) return derived().do_close();
        if (error) return reject(error);
        // A Transfer-Encoding other than exactly "chunked" leaves the body's end unknown:
        // whatever follows must not be read as another request (request smuggling).
        if (!framed_by_chunked_or_length(parser_->get(), parser_->chunked()))
            return reject(http::error::bad_transfer_encoding);
        auto request = std::make_shared<const Request>(parser_->release());
        body_bytes_ = request->body().size();
        WorkerPool* pool = worker_pool_for(context_, *request);
        const std::optional<AgentKeyOwner> admitted_key = admission_ ? admission_->agent_key : std::nullopt;
        if (pool == nullptr) return answer(route(context_, *request, client_address_, admitted_key));
        // Slow: routed on the pool; the session waits (no other operation is under way on
        // it) until the answer is posted back to its stream's executor.
        auto self = derived().shared_from_this();
        const bool posted = pool->try_post([self, request, admitted_key] {
            HttpSession& session = *self;
            Response response = route(session.context_, *request, session.client_address_, admitted_key);
            boost::asio::post(session.derived().stream().get_executor(),
                              [self, response = std::move(response)]() mutable {
                                  static_cast<HttpSession&>(*self).answer(std::move(response));
                              });
        });
        if (!posted) answer(busy_response(*request));
    }

    void answer(Response response) {
        admission_.reset();  // the body's bytes are no longer held once answered
        send(std::move(response), false);
    }

    static bool framed_by_chunked_or_length(const Request& request, bool chunked) {
        if (request.count(http::field::transfer_encoding) == 0) return true;
        if (request.count(http::field::transfer_encoding) > 1 || !chunked) return false;
        return beast::iequals(request[http::field::transfer_encoding], "chunked");
    }

    // A request the parser refused: answer when the client can still read, then close.
    void reject(beast::error_code error) {
        if (error == beast::error::timeout || error == boost::asio::error::operation_aborted ||
            error == boost::asio::error::connection_reset || error == boost::asio::error::eof) {
            return derived().do_close();
        }
        unsigned status = 400;
        if (error == http::error::body_limit) status = 413;
        if (error == http::error::header_limit) status = 431;
        Response response = error_response(status, status == 400 ? "malformed HTTP request" : "request too large");
        response.keep_alive(false);
        response.prepare_payload();
        send(std::move(response), true);
    }

    // Every answer passes here, and is counted (server_metrics.h).
    void send(Response response, bool drain_after) {
        const std::chrono::duration<double> took = std::chrono::steady_clock::now() - started_;
        context_.metrics.count_answer(kind_, static_cast<int>(response.result_int()), took.count(), body_bytes_);
        response_ = std::move(response);
        drain_after_ = drain_after;
        beast::get_lowest_layer(derived().stream()).expires_after(std::chrono::seconds(30));
        http::async_write(derived().stream(), response_,
                          beast::bind_front_handler(&HttpSession::on_write, derived().shared_from_this()));
    }

    void on_write(beast::error_code error, std::size_t) {
        if (error) return;
        if (drain_after_) return derived().do_drain();
        if (!response_.keep_alive()) return derived().do_close();
        response_ = {};
        do_read();
    }

    ServerContext& context_;
    std::string remote_address_;  // the peer's
    std::string client_address_;  // the request's (http/client_address.h)
    beast::flat_buffer buffer_;
    std::optional<http::request_parser<http::string_body>> parser_;
    std::optional<Admission> admission_;  // the request being read: its share of the budget
    RequestKind kind_ = RequestKind::other;             // the request being answered, as counted
    std::chrono::steady_clock::time_point started_{};  // when its headers were read
    size_t body_bytes_ = 0;                             // its body as received
    Response response_;
    bool drain_after_ = false;
};

}  // namespace siagent::dashboard
