#include "dashboard/server/http/worker_pool.h"

#include <boost/asio/post.hpp>

namespace siagent::dashboard {

WorkerPool::WorkerPool(size_t threads, size_t max_jobs) : pool_(threads), max_jobs_(max_jobs) {}

WorkerPool::~WorkerPool() { pool_.join(); }

bool WorkerPool::try_post(std::function<void()> job) {
    size_t jobs = jobs_.load(std::memory_order_relaxed);
    do {
        if (jobs >= max_jobs_) return false;
    } while (!jobs_.compare_exchange_weak(jobs, jobs + 1, std::memory_order_relaxed));
    boost::asio::post(pool_, [this, job = std::move(job)] {
        job();
        jobs_.fetch_sub(1, std::memory_order_relaxed);
    });
    return true;
}

}  // namespace siagent::dashboard
