#include "core/span_table.h"

#include <algorithm>
#include <map>

#include "core/span_histogram.h"
#include "core/span_report.h"
#include "core/tick_clock.h"

namespace siagent {

thread_local constinit ThreadSpans thread_spans __attribute__((tls_model("initial-exec")));

namespace {

// A name slot: claimed by one thread (empty -> writing), filled, then published (ready).
// A thread that finds a slot being written skips it, so two threads interning the same
// new name at once may make two entries; the report merges entries by name.
enum : uint32_t { kEmpty = 0, kWriting = 1, kReady = 2 };

struct NameSlot {
    std::atomic<uint32_t> state{kEmpty};
    uint32_t hash = 0;  // written before state becomes ready (release), read after (acquire)
    char name[kMaxSpanNameBytes] = {};
};

struct alignas(64) NameStats {
    std::atomic<uint64_t> count{0};
    std::atomic<uint64_t> total_ticks{0};
    std::atomic<uint64_t> max_ticks{0};
    std::atomic<uint64_t> abandoned{0};
    SpanHistogram latency;
};

constinit NameSlot name_slots[kMaxSpanNames];
// Indexed by id: 0 unused, 1..kMaxSpanNames the slots, kOtherSpan the rest.
constinit NameStats name_stats[kOtherSpan + 1];
constinit std::atomic<uint32_t> names_interned{0};  // slots of name_slots ever taken
constinit std::atomic<uint64_t> too_deep{0};
constinit std::atomic<uint64_t> unmatched_ends{0};

// FNV-1a over at most kMaxSpanNameBytes - 1 bytes (the stored length). Never 0.
uint32_t hash_name(const char* name, int& length) {
    uint32_t hash = 2166136261u;
    int i = 0;
    for (; i < kMaxSpanNameBytes - 1 && name[i] != 0; ++i)
        hash = (hash ^ static_cast<unsigned char>(name[i])) * 16777619u;
    length = i;
    return hash | 1;
}

bool same_name(const NameSlot& slot, const char* name, int length) {
    for (int i = 0; i < length; ++i)
        if (slot.name[i] != name[i]) return false;
    return slot.name[length] == 0;
}

// Per thread, the ids of the last names seen, by address: a name passed again at the same
// address is checked against the interned copy (a byte compare, cheaper than hashing it),
// so a buffer reused for another name still finds its own id.
struct CachedName {
    const char* address = nullptr;
    uint16_t id = 0;
};
constexpr int kCachedNames = 16;
thread_local constinit CachedName name_cache[kCachedNames] __attribute__((tls_model("initial-exec")));

bool still_names(uint16_t id, const char* name) {
    const char* stored = name_slots[id - 1].name;
    int i = 0;
    for (; stored[i] != 0; ++i)
        if (stored[i] != name[i]) return false;
    return name[i] == 0 || i == kMaxSpanNameBytes - 1;  // equal, or cut at the limit
}

uint16_t cached_span_id(const char* name) {
    CachedName& entry = name_cache[(reinterpret_cast<uintptr_t>(name) >> 3) % kCachedNames];
    if (entry.address == name && name != nullptr && still_names(entry.id, name)) return entry.id;
    uint16_t id = intern_span_name(name);
    if (id != kOtherSpan && name != nullptr) entry = {name, id};
    return id;
}

void record_closed(const OpenSpan& span, uint64_t now) {
    uint64_t duration = now > span.start_ticks ? now - span.start_ticks : 0;
    NameStats& stats = name_stats[span.id];
    stats.count.fetch_add(1, std::memory_order_relaxed);
    stats.total_ticks.fetch_add(duration, std::memory_order_relaxed);
    uint64_t seen = stats.max_ticks.load(std::memory_order_relaxed);
    while (duration > seen &&
           !stats.max_ticks.compare_exchange_weak(seen, duration, std::memory_order_relaxed)) {
    }
    stats.latency.record(duration);
}

// Pops the top span of `spans` (its entry stays intact until depth is lowered).
void pop(ThreadSpans& spans) {
    const OpenSpan& top = spans.open[spans.depth - 1];
    if (top.profiled && --spans.profiled_depth == 0) stop_focused_sampling(spans);
    std::atomic_signal_fence(std::memory_order_release);
    --spans.depth;
}

}  // namespace

uint16_t intern_span_name(const char* name) {
    if (name == nullptr) name = "";
    int length;
    uint32_t hash = hash_name(name, length);
    for (int probe = 0; probe < kMaxSpanNames; ++probe) {
        int index = static_cast<int>((hash + static_cast<uint32_t>(probe)) % kMaxSpanNames);
        NameSlot& slot = name_slots[index];
        uint32_t state = slot.state.load(std::memory_order_acquire);
        if (state == kEmpty) {
            uint32_t expected = kEmpty;
            if (slot.state.compare_exchange_strong(expected, kWriting, std::memory_order_acquire)) {
                names_interned.fetch_add(1, std::memory_order_relaxed);
                for (int i = 0; i < length; ++i) slot.name[i] = name[i];
                slot.name[length] = 0;
                slot.hash = hash;
                slot.state.store(kReady, std::memory_order_release);
                return static_cast<uint16_t>(index + 1);
            }
            state = expected;
        }
        if (state == kReady && slot.hash == hash && same_name(slot, name, length))
            return static_cast<uint16_t>(index + 1);
    }
    return kOtherSpan;
}

uint64_t begin_span(const char* name, bool profiled) {
    ThreadSpans& spans = thread_spans;
    if (spans.depth >= kMaxSpanDepth) {
        too_deep.fetch_add(1, std::memory_order_relaxed);
        return 0;
    }
    OpenSpan& span = spans.open[spans.depth];
    span.id = cached_span_id(name);
    span.sequence = ++spans.sequence;
    span.profiled = profiled ? 1 : 0;
    span.start_ticks = ticks_now();
    std::atomic_signal_fence(std::memory_order_release);
    ++spans.depth;
    if (profiled && spans.profiled_depth++ == 0) start_focused_sampling(spans);
    // Level (1-based) in the low 16 bits, the sequence above: never 0.
    return (static_cast<uint64_t>(span.sequence) << 16) | spans.depth;
}

void end_span(uint64_t handle) {
    if (handle == 0) return;
    ThreadSpans& spans = thread_spans;
    uint32_t level = static_cast<uint32_t>(handle & 0xffff);
    uint32_t sequence = static_cast<uint32_t>(handle >> 16);
    if (level == 0 || level > spans.depth || spans.open[level - 1].sequence != sequence) {
        unmatched_ends.fetch_add(1, std::memory_order_relaxed);
        return;
    }
    uint64_t now = ticks_now();
    while (spans.depth > level) {  // opened inside this one and never closed
        name_stats[spans.open[spans.depth - 1].id].abandoned.fetch_add(1, std::memory_order_relaxed);
        pop(spans);
    }
    record_closed(spans.open[level - 1], now);
    pop(spans);
}

void abandon_thread_spans() {
    ThreadSpans& spans = thread_spans;
    while (spans.depth > 0) {
        name_stats[spans.open[spans.depth - 1].id].abandoned.fetch_add(1, std::memory_order_relaxed);
        pop(spans);
    }
}

const char* span_name(uint16_t id) {
    if (id == kOtherSpan) return "other";
    if (id == kNoSpan || id > kMaxSpanNames) return "";
    const NameSlot& slot = name_slots[id - 1];
    return slot.state.load(std::memory_order_acquire) == kReady ? slot.name : "";
}

uint64_t SpanHistogram::percentile(const uint64_t* counts, double fraction) {
    uint64_t total = 0;
    for (int i = 0; i < kBuckets; ++i) total += counts[i];
    if (total == 0) return 0;
    double wanted = fraction * static_cast<double>(total);
    if (wanted < 1) wanted = 1;
    uint64_t seen = 0;
    for (int i = 0; i < kBuckets; ++i) {
        if (counts[i] == 0) continue;
        if (static_cast<double>(seen + counts[i]) >= wanted) {
            // The bucket's middle: within half a bucket (1/32, about 3 %) of the true value.
            return lower_edge(i) + width(i) / 2;
        }
        seen += counts[i];
    }
    return lower_edge(kBuckets - 1);
}

std::vector<SpanSummary> take_span_summaries() {
    struct Merged {
        uint64_t count = 0, total = 0, max = 0, abandoned = 0;  // in ticks
        std::vector<uint64_t> counts = std::vector<uint64_t>(SpanHistogram::kBuckets, 0);
    };
    // No name was ever interned: no span was ever recorded, and the table is not read
    // (a process without spans never touches its pages).
    if (names_interned.load(std::memory_order_relaxed) == 0) return {};
    std::map<std::string, Merged> by_name;
    std::vector<uint64_t> counts(SpanHistogram::kBuckets);
    for (int id = 1; id <= kOtherSpan; ++id) {
        NameStats& stats = name_stats[id];
        if (stats.count.load(std::memory_order_relaxed) == 0 &&
            stats.abandoned.load(std::memory_order_relaxed) == 0)
            continue;
        const char* name = span_name(static_cast<uint16_t>(id));
        Merged& merged = by_name[name];
        merged.count += stats.count.exchange(0, std::memory_order_relaxed);
        merged.total += stats.total_ticks.exchange(0, std::memory_order_relaxed);
        merged.max = std::max(merged.max, stats.max_ticks.exchange(0, std::memory_order_relaxed));
        merged.abandoned += stats.abandoned.exchange(0, std::memory_order_relaxed);
        stats.latency.take(counts.data());
        for (int i = 0; i < SpanHistogram::kBuckets; ++i) merged.counts[i] += counts[i];
    }
    std::vector<SpanSummary> summaries;
    if (by_name.empty()) return summaries;
    const double ms_per_tick = nanoseconds_per_tick() / 1e6;
    for (auto& [name, merged] : by_name) {
        SpanSummary summary;
        summary.name = name;
        summary.count = merged.count;
        summary.total_ms = static_cast<double>(merged.total) * ms_per_tick;
        summary.max_ms = static_cast<double>(merged.max) * ms_per_tick;
        // Interpolation never reports past the largest value seen.
        auto at = [&](double fraction) {
            uint64_t value = SpanHistogram::percentile(merged.counts.data(), fraction);
            return static_cast<double>(std::min(value, merged.max)) * ms_per_tick;
        };
        summary.p50_ms = at(0.50);
        summary.p95_ms = at(0.95);
        summary.p99_ms = at(0.99);
        summary.abandoned = merged.abandoned;
        summaries.push_back(std::move(summary));
    }
    return summaries;
}

SpanCounters span_counters() {
    SpanCounters counters;
    counters.too_deep = too_deep.load(std::memory_order_relaxed);
    counters.unmatched_ends = unmatched_ends.load(std::memory_order_relaxed);
    for (const NameSlot& slot : name_slots)
        if (slot.state.load(std::memory_order_acquire) == kReady) ++counters.names;
    return counters;
}

}  // namespace siagent
