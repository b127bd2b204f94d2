#include "transport/message_queue.h"

#include <catch2/catch.hpp>

#include <set>

#include "transport/backoff.h"

using namespace siagent;
using namespace std::chrono_literals;

namespace {

std::string message(int number, size_t size = 100) {
    std::string text = std::to_string(number);
    text.resize(size, '.');
    return text;
}

int number_of(const std::string* message) { return std::stoi(*message); }

}  // namespace

TEST_CASE("a batch stays queued until it is confirmed") {
    FakeClock clock;
    MessageQueue queue(clock, 600s, 1 << 20);
    for (int i = 1; i <= 3; ++i) queue.push(message(i));
    std::vector<const std::string*> batch;
    uint64_t id = queue.take_batch(1 << 20, batch);
    REQUIRE(batch.size() == 3);
    queue.push(message(4));  // arrives while the upload is under way
    CHECK(queue.size() == 4);
    queue.confirm(id);
    CHECK(queue.size() == 1);
    CHECK(queue.stats().sent == 3);
    CHECK(queue.take_batch(1 << 20, batch) != 0);
    CHECK(number_of(batch[0]) == 4);
}

TEST_CASE("a failed upload loses nothing: the same messages come again") {
    FakeClock clock;
    MessageQueue queue(clock, 600s, 1 << 20);
    for (int i = 1; i <= 3; ++i) queue.push(message(i));
    std::vector<const std::string*> batch;
    queue.take_batch(1 << 20, batch);
    // Failure: nothing is confirmed.
    queue.take_batch(1 << 20, batch);
    REQUIRE(batch.size() == 3);
    CHECK(number_of(batch[0]) == 1);
    CHECK(queue.stats().sent == 0);
}

TEST_CASE("batches are bounded in bytes but always carry at least one message") {
    FakeClock clock;
    MessageQueue queue(clock, 600s, 1 << 20);
    for (int i = 1; i <= 10; ++i) queue.push(message(i, 1000));
    std::vector<const std::string*> batch;
    queue.take_batch(3500, batch);
    CHECK(batch.size() == 3);
    queue.take_batch(10, batch);
    CHECK(batch.size() == 1);
}

TEST_CASE("the byte bound drops the oldest first and counts them") {
    FakeClock clock;
    MessageQueue queue(clock, 600s, 64 * 1024);
    for (int i = 1; i <= 100; ++i) queue.push(message(i, 1000));
    CHECK(queue.bytes() <= 64 * 1024);
    CHECK(queue.stats().dropped_overflow == 100 - queue.size());
    std::vector<const std::string*> batch;
    queue.take_batch(1 << 20, batch);
    CHECK(number_of(batch.back()) == 100);  // the newest are kept
    CHECK(number_of(batch.front()) == static_cast<int>(100 - queue.size() + 1));
    // A message larger than the whole bound can never be sent: dropped at once.
    queue.push(message(101, 100 * 1024));
    CHECK(number_of(queue.take_batch(1 << 20, batch) ? batch.back() : nullptr) == 100);
}

TEST_CASE("messages older than the TTL are dropped and counted") {
    FakeClock clock;
    MessageQueue queue(clock, 600s, 1 << 20);
    queue.push(message(1));
    clock.advance(300s);
    queue.push(message(2));
    clock.advance(301s);  // message 1 is 601 s old
    std::vector<const std::string*> batch;
    queue.take_batch(1 << 20, batch);
    REQUIRE(batch.size() == 1);
    CHECK(number_of(batch[0]) == 2);
    CHECK(queue.stats().dropped_expired == 1);
}

TEST_CASE("confirming a batch whose oldest messages expired meanwhile removes only the rest") {
    FakeClock clock;
    MessageQueue queue(clock, 10s, 1 << 20);
    queue.push(message(1));
    clock.advance(5s);
    queue.push(message(2));
    std::vector<const std::string*> batch;
    uint64_t id = queue.take_batch(1 << 20, batch);
    clock.advance(6s);
    queue.push(message(3));  // expires message 1 while the batch is out
    queue.confirm(id);
    CHECK(queue.size() == 1);
    CHECK(queue.stats().sent == 1);
    CHECK(queue.stats().dropped_expired == 1);
}

TEST_CASE("backoff: 10 s doubling to 60 s, with jitter, reset by a success") {
    Backoff backoff(10s, 60s, 12345);
    CHECK(backoff.nominal(1) == 10s);
    CHECK(backoff.nominal(2) == 20s);
    CHECK(backoff.nominal(3) == 40s);
    CHECK(backoff.nominal(4) == 60s);
    CHECK(backoff.nominal(20) == 60s);
    std::set<int64_t> seen;
    for (int failure = 1; failure <= 8; ++failure) {
        auto delay = backoff.next_delay();
        auto nominal = backoff.nominal(failure);
        INFO("failure " << failure << ": " << delay.count() << " ms");
        CHECK(delay >= nominal * 8 / 10);
        CHECK(delay <= nominal * 12 / 10);
        seen.insert(delay.count());
    }
    CHECK(seen.size() == 8);  // jittered, not fixed
    backoff.reset();
    CHECK(backoff.next_delay() <= 12s);
}

namespace {

struct OutageResult {
    int reports = 0;
    size_t attempts = 0;
};

// Twenty minutes on `clock`: a report of `report_bytes` every 60 s, an upload attempt
// whenever the backoff allows (as the sink does), every attempt failing.
OutageResult simulate_outage(FakeClock& clock, MessageQueue& queue, size_t report_bytes, size_t bound) {
    Backoff backoff(10s, 60s, 7);
    auto next_attempt = clock.now() + 5s;
    OutageResult result;
    for (auto elapsed = 0s; elapsed < 1200s; elapsed += 1s) {
        clock.advance(1s);
        if (elapsed.count() % 60 == 0) queue.push(message(++result.reports, report_bytes));
        CHECK(queue.bytes() <= bound);
        if (clock.now() >= next_attempt) {
            std::vector<const std::string*> batch;
            queue.take_batch(1 << 20, batch);
            ++result.attempts;
            next_attempt = clock.now() + backoff.next_delay();  // the upload failed
        }
    }
    return result;
}

}  // namespace

TEST_CASE("a 20-minute outage within the byte bound keeps the last 10 minutes (the TTL)") {
    FakeClock clock;
    MessageQueue queue(clock, 600s, 8u << 20);
    OutageResult outage = simulate_outage(clock, queue, 40 * 1024, 8u << 20);
    CHECK(outage.reports == 20);
    queue.expire();  // as the next attempt would, at minute 20
    CHECK(queue.size() == 10);
    CHECK(queue.stats().dropped_expired == 10);
    CHECK(queue.stats().dropped_overflow == 0);
}

TEST_CASE("a 20-minute outage keeps the queue within its bounds and sends what is left") {
    FakeClock clock;
    const size_t bound = 256 * 1024;
    MessageQueue queue(clock, 600s, bound);
    OutageResult outage = simulate_outage(clock, queue, 40 * 1024, bound);
    int reports = outage.reports;
    size_t attempts = outage.attempts;
    // 20 reports made; the last 6 fit the byte bound (the TTL alone would keep 10).
    CHECK(reports == 20);
    CHECK(attempts >= 20);  // the backoff caps at ~60 s: the agent keeps trying
    CHECK(attempts <= 30);
    const QueueStats& stats = queue.stats();
    CHECK(stats.dropped_expired + stats.dropped_overflow + queue.size() == 20);
    CHECK(stats.dropped_overflow > 0);
    // The dashboard is back: everything still queued goes, newest included, in order.
    std::vector<const std::string*> batch;
    uint64_t id = queue.take_batch(1 << 20, batch);
    REQUIRE(!batch.empty());
    CHECK(number_of(batch.back()) == 20);
    for (size_t i = 1; i < batch.size(); ++i) CHECK(number_of(batch[i]) == number_of(batch[i - 1]) + 1);
    queue.confirm(id);
    CHECK(queue.empty());
    CHECK(stats.sent == batch.size());
}

TEST_CASE("clearing (agent disabled) counts what was discarded") {
    FakeClock clock;
    MessageQueue queue(clock, 600s, 1 << 20);
    queue.push(message(1));
    queue.push(message(2));
    queue.clear();
    CHECK(queue.empty());
    CHECK(queue.bytes() == 0);
    CHECK(queue.stats().dropped_disabled == 2);
}
