#include "core/ring_buffer.h"

#include <catch2/catch.hpp>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <thread>
#include <vector>

using siagent::RingBuffer;

namespace {

struct Record {
    uint32_t producer;
    uint32_t sequence;
    uint64_t payload[6];
};

bool push(RingBuffer<Record>& ring, uint32_t producer, uint32_t sequence) {
    uint64_t ticket;
    Record* record = ring.claim(ticket);
    if (record == nullptr) return false;
    record->producer = producer;
    record->sequence = sequence;
    for (uint64_t& word : record->payload) word = uint64_t{producer} << 32 | sequence;
    ring.publish(ticket);
    return true;
}

}  // namespace

TEST_CASE("ring capacity rounds up to a power of two") {
    RingBuffer<Record> ring(100);
    REQUIRE(ring.valid());
    CHECK(ring.capacity() == 128);
}

TEST_CASE("records come out in order, and a full ring drops and counts") {
    RingBuffer<Record> ring(8);
    for (uint32_t i = 0; i < 8; ++i) REQUIRE(push(ring, 0, i));
    CHECK_FALSE(push(ring, 0, 8));
    CHECK_FALSE(push(ring, 0, 9));
    CHECK(ring.dropped() == 2);

    std::vector<uint32_t> seen;
    CHECK(ring.drain([&](const Record& r) { seen.push_back(r.sequence); }) == 8);
    CHECK(seen == std::vector<uint32_t>{0, 1, 2, 3, 4, 5, 6, 7});
    // Slots are reusable after the drain, many laps over.
    for (uint32_t lap = 0; lap < 100; ++lap) {
        REQUIRE(push(ring, 1, lap));
        REQUIRE(ring.drain([&](const Record& r) { CHECK(r.sequence == lap); }) == 1);
    }
}

TEST_CASE("an unpublished slot holds back later records until it is published") {
    // What happens when a signal handler interrupts a producer between claim and publish.
    RingBuffer<Record> ring(8);
    uint64_t outer_ticket = 0, inner_ticket = 0;
    Record* outer = ring.claim(outer_ticket);
    Record* inner = ring.claim(inner_ticket);
    REQUIRE(outer != nullptr);
    REQUIRE(inner != nullptr);
    inner->sequence = 2;
    ring.publish(inner_ticket);
    CHECK(ring.drain([](const Record&) {}) == 0);
    outer->sequence = 1;
    ring.publish(outer_ticket);
    std::vector<uint32_t> seen;
    CHECK(ring.drain([&](const Record& r) { seen.push_back(r.sequence); }) == 2);
    CHECK(seen == std::vector<uint32_t>{1, 2});
}

TEST_CASE("drain honours its limit") {
    RingBuffer<Record> ring(16);
    for (uint32_t i = 0; i < 10; ++i) push(ring, 0, i);
    CHECK(ring.drain([](const Record&) {}, 4) == 4);
    CHECK(ring.drain([](const Record&) {}) == 6);
}

TEST_CASE("concurrent producers and one consumer lose nothing they did not count") {
    constexpr uint32_t kProducers = 4;
    constexpr uint32_t kPerProducer = 200'000;
    RingBuffer<Record> ring(1024);
    std::atomic<uint32_t> finished{0};
    std::vector<uint64_t> accepted(kProducers, 0);

    std::vector<std::thread> producers;
    for (uint32_t p = 0; p < kProducers; ++p) {
        producers.emplace_back([&, p] {
            for (uint32_t i = 0; i < kPerProducer; ++i) accepted[p] += push(ring, p, i);
            finished.fetch_add(1);
        });
    }

    std::vector<int64_t> last_sequence(kProducers, -1);
    std::vector<uint64_t> received(kProducers, 0);
    bool torn = false, reordered = false;
    auto check = [&](const Record& r) {
        for (uint64_t word : r.payload) torn = torn || word != (uint64_t{r.producer} << 32 | r.sequence);
        reordered = reordered || static_cast<int64_t>(r.sequence) <= last_sequence[r.producer];
        last_sequence[r.producer] = r.sequence;
        ++received[r.producer];
    };
    while (finished.load() < kProducers) ring.drain(check);
    for (auto& producer : producers) producer.join();
    ring.drain(check);

    CHECK_FALSE(torn);
    CHECK_FALSE(reordered);
    uint64_t total_accepted = 0;
    for (uint32_t p = 0; p < kProducers; ++p) {
        CHECK(received[p] == accepted[p]);
        total_accepted += accepted[p];
    }
    CHECK(total_accepted + ring.dropped() == uint64_t{kProducers} * kPerProducer);
}

// Runs `check` in a fork child and returns its verdict (the child's exit status 0).
template <typename Check>
bool holds_in_fork_child(Check check) {
    pid_t child = fork();
    if (child == 0) _exit(check() ? 0 : 1);
    int status = -1;
    if (child < 0 || waitpid(child, &status, 0) != child) return false;
    return WIFEXITED(status) && WEXITSTATUS(status) == 0;
}

TEST_CASE("in a fork child, reset empties the ring, and the parent keeps its records") {
    RingBuffer<Record> ring(8);
    for (uint32_t i = 0; i < 5; ++i) push(ring, 0, i);
    CHECK(holds_in_fork_child([&] {
        ring.reset();
        if (ring.drain([](const Record&) {}) != 0 || !push(ring, 1, 1)) return false;
        uint32_t producer = 0;
        return ring.drain([&](const Record& record) { producer = record.producer; }) == 1 &&
               producer == 1;
    }));
    std::vector<uint32_t> kept;
    ring.drain([&](const Record& record) { kept.push_back(record.sequence); });
    CHECK(kept == std::vector<uint32_t>{0, 1, 2, 3, 4});
}

TEST_CASE("a ring costs memory only for the slots it has filled, and a fork child gets none") {
    RingBuffer<Record> ring(1 << 14);  // 1 MiB of slots
    // Only the first slots are made resident, ahead of the producers (128 of 64 bytes).
    CHECK(ring.resident_bytes() <= 16 * 1024);
    // Two laps over the first few slots, with a fork and reset in between and an
    // unpublished claim (a producer that died in the fork) that the reset must clear.
    for (uint32_t i = 0; i < 100; ++i) CHECK(push(ring, 0, i));
    uint64_t abandoned;
    CHECK(ring.claim(abandoned) != nullptr);
    CHECK(ring.resident_bytes() > 0);
    CHECK(ring.resident_bytes() < 64 * 1024);
    CHECK(holds_in_fork_child([&] {
        // Wiped on fork: none of the parent's pages is shared, copy-on-write, with it.
        if (ring.resident_bytes() != 0) return false;
        ring.reset();
        for (uint32_t i = 0; i < 3 * (1u << 14); ++i) {
            if (!push(ring, 1, i)) return false;
            std::vector<uint32_t> seen;
            ring.drain([&](const Record& record) { seen.push_back(record.sequence); });
            if (seen.size() != 1 || seen[0] != i) return false;
        }
        return true;
    }));
}
