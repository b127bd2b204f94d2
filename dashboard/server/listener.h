// Accepts connections on one address and starts a session for each: plain HTTP, or HTTPS
// when a TLS context is given.
#pragma once

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl/context.hpp>

#include <memory>

#include "dashboard/server/api/server_context.h"

#include <boost/asio/steady_timer.hpp>

#include "dashboard/server/http/connection_limits.h"

namespace siagent::dashboard {

class Listener : public std::enable_shared_from_this<Listener> {
public:
    // Binds and listens; throws boost::system::system_error when the address is taken.
    Listener(boost::asio::io_context& io, const boost::asio::ip::tcp::endpoint& endpoint, ServerContext& context,
             boost::asio::ssl::context* tls);
    void run() { do_accept(); }
    boost::asio::ip::tcp::endpoint local_endpoint() const { return acceptor_.local_endpoint(); }

private:
    void do_accept();
    void on_accept(boost::system::error_code error, boost::asio::ip::tcp::socket socket);
    // Out of descriptors (EMFILE, ENFILE): accept again later instead of spinning.
    void accept_later();

    boost::asio::io_context& io_;
    boost::asio::ip::tcp::acceptor acceptor_;
    ServerContext& context_;
    boost::asio::ssl::context* tls_;
    boost::asio::steady_timer retry_timer_;
    ConnectionLimits limits_;
};

}  // namespace siagent::dashboard
