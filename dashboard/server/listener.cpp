#include "dashboard/server/listener.h"

#include <boost/asio/strand.hpp>
#include <boost/beast/ssl.hpp>

#include "dashboard/server/http_session.h"

namespace siagent::dashboard {
namespace {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

constexpr size_t kDrainBytes = 16 * 1024 * 1024;

// How the connection limits shed an idle session: the close is posted to its own executor
// (the limits call this from the accepting strand); a session already gone is left alone.
template <class Session>
std::function<void()> shed_handler(std::weak_ptr<Session> weak) {
    return [weak] {
        if (auto session = weak.lock()) {
            auto executor = beast::get_lowest_layer(session->stream()).get_executor();
            asio::post(executor, [session] { session->shed(); });
        }
    };
}

class PlainSession : public HttpSession<PlainSession>, public std::enable_shared_from_this<PlainSession> {
public:
    PlainSession(tcp::socket&& socket, ServerContext& context, std::string address, ConnectionLimits::Slot slot)
        : HttpSession(context, std::move(address)), stream_(std::move(socket)), slot_(std::move(slot)) {}

    void run() {
        asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&PlainSession::do_read, shared_from_this()));
    }
    beast::tcp_stream& stream() { return stream_; }

    void do_close() {
        beast::error_code ignored;
        stream_.socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
    void on_idle() { slot_->idle(shed_handler(weak_from_this())); }
    void on_busy() { slot_->busy(); }
    // Shed while idle: the pending read ends (operation aborted) and the session with it.
    void shed() {
        beast::error_code ignored;
        stream_.socket().close(ignored);
    }

    // Reads and drops what the client still sends, up to a bound and for a few seconds.
    void do_drain() {
        do_close();
        stream_.expires_after(std::chrono::seconds(2));
        read_drain();
    }

private:
    void read_drain() {
        stream_.async_read_some(asio::buffer(scratch_), beast::bind_front_handler(&PlainSession::on_drain, shared_from_this()));
    }
    void on_drain(beast::error_code error, std::size_t bytes) {
        drained_ += bytes;
        if (!error && drained_ < kDrainBytes) read_drain();
    }

    beast::tcp_stream stream_;
    ConnectionLimits::Slot slot_;  // held while the session lives
    char scratch_[16 * 1024];
    size_t drained_ = 0;
};

class TlsSession : public HttpSession<TlsSession>, public std::enable_shared_from_this<TlsSession> {
public:
    TlsSession(tcp::socket&& socket, asio::ssl::context& tls, ServerContext& context, std::string address,
               ConnectionLimits::Slot slot)
        : HttpSession(context, std::move(address)), stream_(std::move(socket), tls), slot_(std::move(slot)) {}

    void run() {
        asio::dispatch(stream_.get_executor(), beast::bind_front_handler(&TlsSession::on_run, shared_from_this()));
    }
    beast::ssl_stream<beast::tcp_stream>& stream() { return stream_; }

    void do_close() {
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(5));
        stream_.async_shutdown(beast::bind_front_handler(&TlsSession::on_shutdown, shared_from_this()));
    }
    void do_drain() { do_close(); }
    void on_idle() { slot_->idle(shed_handler(weak_from_this())); }
    void on_busy() { slot_->busy(); }
    void shed() {
        beast::error_code ignored;
        beast::get_lowest_layer(stream_).socket().close(ignored);
    }

private:
    void on_run() {
        beast::get_lowest_layer(stream_).expires_after(std::chrono::seconds(context_.settings.limits.read_timeout_seconds));
        stream_.async_handshake(asio::ssl::stream_base::server,
                                beast::bind_front_handler(&TlsSession::on_handshake, shared_from_this()));
    }
    void on_handshake(beast::error_code error) {
        if (!error) do_read();
    }
    void on_shutdown(beast::error_code) {}

    beast::ssl_stream<beast::tcp_stream> stream_;
    ConnectionLimits::Slot slot_;  // held while the session lives
};

}  // namespace

Listener::Listener(asio::io_context& io, const tcp::endpoint& endpoint, ServerContext& context, asio::ssl::context* tls)
    : io_(io),
      acceptor_(asio::make_strand(io)),
      context_(context),
      tls_(tls),
      retry_timer_(acceptor_.get_executor()),
      limits_(std::min(connection_limit_for_descriptors(), context.settings.limits.connections),
              context.settings.limits.connections_per_address) {
    acceptor_.open(endpoint.protocol());
    acceptor_.set_option(asio::socket_base::reuse_address(true));
    acceptor_.bind(endpoint);
    acceptor_.listen(asio::socket_base::max_listen_connections);
}

void Listener::do_accept() {
    acceptor_.async_accept(asio::make_strand(io_), beast::bind_front_handler(&Listener::on_accept, shared_from_this()));
}

void Listener::on_accept(boost::system::error_code error, tcp::socket socket) {
    if (error == asio::error::operation_aborted) return;
    if (error == asio::error::no_descriptors || error.value() == ENFILE) return accept_later();
    if (!error) {
        boost::system::error_code ignored;
        const std::string address = socket.remote_endpoint(ignored).address().to_string();
        ConnectionLimits::Slot slot = limits_.acquire(address);
        if (!slot) {
            socket.close(ignored);  // past a bound: closed at once, nothing read
        } else if (tls_) {
            std::make_shared<TlsSession>(std::move(socket), *tls_, context_, address, std::move(slot))->run();
        } else {
            std::make_shared<PlainSession>(std::move(socket), context_, address, std::move(slot))->run();
        }
    }
    do_accept();
}

void Listener::accept_later() {
    retry_timer_.expires_after(std::chrono::milliseconds(100));
    retry_timer_.async_wait([self = shared_from_this()](boost::system::error_code error) {
        if (!error) self->do_accept();
    });
}

}  // namespace siagent::dashboard
