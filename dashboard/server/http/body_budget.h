// The process-wide budget of request body bytes in flight (dashboard/server/api/admission.h).
#pragma once

#include <atomic>
#include <cstddef>

namespace siagent::dashboard {

// The bytes that bodies being read (or handled) may hold at once. Any thread.
class BodyBudget {
public:
    explicit BodyBudget(size_t limit) : limit_(limit) {}
    bool reserve(size_t bytes);
    void release(size_t bytes) { held_.fetch_sub(bytes, std::memory_order_relaxed); }
    size_t held() const { return held_.load(std::memory_order_relaxed); }

private:
    const size_t limit_;
    std::atomic<size_t> held_{0};
};

// Holds a reservation until destroyed (a session's request handled, or its connection gone).
class BodyReservation {
public:
    BodyReservation(BodyBudget& budget, size_t bytes) : budget_(&budget), bytes_(bytes) {}
    BodyReservation(BodyReservation&& other) noexcept : budget_(other.budget_), bytes_(other.bytes_) {
        other.budget_ = nullptr;
    }
    BodyReservation(const BodyReservation&) = delete;
    BodyReservation& operator=(const BodyReservation&) = delete;
    BodyReservation& operator=(BodyReservation&&) = delete;
    ~BodyReservation() {
        if (budget_ != nullptr) budget_->release(bytes_);
    }

private:
    BodyBudget* budget_;
    size_t bytes_;
};

}  // namespace siagent::dashboard
