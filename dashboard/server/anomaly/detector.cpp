#include "dashboard/server/anomaly/detector.h"

#include <algorithm>
#include <cmath>

namespace siagent::dashboard::anomaly {

namespace {

constexpr int64_t kDay = 86400;
constexpr int64_t kWeek = 7 * kDay;
constexpr double kMadToSigma = 1.2533;  // mean absolute deviation -> standard deviation (normal)
constexpr double kRecentSteps = 6;      // memory of the re-basing mean
constexpr double kCusumStepClip = 6;    // one point moves a CUSUM by at most this many scales
constexpr double kLargest = 1e100;      // beyond this a value is treated as invalid: sums stay finite
constexpr double kDriftAfter = 86400;   // the reference needs a day behind it

constexpr double kNormalTail = 2.576;   // the 99th percentile of |z| for normal noise
constexpr double kRoutineCheckSeverity = 1.0;  // a point score of 0.63: below it, routine or not is moot
double clamp_abs(double value, double limit) { return std::clamp(value, -limit, limit); }

}  // namespace

SeriesDetector::SeriesDetector(const DetectorConfig& config)
    : config_(config), daily_(kDay), weekly_(kWeek) {}

bool SeriesDetector::warming_up() const { return seen_steps_ < config_.warmup_steps; }

// The share of the way an estimate with `memory_steps` of memory moves after `steps` of
// elapsed time: a gap of ten intervals counts ten times. During warm-up the estimates are
// plain means of what was seen, so the first points set them quickly.
double SeriesDetector::rate(double steps, double memory_steps) const {
    const double by_time = 1 - std::exp(-steps / memory_steps);
    return std::max(by_time, 1.0 / static_cast<double>(points_ + 1));
}

void SeriesDetector::start(int64_t time, double value) {
    first_time_ = last_time_ = time;
    level_ = reference_ = shift_level_ = drift_level_ = value;
    range_high_ = range_low_ = value;
    points_ = 1;
}

double SeriesDetector::seasonal(int64_t time) const { return daily_.offset(time) + weekly_.offset(time); }

PointResult SeriesDetector::add(int64_t time, double value) {
    PointResult result;
    if (!std::isfinite(value) || std::abs(value) > kLargest) {
        result.status = PointStatus::invalid_value;
        return result;
    }
    if (points_ > 0 && time <= last_time_) {
        result.status = PointStatus::out_of_order;
        return result;
    }
    const double novelty = novelty_.observe(value);
    if (points_ == 0) {
        start(time, value);
        result.status = PointStatus::warming_up;
        result.expected = value;
        return result;
    }

    follow_range(value);
    const double elapsed = static_cast<double>(time - last_time_);
    if (points_ == 1) interval_ = elapsed;
    // The typical interval follows the usual spacing; a gap or a burst barely moves it.
    interval_ *= std::pow(std::clamp(elapsed / interval_, 0.5, 2.0), 0.05);
    const double steps = std::clamp(elapsed / interval_, 0.05, 1e4);

    result.expected = level_ + slope_ * steps + seasonal(time);
    const double residual = value - result.expected;
    // The floor moves with the values under any a * v + b (a > 0); the level's own 1e-12
    // only matters where the range is lost in the rounding of the values.
    value_floor_ = config_.floor_share * (range_high_ - range_low_) + 1e-12 * std::abs(level_) + 1e-300;
    const double sigma = std::max({kMadToSigma * scale_, 0.5 * kMadToSigma * slow_scale_, value_floor_});
    // Real metrics have heavier tails than the scale says; dividing by the series' own 99th
    // percentile of |z| (relative to a normal's) keeps one series' routine bursts from
    // scoring like another's rare ones. It only ever widens.
    const double raw_z = residual / sigma;
    result.z = raw_z / std::max(1.0, tail_ / kNormalTail);
    if (points_ > 2) {
        const double tail_rate = rate(1.0, config_.tail_steps) * std::min(steps, 4.0);
        tail_ += tail_rate * (std::abs(raw_z) > tail_ ? 0.99 : -0.01) * std::max(tail_, 1.0) * 0.5;
        tail_ = std::max(tail_, 1.0);
    }

    const bool warming = warming_up();
    double severity = 0;  // -ln(1 - score): the score's order without its saturation near 1
    result.status = warming ? PointStatus::warming_up : PointStatus::scored;
    // The CUSUMs read the residual from a faster level: the slow one lags a seasonal shape
    // that is still being learned, and that lag must not add up to a shift.
    const double shift_residual = value - (shift_level_ + slope_ * steps + seasonal(time));
    const double drift_residual = value - (drift_level_ + slope_ * steps + seasonal(time));
    const double shift = cusum_update(warming ? 0.0 : shift_residual / sigma / std::max(1.0, tail_ / kNormalTail));
    const double spread = spread_update(warming ? 0.0 : result.z);
    const bool drift_ready = static_cast<double>(time - first_time_) >= kDriftAfter;
    // The drift is measured in the drift level's own scale: the slow level's residuals widen
    // while it lags a trend, and that must not hide the trend.
    const double drift_sigma = std::max({kMadToSigma * drift_scale_, value_floor_});
    const double drift = warming || !drift_ready ? 0.0 : drift_of(drift_sigma);
    if (!warming) {
        // A point far from the forecast counts only if the shape of the last few points is at
        // least as new as usual: a spike like the ones the series already had (a near
        // neighbour in the pattern history) is routine, however far it is from the level.
        double point_severity = novelty >= 0 ? severity_of(result.z) : 0.0;
        // So is a value the series reached (or passed, in the same direction) at least
        // routine_exceedances times in its last ~2,000 points, whatever the shape around it
        // (spikes that come back every few hundred points), provided it has been as far from
        // its forecast before: a dip at the daily peak reaches values of the daily trough,
        // and is not routine for that. Counted only for a point that could score (the
        // counts read the whole history).
        if (point_severity >= kRoutineCheckSeverity &&
            novelty_.exceedances(value, result.z > 0) >= config_.routine_exceedances &&
            deviations_.reached(result.z)) {
            point_severity = 0;
        }
        // And so is a deviation the same time of day reached on most recent days (a nightly
        // job's spike): one point in 288 at 5-minute points, too rare for the count above.
        // Only the point's own z: the novelty of a new shape at that hour still counts.
        if (point_severity >= kRoutineCheckSeverity && config_.daily_routine_days > 0 &&
            daily_deviations_.routine(time, result.z, config_.daily_routine_days)) {
            point_severity = 0;
        }
        severity = std::max({point_severity, limit_severity(shift, config_.cusum_limit),
                             limit_severity(spread, config_.spread_limit), limit_severity(drift, config_.drift_limit),
                             limit_severity(std::max(novelty, 0.0), config_.novelty_limit)});
        result.score = 1 - std::exp(-severity);
    }

    const double wide_sigma = sigma * std::max(1.0, tail_ / kNormalTail);
    learn(time, clamp_abs(residual, config_.clip * wide_sigma), steps);
    follow(shift_level_, config_.shift_level_steps, clamp_abs(shift_residual, config_.clip * wide_sigma), steps);
    follow(drift_level_, config_.drift_level_steps, clamp_abs(drift_residual, config_.clip * wide_sigma), steps);
    drift_scale_ += rate(steps, config_.scale_steps) * (std::min(std::abs(drift_residual), config_.clip * wide_sigma) - drift_scale_);
    const double recent_rate = rate(steps, kRecentSteps);
    recent_residual_ += recent_rate * (clamp_abs(residual, 20 * sigma) - recent_residual_);
    recent_spread_ += recent_rate * (std::min(std::abs(residual), 20 * sigma) - recent_spread_);
    reference_ += rate(steps, config_.reference_steps) * (drift_level_ - reference_);
    if (shift >= config_.cusum_limit) rebase();
    if (spread >= config_.spread_limit) {
        // A wider spread: the recent one becomes the scale.
        scale_ = std::max(scale_, recent_spread_);
        cusum_spread_ = 0;
    }
    if (drift >= config_.drift_limit) reference_ = drift_level_;

    if (!warming) deviations_.add(result.z);
    daily_deviations_.add(time, result.z);
    last_time_ = time;
    ++points_;
    seen_steps_ += std::min(steps, 4.0);

    result.onset_score = onsets_.pass(result.score, severity, warming ? 2.0 : config_.threshold);
    const bool above = !warming && result.score >= config_.threshold;
    result.flag = episode_.observe(time, above, config_.episode_quiet_steps * interval_);
    result.in_episode = episode_.active();
    return result;
}

// The range of the values, each end relaxing toward the level with a memory of
// range_points points, so one wild value widens the floor for a while, not for good.
void SeriesDetector::follow_range(double value) {
    range_high_ -= (range_high_ - level_) / config_.range_points;
    range_low_ -= (range_low_ - level_) / config_.range_points;
    range_high_ = std::max(range_high_, value);
    range_low_ = std::min(range_low_, value);
}

// Holt-style level and slope plus the seasonal profiles, each taking its share of the
// (clipped) residual; the scales learn from the clipped absolute residual.
void SeriesDetector::learn(int64_t time, double clipped, double steps) {
    const double level_rate = rate(steps, config_.level_steps);
    level_ += slope_ * steps + level_rate * clipped;
    // The slope learns by time only, never at warm-up speed: a few noisy first points must
    // not set a trend.
    const double slope_rate = 1 - std::exp(-steps / config_.slope_steps);
    slope_ += slope_rate * level_rate * clipped / std::max(steps, 1.0);

    const double magnitude = std::abs(clipped);
    scale_ += rate(steps, config_.scale_steps) * (magnitude - scale_);
    slow_scale_ += rate(steps, config_.slow_scale_steps) * (magnitude - slow_scale_);

    const double elapsed = steps * interval_;
    const double daily_bucket = daily_.bucket_seconds();
    const double season_rate = 1 - std::exp(-std::min(elapsed, daily_bucket) / (config_.season_days * daily_bucket));
    daily_.learn(time, clipped, season_rate);
    // The weekly profile learns only what the daily one leaves, once the daily one has a
    // week of days behind it; before that both would learn the same shape twice.
    if (static_cast<double>(time - first_time_) >= static_cast<double>(kWeek)) {
        const double weekly_bucket = weekly_.bucket_seconds();
        weekly_.learn(time, clipped,
                      1 - std::exp(-std::min(elapsed, weekly_bucket) / (config_.season_days * weekly_bucket)));
    }
}

// A level that follows the clipped residual from itself with `memory_steps` of memory and
// shares the slope of the main level.
void SeriesDetector::follow(double& level, double memory_steps, double clipped, double steps) const {
    level += slope_ * steps + rate(steps, memory_steps) * clipped;
}

// Two-sided CUSUM on the clipped z; returns the larger side.
double SeriesDetector::cusum_update(double z) {
    const double step = clamp_abs(z, kCusumStepClip);
    cusum_high_ = std::max(0.0, cusum_high_ + step - config_.cusum_slack);
    cusum_low_ = std::max(0.0, cusum_low_ - step - config_.cusum_slack);
    return std::max(cusum_high_, cusum_low_);
}

// One-sided CUSUM on |z|: noise averages 0.8, a spread twice as wide about 1.6.
double SeriesDetector::spread_update(double z) {
    cusum_spread_ = std::max(0.0, cusum_spread_ + std::min(std::abs(z), kCusumStepClip) - config_.spread_slack);
    return cusum_spread_;
}

// How far the level has moved from the slow reference, in scales: a leak moves the level
// steadily, so the gap grows until it is flagged, whereas noise keeps the two together.
double SeriesDetector::drift_of(double sigma) const {
    return std::abs(drift_level_ - reference_) / (sigma * std::max(1.0, tail_ / kNormalTail));
}

// A sustained shift: the recent values become the level, the slope starts again.
void SeriesDetector::rebase() {
    level_ += recent_residual_;
    shift_level_ = drift_level_ = level_;
    reference_ = level_;
    recent_residual_ = 0;
    slope_ = 0;
    cusum_high_ = cusum_low_ = 0;
}

// A detector statistic's severity, -ln(1 - score), where the score reaches the threshold
// exactly at the statistic's limit: score = 1 - (1 - threshold)^((statistic / limit)^2).
double SeriesDetector::limit_severity(double statistic, double limit) const {
    const double ratio = statistic / limit;
    return -std::log(1 - config_.threshold) * ratio * ratio;
}

// The point's severity: its score is 1 - exp(-(z / k)^2).
double SeriesDetector::severity_of(double z) const {
    const double ratio = z / config_.score_scale;
    return ratio * ratio;
}

}  // namespace siagent::dashboard::anomaly
