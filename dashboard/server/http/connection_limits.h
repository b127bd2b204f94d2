// How many connections the server holds at once, in all and per client address. Past either
// bound the oldest idle connection (a kept-alive one waiting for its next request) within
// that bound is shed to make room; when none is idle, the new client is closed at accept.
// Idle sockets therefore cannot take every descriptor, and one address cannot take every
// slot. Thread-safe (sessions start and end on any I/O thread).
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <unordered_map>

namespace siagent::dashboard {

class ConnectionLimits;

// One held connection; released when the session that holds it ends.
class ConnectionSlot {
public:
    ConnectionSlot(ConnectionLimits& limits, std::string address, uint64_t id)
        : limits_(limits), address_(std::move(address)), id_(id) {}
    ~ConnectionSlot();
    ConnectionSlot(const ConnectionSlot&) = delete;
    ConnectionSlot& operator=(const ConnectionSlot&) = delete;

    // The session waits for a request: it may be shed, by calling `shed` (any thread; it
    // must only post the close to the session's own executor).
    void idle(std::function<void()> shed);
    // A request is being read or answered: not to be shed.
    void busy();

private:
    ConnectionLimits& limits_;
    const std::string address_;
    const uint64_t id_;
};

class ConnectionLimits {
public:
    ConnectionLimits(size_t total, size_t per_address) : total_limit_(total), per_address_limit_(per_address) {}

    using Slot = std::shared_ptr<ConnectionSlot>;

    // A slot for a connection from `address` (shedding an idle one past a bound), or nullptr.
    Slot acquire(const std::string& address);
    size_t held() const;

private:
    friend class ConnectionSlot;
    struct Held {
        std::string address;
        bool counted = true;  // false once shed: its slot is already given back
        uint64_t idle_since = 0;  // 0: busy; else the order in which it went idle
        std::function<void()> shed;
    };
    void release(uint64_t id);
    void set_idle(uint64_t id, std::function<void()> shed);
    void set_busy(uint64_t id);
    // Under the lock: un-counts the longest idle connection (of `address`, or of anyone when
    // empty) and returns how to shed it; empty when none is idle.
    std::function<void()> take_oldest_idle(const std::string& address);

    const size_t total_limit_;
    const size_t per_address_limit_;
    mutable std::mutex mutex_;
    size_t total_ = 0;
    uint64_t next_id_ = 1;
    uint64_t idle_order_ = 0;
    std::unordered_map<std::string, size_t> per_address_;
    std::map<uint64_t, Held> held_;
};

// The total bound for this process: its descriptor limit less a reserve for the database,
// logs and webhook deliveries (at least 16).
size_t connection_limit_for_descriptors();

}  // namespace siagent::dashboard
