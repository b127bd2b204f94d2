// How many connections the server holds at once, in all and per client address. A client
// past either bound is closed at accept: idle sockets cannot take every descriptor, and one
// address cannot take every slot. Thread-safe (sessions end on any I/O thread).
#pragma once

#include <cstddef>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace siagent::dashboard {

class ConnectionLimits {
public:
    ConnectionLimits(size_t total, size_t per_address) : total_limit_(total), per_address_limit_(per_address) {}

    // A held connection slot; released when the last copy goes (the session ends).
    using Slot = std::shared_ptr<void>;

    // A slot for a connection from `address`, or nullptr past a bound.
    Slot acquire(const std::string& address);

private:
    void release(const std::string& address);

    const size_t total_limit_;
    const size_t per_address_limit_;
    std::mutex mutex_;
    size_t total_ = 0;
    std::unordered_map<std::string, size_t> per_address_;
};

// The total bound for this process: its descriptor limit less a reserve for the database,
// logs and webhook deliveries (at least 16).
size_t connection_limit_for_descriptors();

}  // namespace siagent::dashboard
