// Sampling a stream of amounts (allocated bytes, blocked nanoseconds) as a Poisson process:
// each unit of the amount is "hit" independently, so the gaps between hits are exponential
// with mean `mean`. A call is sampled when its amount crosses the current gap; the
// estimate of the true amount behind one sampled call of size s is s / P(sampled), with
// P(sampled) = 1 - exp(-s / mean), which is unbiased for every stack.
//
// One PoissonSampler per thread, in initial-exec TLS, zero-initialized (the first call
// draws the first gap). signal-safe, malloc-safe: plain arithmetic, no libm beyond log/exp
// on doubles (no allocation, no locks).
#pragma once

#include <cmath>
#include <cstdint>

namespace siagent {

// The weight of one sampled call of `amount` when the mean gap is `mean`: how many units
// of the amount it stands for, divided by `amount` (multiply by amount for bytes, use as
// is for the call count).
inline double poisson_sample_weight(uint64_t amount, uint64_t mean) {
    if (mean <= 1 || amount == 0) return 1.0;
    double probability = -std::expm1(-static_cast<double>(amount) / static_cast<double>(mean));
    return probability > 0 ? 1.0 / probability : 1.0;
}

struct PoissonSampler {
    int64_t remaining = 0;   // units left before the next hit; <= 0 means "draw a gap"
    uint64_t random_state = 0;
    // The mean the current gap was drawn with, and after crossed() returned true, the mean
    // of the gap that call ended: what its weight must use when the mean changes between
    // samples (the hits inside a gap follow the rate it was drawn with).
    uint64_t gap_mean = 0;
    uint64_t sampled_gap_mean = 0;

    // True when this call of `amount` units is sampled. Fast path: one subtraction and
    // one compare. `mean` is the mean gap in units (0 samples every call). `seed` feeds
    // the generator once per thread (e.g. the thread's id and a clock reading).
    bool take(uint64_t amount, uint64_t mean, uint64_t seed) {
        remaining -= static_cast<int64_t>(amount);
        if (remaining > 0) return false;
        return crossed(amount, mean, seed);
    }

    // The slow half of take(), for callers that did the countdown themselves: `remaining`
    // already went to zero or below with this call's `amount`. Draws the next gap and says
    // whether the call is sampled.
    bool crossed(uint64_t amount, uint64_t mean, uint64_t seed) {
        bool first_call = random_state == 0;
        if (mean == 0) {
            remaining = 0;
            sampled_gap_mean = gap_mean = 0;
            return true;
        }
        if (first_call || gap_mean == 0) {
            // No gap drawn yet: start the process now; this call is sampled only if the
            // fresh gap falls inside it.
            remaining = next_gap(mean, seed) - static_cast<int64_t>(amount);
            if (remaining > 0) return false;
        }
        // Memoryless: from the end of this call, the distance to the next hit is a fresh
        // exponential gap (with the mean now in force), however many hits fell inside the
        // call (the weighting counts them, at the rate of the gap that ended).
        sampled_gap_mean = gap_mean;
        remaining = next_gap(mean, seed);
        return true;
    }

    // The next gap, exponential with mean `mean`, capped at 20 times the mean so one
    // unlucky draw cannot silence a thread for long.
    int64_t next_gap(uint64_t mean, uint64_t seed) {
        if (random_state == 0) random_state = seed | 1;
        // xorshift64*: cheap, good enough for gaps, and has no shared state.
        random_state ^= random_state >> 12;
        random_state ^= random_state << 25;
        random_state ^= random_state >> 27;
        uint64_t bits = random_state * 2685821657736338717ull;
        double uniform = (static_cast<double>(bits >> 11) + 0.5) * (1.0 / 9007199254740992.0);
        double gap = -std::log(uniform) * static_cast<double>(mean);
        double cap = 20.0 * static_cast<double>(mean);
        if (gap > cap) gap = cap;
        gap_mean = mean;
        return gap < 1 ? 1 : static_cast<int64_t>(gap);
    }
};

}  // namespace siagent
