#include "test/support/test_dashboard.h"

#include <poll.h>
#include <sys/socket.h>

#include <atomic>
#include <set>
#include <thread>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>

#include "transport/gzip.h"

namespace siagent::testing {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

struct TestDashboard::State {
    mutable std::mutex mutex;
    mutable std::condition_variable changed;
    std::vector<ReceivedRequest> requests;
    size_t connections = 0;
    ServerMode mode = ServerMode::normal;
    std::string config_answer = R"({"agent_enabled":"yes","profiling_disabled":"no"})";
    bool down = false;
    bool stopping = false;
    std::set<int> open_sockets;  // shut down when the server ends

    asio::io_context io;
    tcp::acceptor acceptor{io};
    int port = 0;
    std::unique_ptr<asio::ssl::context> tls;
    std::thread accept_thread;
    std::vector<std::thread> connection_threads;

    void listen() {
        tcp::endpoint endpoint(asio::ip::make_address("127.0.0.1"), static_cast<unsigned short>(port));
        acceptor.open(endpoint.protocol());
        acceptor.set_option(asio::socket_base::reuse_address(true));
        acceptor.bind(endpoint);
        acceptor.listen();
        port = acceptor.local_endpoint().port();
    }
    void accept_loop();
    void serve(tcp::socket socket);
    template <typename Stream> void serve_requests(Stream& stream);
    template <typename Stream> void answer(Stream& stream, const ReceivedRequest& request);
};

namespace {

ReceivedRequest record(const http::request<http::string_body>& request) {
    ReceivedRequest received;
    received.method = std::string(request.method_string());
    received.target = std::string(request.target());
    for (const auto& field : request) {
        std::string name(field.name_string());
        for (char& c : name) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
        received.headers[name] = std::string(field.value());
    }
    received.body = request.body();
    received.wire_bytes = request.body().size();
    if (beast::iequals(request[http::field::content_encoding], "gzip")) {
        std::string error;
        auto body = gzip_decompress(request.body(), 256u << 20, error);
        received.gzip_ok = body.has_value();
        received.body = body.value_or("");
    }
    return received;
}

}  // namespace

void TestDashboard::State::accept_loop() {
    for (;;) {
        {
            std::lock_guard<std::mutex> lock(mutex);
            if (stopping) return;
        }
        if (!acceptor.is_open()) {
            std::this_thread::sleep_for(std::chrono::milliseconds(20));
            continue;
        }
        pollfd ready{acceptor.native_handle(), POLLIN, 0};
        if (poll(&ready, 1, 50) <= 0) continue;
        beast::error_code error;
        tcp::socket socket(io);
        acceptor.accept(socket, error);
        if (error) continue;
        std::lock_guard<std::mutex> lock(mutex);
        ++connections;
        open_sockets.insert(socket.native_handle());
        connection_threads.emplace_back([this, s = std::move(socket)]() mutable { serve(std::move(s)); });
    }
}

void TestDashboard::State::serve(tcp::socket socket) {
    int fd = socket.native_handle();
    timeval limit{30, 0};  // a client that never writes cannot hold the thread forever
    setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &limit, sizeof limit);
    if (tls) {
        beast::ssl_stream<tcp::socket&> stream(socket, *tls);
        beast::error_code error;
        stream.handshake(asio::ssl::stream_base::server, error);
        if (!error) serve_requests(stream);
    } else {
        serve_requests(socket);
    }
    std::lock_guard<std::mutex> lock(mutex);
    open_sockets.erase(fd);
}

template <typename Stream>
void TestDashboard::State::serve_requests(Stream& stream) {
    beast::flat_buffer buffer;
    for (;;) {
        http::request_parser<http::string_body> parser;
        parser.body_limit(256u << 20);
        beast::error_code error;
        http::read(stream, buffer, parser, error);
        if (error) return;
        ReceivedRequest received = record(parser.get());
        {
            std::lock_guard<std::mutex> lock(mutex);
            requests.push_back(received);
        }
        changed.notify_all();
        answer(stream, received);
        if (!parser.get().keep_alive()) return;
    }
}

template <typename Stream>
void TestDashboard::State::answer(Stream& stream, const ReceivedRequest& request) {
    ServerMode now;
    std::string config;
    {
        std::lock_guard<std::mutex> lock(mutex);
        now = mode;
        config = config_answer;
    }
    beast::error_code error;
    if (now == ServerMode::stall) {
        std::unique_lock<std::mutex> lock(mutex);
        changed.wait(lock, [this] { return stopping; });
        return;
    }
    if (now == ServerMode::garbage) {
        asio::write(stream, asio::buffer(std::string("\x16\x03garbage\r\n\r\n{not http at all")), error);
        return;
    }
    http::response<http::string_body> response;
    response.version(11);
    response.result(http::status::ok);
    response.set(http::field::content_type, "application/json");
    response.body() = request.target.ends_with("/config") ? config : "{}";
    if (now == ServerMode::error500) {
        response.result(http::status::internal_server_error);
        response.body() = "oops";
    } else if (now == ServerMode::redirect) {
        response.result(http::status::found);
        response.set(http::field::location, "http://127.0.0.1:1/elsewhere");
    } else if (now == ServerMode::huge) {
        response.body() = std::string(50u << 20, 'x');
    }
    response.prepare_payload();
    http::write(stream, response, error);
}

TestDashboard::TestDashboard(const TestCertificate* tls) : state_(std::make_shared<State>()) {
    if (tls != nullptr) {
        state_->tls = std::make_unique<asio::ssl::context>(asio::ssl::context::tls_server);
        state_->tls->use_certificate_chain(asio::buffer(tls->certificate_pem));
        state_->tls->use_private_key(asio::buffer(tls->key_pem), asio::ssl::context::pem);
    }
    state_->listen();
    port_ = state_->port;
    state_->accept_thread = std::thread([state = state_.get()] { state->accept_loop(); });
}

TestDashboard::~TestDashboard() {
    {
        std::lock_guard<std::mutex> lock(state_->mutex);
        state_->stopping = true;
        for (int fd : state_->open_sockets) ::shutdown(fd, SHUT_RDWR);
    }
    state_->changed.notify_all();
    state_->accept_thread.join();
    // No new connection threads after the accept thread ended.
    for (std::thread& thread : state_->connection_threads) thread.join();
}

std::string TestDashboard::address(const std::string& host) const {
    return std::string(state_->tls ? "https://" : "http://") + host + ":" + std::to_string(port_);
}

void TestDashboard::set_mode(ServerMode mode) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->mode = mode;
}

void TestDashboard::set_config_answer(const std::string& json) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    state_->config_answer = json;
}

void TestDashboard::set_down(bool down) {
    std::lock_guard<std::mutex> lock(state_->mutex);
    if (down == state_->down) return;
    state_->down = down;
    if (down) state_->acceptor.close();
    else state_->listen();
}

std::vector<ReceivedRequest> TestDashboard::requests() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->requests;
}

size_t TestDashboard::count(const std::string& target) const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    size_t matching = 0;
    for (const ReceivedRequest& request : state_->requests) matching += request.target == target;
    return matching;
}

size_t TestDashboard::connections() const {
    std::lock_guard<std::mutex> lock(state_->mutex);
    return state_->connections;
}

bool TestDashboard::wait_until(const std::function<bool(const std::vector<ReceivedRequest>&)>& ready,
                               std::chrono::milliseconds timeout) const {
    std::unique_lock<std::mutex> lock(state_->mutex);
    return state_->changed.wait_for(lock, timeout, [&] { return ready(state_->requests); });
}

}  // namespace siagent::testing
