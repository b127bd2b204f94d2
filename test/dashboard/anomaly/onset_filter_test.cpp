#include "dashboard/server/anomaly/onset_filter.h"

#include <catch2/catch.hpp>
#include <cmath>
#include <vector>

#include "dashboard/server/anomaly/detector.h"

using namespace siagent::dashboard::anomaly;

namespace {

double severity(double score) { return -std::log(1 - score); }

std::vector<double> passed(const std::vector<double>& scores) {
    OnsetFilter filter;
    std::vector<double> out;
    for (double score : scores) out.push_back(filter.pass(score, severity(score)));
    return out;
}

}  // namespace

TEST_CASE("a plateau of high scores passes once, at its start", "[anomaly]") {
    std::vector<double> scores(400, 0.1);
    for (size_t i = 200; i < 260; ++i) scores[i] = 0.95;
    auto out = passed(scores);
    size_t above = 0;
    for (size_t i = 0; i < out.size(); ++i) above += out[i] >= 0.9;
    CHECK(above == 1);
    CHECK(out[200] == Approx(0.95));
}

TEST_CASE("a higher score inside the window passes; the same score after the window passes again",
          "[anomaly]") {
    std::vector<double> scores(600, 0.0);
    scores[100] = 0.91;
    scores[120] = 0.99;  // rises above the burst's start: a stronger anomaly
    scores[130] = 0.95;  // below the burst's highest: suppressed
    scores[130 + OnsetFilter::kWindow + 1] = 0.95;  // every earlier one out of the window
    auto out = passed(scores);
    CHECK(out[100] == Approx(0.91));
    CHECK(out[120] == Approx(0.99));
    CHECK(out[130] == 0.0);
    CHECK(out[130 + OnsetFilter::kWindow + 1] == Approx(0.95));
}

TEST_CASE("the detector's onset score marks a level shift once although its score stays high",
          "[anomaly]") {
    SeriesDetector detector;
    int64_t time = 0;
    for (int i = 0; i < 2000; ++i) detector.add(time += 300, 100.0 + (i % 7) * 0.5);
    int onsets = 0, high_scores = 0;
    for (int i = 0; i < 100; ++i) {
        PointResult result = detector.add(time += 300, 160.0 + (i % 7) * 0.5);
        onsets += result.onset_score >= 0.9;
        high_scores += result.score >= 0.9;
    }
    CHECK(high_scores > 1);
    CHECK(onsets == 1);
}

TEST_CASE("after a score at the threshold, even a higher one is silenced for the refractory period",
          "[anomaly]") {
    OnsetFilter filter;
    std::vector<double> out;
    for (size_t i = 0; i < 400; ++i) {
        const double score = i == 100 ? 0.92 : i == 150 ? 0.99 : i == 100 + OnsetFilter::kRefractory + 1 ? 0.3 : 0.0;
        out.push_back(filter.pass(score, severity(score), 0.9));
    }
    CHECK(out[100] == Approx(0.92));
    CHECK(out[150] == 0.0);  // higher, but inside the refractory period
    CHECK(out[100 + OnsetFilter::kRefractory + 1] == 0.0);  // not above the window's 0.99
    // Below the threshold nothing starts a refractory period: the plain onset rule applies.
    OnsetFilter plain;
    CHECK(plain.pass(0.5, severity(0.5), 0.9) == Approx(0.5));
    CHECK(plain.pass(0.6, severity(0.6), 0.9) == Approx(0.6));
}

TEST_CASE("a point far more severe than the one that started the refractory period breaks it",
          "[anomaly]") {
    OnsetFilter filter;
    CHECK(filter.pass(0.92, severity(0.92), 0.9) == Approx(0.92));
    for (int i = 0; i < 20; ++i) filter.pass(0.0, 0.0, 0.9);
    const double barely = OnsetFilter::kOverride * severity(0.92) * 0.99;
    CHECK(filter.pass(1.0, barely, 0.9) == 0.0);  // not kOverride times as severe
    const double outage = OnsetFilter::kOverride * severity(0.92) * 1.5;
    CHECK(filter.pass(1.0, outage, 0.9) == 1.0);  // a score that rounds to 1, and far more severe
    // It starts a refractory period of its own.
    CHECK(filter.pass(1.0, outage * 2, 0.9) == 0.0);
}

TEST_CASE("scores that round to 1 are ordered by their severity", "[anomaly]") {
    OnsetFilter filter;
    CHECK(filter.pass(1.0, 50.0) == 1.0);
    CHECK(filter.pass(1.0, 40.0) == 0.0);  // within the window and less severe
    CHECK(filter.pass(1.0, 80.0) == 1.0);  // more severe, although its score is the same
}

TEST_CASE("a past burst's severity fades with its age: a smaller burst late in the window passes",
          "[anomaly]") {
    // 140 points on (kSteady 60, kMemory 100), a severity of 4.6 (a score of 0.99) counts as 2.07.
    std::vector<double> scores(400, 0.0);
    scores[100] = 0.99;
    scores[120] = 0.95;  // severity 3.0 against 4.6 at full weight: suppressed
    scores[240] = 0.92;  // severity 2.5 against 4.6 * exp(-80 / 100) = 2.07 and 3.0 * exp(-60 / 100) = 1.6
    auto out = passed(scores);
    CHECK(out[100] == Approx(0.99));
    CHECK(out[120] == 0.0);
    CHECK(out[240] == Approx(0.92));
}
