// A few threads for the UI's slow requests, so that they never run on the I/O threads that
// agents' uploads need: password hashing (PBKDF2, ~0.1 s a login) and queries that merge many
// reports. Bounded: at most max_jobs queued or running; past that try_post refuses (the
// caller answers 503 with Retry-After) instead of queueing without end. Thread-safe.
#pragma once

#include <atomic>
#include <cstddef>
#include <functional>

#include <boost/asio/thread_pool.hpp>

namespace siagent::dashboard {

class WorkerPool {
public:
    WorkerPool(size_t threads, size_t max_jobs);
    ~WorkerPool();  // waits for the jobs under way
    WorkerPool(const WorkerPool&) = delete;
    WorkerPool& operator=(const WorkerPool&) = delete;

    // Runs `job` on a pool thread; false (and `job` dropped) when max_jobs are in the pool.
    bool try_post(std::function<void()> job);
    size_t jobs() const { return jobs_.load(std::memory_order_relaxed); }

private:
    boost::asio::thread_pool pool_;
    const size_t max_jobs_;
    std::atomic<size_t> jobs_{0};
};

}  // namespace siagent::dashboard
