#include "core/span_table.h"

#include <catch2/catch.hpp>

#include <cstring>
#include <string>
#include <thread>
#include <vector>

#include "core/span_histogram.h"
#include "core/span_report.h"

using namespace siagent;

namespace {

SpanSummary summary_of(const std::vector<SpanSummary>& summaries, const std::string& name) {
    for (const SpanSummary& summary : summaries)
        if (summary.name == name) return summary;
    return {};
}

}  // namespace

TEST_CASE("span histogram percentiles are within half a bucket (about 3 %)") {
    SpanHistogram histogram;
    for (uint64_t value = 1'000'000; value < 2'000'000; value += 1'000) histogram.record(value);
    std::vector<uint64_t> counts(SpanHistogram::kBuckets);
    histogram.take(counts.data());
    for (double fraction : {0.5, 0.95, 0.99}) {
        double truth = 1'000'000 + fraction * 1'000'000;
        double measured = static_cast<double>(SpanHistogram::percentile(counts.data(), fraction));
        INFO(fraction << ": " << measured << " against " << truth);
        CHECK(std::abs(measured - truth) / truth <= 0.035);
    }
    // take() empties it.
    histogram.take(counts.data());
    CHECK(SpanHistogram::percentile(counts.data(), 0.5) == 0);
    for (int bucket = 32; bucket < SpanHistogram::kBuckets; ++bucket)
        CHECK(SpanHistogram::bucket_of(SpanHistogram::lower_edge(bucket)) == bucket);
}

TEST_CASE("span names are interned once, by content") {
    uint16_t first = intern_span_name("unit_interned");
    char copy[32];
    strcpy(copy, "unit_interned");
    CHECK(intern_span_name(copy) == first);
    CHECK(intern_span_name("unit_other_name") != first);
    CHECK(std::string(span_name(first)) == "unit_interned");
    CHECK(std::string(span_name(kOtherSpan)) == "other");
    // A buffer reused for another name is not confused with the first (address cache).
    uint64_t a = begin_span(copy, false);
    CHECK(current_span() == first);
    end_span(a);
    strcpy(copy, "unit_reused");
    uint64_t b = begin_span(copy, false);
    CHECK(std::string(span_name(current_span())) == "unit_reused");
    end_span(b);
}

TEST_CASE("spans nest; ending an outer span abandons the open inner ones; stale handles are ignored") {
    take_span_summaries();
    uint64_t outer = begin_span("unit_outer", false);
    uint64_t inner = begin_span("unit_inner", false);
    CHECK(std::string(span_name(current_span())) == "unit_inner");
    end_span(inner);
    CHECK(std::string(span_name(current_span())) == "unit_outer");
    end_span(inner);  // already closed: ignored
    begin_span("unit_left_inside", false);
    end_span(outer);
    CHECK(current_span() == kNoSpan);
    uint64_t counted_unmatched = span_counters().unmatched_ends;
    end_span(outer);
    CHECK(span_counters().unmatched_ends == counted_unmatched + 1);
    auto summaries = take_span_summaries();
    CHECK(summary_of(summaries, "unit_outer").count == 1);
    CHECK(summary_of(summaries, "unit_inner").count == 1);
    CHECK(summary_of(summaries, "unit_left_inside").abandoned == 1);
    CHECK(summary_of(summaries, "unit_left_inside").count == 0);
}

TEST_CASE("spans from many threads merge; a thread's open spans are abandoned at its exit") {
    take_span_summaries();
    std::vector<std::thread> threads;
    for (int t = 0; t < 4; ++t)
        threads.emplace_back([] {
            for (int i = 0; i < 1000; ++i) end_span(begin_span("unit_threaded", false));
            begin_span("unit_open_at_exit", false);
            abandon_thread_spans();  // what the thread-exit hook does
        });
    for (auto& thread : threads) thread.join();
    // A handle from another thread is ignored.
    uint64_t mine = begin_span("unit_mine", false);
    std::thread([mine] { end_span(mine); }).join();
    CHECK(current_span() != kNoSpan);
    end_span(mine);
    auto summaries = take_span_summaries();
    CHECK(summary_of(summaries, "unit_threaded").count == 4000);
    CHECK(summary_of(summaries, "unit_open_at_exit").abandoned == 4);
    CHECK(summary_of(summaries, "unit_mine").count == 1);
}

TEST_CASE("spans deeper than the limit are counted, not recorded") {
    std::vector<uint64_t> handles;
    for (int i = 0; i < kMaxSpanDepth + 3; ++i) handles.push_back(begin_span("unit_deep", false));
    CHECK(handles.back() == 0);
    for (auto it = handles.rbegin(); it != handles.rend(); ++it) end_span(*it);
    CHECK(current_span() == kNoSpan);
    CHECK(span_counters().too_deep >= 3);
    take_span_summaries();
}
