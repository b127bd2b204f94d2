// Streaming anomaly detector for one metric series (CPU, RSS, request rate, latency, ...).
// Each point gets a score in [0, 1], comparable across series, and a flag at the onset of an
// anomalous episode. Fixed memory (sizeof(SeriesDetector), about 15 KiB, most of it the
// pattern history) and about a microsecond per point; no training step, no per-series tuning.
//
// The model, per point (docs/anomaly-detection.md has the reasoning):
//   expected = level + slope * steps + daily(t) + weekly(t)
//   z        = (value - expected) / robust scale
// - Time is measured in "steps" of the series' typical interval (learned), so gaps and
//   irregular intervals decay the state by elapsed time, not by point count.
// - Updates are Huber-clipped: one outlier moves the level by at most a few scales.
// - Nothing depends on units or offsets: any a * v + b (a > 0) gives the same scores (the
//   scale's floor is a share of the values' range, not of their distance from zero).
// - The level is slow (250 steps): a sustained excursion stays visible, and a series that
//   wanders gets a scale wide enough that its wandering does not score.
// - Daily and weekly profiles are learned from the start and used once two days (two weeks)
//   of data have been seen.
// - An ensemble: the score is the largest of five detectors, each mapped so that it reaches
//   the threshold at its own decision limit: the point's z; two-sided CUSUMs on the residual
//   from a faster level (120 steps), for sustained shifts no single point reveals (when one
//   fires the levels are re-based on the recent values, so a lasting shift is flagged once
//   and then becomes the new normal); a CUSUM on |z| for a wider spread; a drift, a faster
//   level (48 steps) moving away from a slow reference (a day of memory) in its own scale, for
//   leaks; and the novelty of the last few points' shape (pattern_novelty.h).
// - The score of the z is 1 - exp(-(z/k)^2): 0 for an expected point, ~1 for a far one; it
//   counts only where the pattern novelty is at least its usual level (not below its mean):
//   a spike shaped like earlier ones is the series' routine; so is a value that nine of the
//   last ~2,000 points reached, and a deviation the same time of day had on two of the last
//   three days (daily_recurrence.h).
// - Scores are compared (onset_filter.h) by their severity, -ln(1 - score), which keeps
//   ordering them where the score itself rounds to 1.
#pragma once

#include <cstddef>
#include <cstdint>

#include "dashboard/server/anomaly/daily_recurrence.h"
#include "dashboard/server/anomaly/episode.h"
#include "dashboard/server/anomaly/onset_filter.h"
#include "dashboard/server/anomaly/pattern_novelty.h"
#include "dashboard/server/anomaly/recent_deviations.h"
#include "dashboard/server/anomaly/seasonal_profile.h"

namespace siagent::dashboard::anomaly {

struct DetectorConfig {
    double threshold = 0.9;         // flag when the score reaches this
    double score_scale = 4.0;       // k in 1 - exp(-(z/k)^2); 0.9 at |z| = 6.1 (tail-adjusted)
    double warmup_steps = 288;      // no flags before this many typical intervals (a day at 5 min)
    double level_steps = 250;       // memory of the level, in typical intervals
    double shift_level_steps = 120; // memory of the level the shift CUSUMs measure from
    double drift_level_steps = 48;  // memory of the level compared with the reference for drifts
    double slope_steps = 400;       // memory of the slope (slow: a leak must not become normal)
    double scale_steps = 300;       // memory of the fast scale
    double slow_scale_steps = 4000; // memory of the floor scale
    double clip = 4.0;              // Huber clip of updates, in scales (NAB: 3.5, 4.25 and 5 worse)
    // The scale's floor, a share of the range of the values (the scale starts at 0: the floor
    // is the whole scale on the first points, and sets how fast the scale grows from there),
    // and the memory of that range (NAB: 0.5 % 69.4, 0.6 % 71.0, 0.7 % 70.9, 0.8 % 70.8).
    double floor_share = 0.006;
    double range_points = 5000;
    double cusum_slack = 1.0;       // CUSUM allowance k, in scales
    double cusum_limit = 15.0;      // CUSUM decision h, in scales
    double spread_slack = 2.0;      // variance CUSUM allowance, on |z| (|z| averages 0.8 for normal noise)
    double spread_limit = 16.0;     // variance CUSUM decision
    double reference_steps = 288;   // memory of the slow reference level, for drifts and leaks
    double drift_limit = 3.5;       // |level - reference| that counts as a drift, in scales (4: the
                                    // synthetic leak took 613 points, above its bound of 600; NAB the same)
    double season_days = 3.0;       // memory of a seasonal bucket, in periods
    double episode_quiet_steps = 48;  // an episode ends after this long below the threshold
    double tail_steps = 4000;       // the tail factor's rate, 1 / tail_steps (its steps are half that times 0.99 or 0.01)
    double novelty_limit = 9.0;     // standardized pattern novelty that reaches the threshold
    // A point whose value at least this many of the last ~2,000 points reached (in the same
    // direction) is routine: its own z does not score (NAB: 9 to 16 best, 3, 6 and 40 worse).
    size_t routine_exceedances = 9;
    // A point whose deviation at least this many of the previous DailyRecurrence::kDays days
    // reached (30 % of it, within 1.5 h of the same time of day) is routine too; 0: never
    // (NAB: 2 of 3 days best; 2 or 3 of 4, 3 to 5 of 7 worse).
    int daily_routine_days = 2;
};

enum class PointStatus {
    scored,         // a normal result
    warming_up,     // scored, but too little history to flag
    invalid_value,  // NaN or infinite: skipped, state unchanged, score 0
    out_of_order,   // timestamp not after the previous accepted one: skipped, score 0
};

struct PointResult {
    PointStatus status = PointStatus::scored;
    double score = 0;     // in [0, 1]
    // `score` where it is higher than every score of the last OnsetFilter::kWindow points,
    // else 0: the start of a burst (what `anomalies --csv` prints).
    double onset_score = 0;
    bool flag = false;    // first point of an anomalous episode
    bool in_episode = false;
    double expected = 0;  // the model's forecast for this point
    double z = 0;         // signed deviation in robust scales
};

class SeriesDetector {
public:
    explicit SeriesDetector(const DetectorConfig& config = {});

    PointResult add(int64_t time_seconds, double value);

    bool warming_up() const;
    int64_t points() const { return points_; }
    // The settings of a detector restored from saved bytes (metric_watch.h) are the ones it
    // was saved with; this puts the current ones in their place. The learned state stays.
    void use_config(const DetectorConfig& config) { config_ = config; }

private:
    void start(int64_t time, double value);
    double seasonal(int64_t time) const;
    double rate(double steps, double memory_steps) const;
    void learn(int64_t time, double residual, double steps);
    void follow(double& level, double memory_steps, double clipped, double steps) const;
    double cusum_update(double z);
    double spread_update(double z);
    double drift_of(double sigma) const;
    void rebase();
    void follow_range(double value);
    double limit_severity(double statistic, double limit) const;
    double severity_of(double z) const;

    DetectorConfig config_;
    int64_t points_ = 0;
    int64_t first_time_ = 0;
    int64_t last_time_ = 0;
    double interval_ = 0;        // typical seconds between points
    double seen_steps_ = 0;      // history, in typical intervals
    double level_ = 0;
    double shift_level_ = 0;     // faster levels, for the CUSUMs and the drift
    double drift_level_ = 0;
    double drift_scale_ = 0;     // mean absolute residual from drift_level_
    double slope_ = 0;           // per step
    double scale_ = 0;           // mean absolute residual, fast
    double slow_scale_ = 0;      // mean absolute residual, slow: a floor for quiet stretches
    double recent_residual_ = 0; // short unclipped mean, for re-basing after a shift
    double recent_spread_ = 0;   // short mean absolute residual, for re-scaling after a variance change
    double reference_ = 0;       // slow level: the fast level moving away from it is a drift
    double cusum_high_ = 0, cusum_low_ = 0, cusum_spread_ = 0;
    double tail_ = 2.576;        // the tail factor: set by the first few hundred points, then ~1e-4 of itself per point
    double value_floor_ = 0;     // smallest meaningful scale: floor_share of the values' range
    double range_high_ = 0, range_low_ = 0;  // the values' range, relaxing toward the level
    SeasonalProfile<48> daily_;
    SeasonalProfile<168> weekly_;
    Episode episode_;
    PatternNovelty novelty_;
    OnsetFilter onsets_;
    RecentDeviations deviations_;
    DailyRecurrence daily_deviations_;
};

}  // namespace siagent::dashboard::anomaly
