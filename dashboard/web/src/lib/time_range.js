// Time ranges as the URL keeps them and as the API wants them (Unix seconds).
// A preset ("5m" … "7d") is relative: it is resolved against "now" at every
// fetch, so reloading shows fresh data. A custom range is two absolute times.

export const PRESETS = [
  { key: '5m', label: 'Last 5 minutes', seconds: 5 * 60 },
  { key: '15m', label: 'Last 15 minutes', seconds: 15 * 60 },
  { key: '30m', label: 'Last 30 minutes', seconds: 30 * 60 },
  { key: '1h', label: 'Last 1 hour', seconds: 3600 },
  { key: '6h', label: 'Last 6 hours', seconds: 6 * 3600 },
  { key: '24h', label: 'Last 24 hours', seconds: 24 * 3600 },
  { key: '7d', label: 'Last 7 days', seconds: 7 * 24 * 3600 },
];

export const DEFAULT_PRESET = '1h';

/** Auto-refresh periods of a live view (URL parameter `refresh`), in seconds. */
export const REFRESH_PERIODS = [
  { key: '10s', label: 'every 10 s', seconds: 10 },
  { key: '30s', label: 'every 30 s', seconds: 30 },
  { key: '1m', label: 'every minute', seconds: 60 },
  { key: '5m', label: 'every 5 minutes', seconds: 300 },
];

/** Seconds between refreshes of `range` for the URL's `refresh`; 0: none (unknown, or a custom range). */
export function refreshSeconds(params, range) {
  if (range.key === 'custom') return 0;
  return REFRESH_PERIODS.find((p) => p.key === params.refresh)?.seconds ?? 0;
}

/**
 * @param {{range?: string, from?: string, to?: string}} params  URL parameters
 * @param {number} nowSeconds
 * @returns {{key: string, from: number, to: number, label: string}} key is a preset key or
 *   "custom"; an invalid or missing range falls back to the default preset.
 */
export function resolveRange(params, nowSeconds) {
  if (params.range === 'custom') {
    const from = Number(params.from);
    const to = Number(params.to);
    if (Number.isFinite(from) && Number.isFinite(to) && from >= 0 && from < to) {
      return { key: 'custom', from: Math.floor(from), to: Math.floor(to), label: 'Custom range' };
    }
  }
  const preset = PRESETS.find((p) => p.key === params.range)
    ?? PRESETS.find((p) => p.key === DEFAULT_PRESET);
  const to = Math.floor(nowSeconds);
  return { key: preset.key, from: to - preset.seconds, to, label: preset.label };
}

/** URL parameters that describe `range` (inverse of resolveRange for stored ranges). */
export function rangeParams(range) {
  if (range.key === 'custom') return { range: 'custom', from: String(range.from), to: String(range.to) };
  return { range: range.key };
}

/** The range of the same length that ends where `range` starts (compare with "before"). */
export function previousRange(range) {
  const length = range.to - range.from;
  return { key: 'custom', from: range.from - length, to: range.from, label: 'Previous period' };
}

/** Unix seconds → the value a <input type="datetime-local"> shows, in local time. */
export function toDateTimeLocal(seconds) {
  const date = new Date(seconds * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}` +
    `T${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/** A datetime-local value (local time) → Unix seconds, or null when it is not a date. */
export function fromDateTimeLocal(text) {
  if (!/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?$/.test(text ?? '')) return null;
  const millis = new Date(text).getTime();
  return Number.isFinite(millis) ? Math.floor(millis / 1000) : null;
}

/** Baselines a range can be compared with, by key (the compare tab's URL parameter). */
export const BASELINES = [
  { key: 'previous', label: 'Previous period' },
  { key: 'day', label: 'Same time yesterday', shift: 24 * 3600 },
  { key: 'week', label: 'Same time last week', shift: 7 * 24 * 3600 },
];

/** The baseline range for `range`; an unknown key means the previous period. */
export function baselineRange(range, key) {
  const baseline = BASELINES.find((b) => b.key === key);
  if (!baseline?.shift) return previousRange(range);
  return { key: 'custom', from: range.from - baseline.shift, to: range.to - baseline.shift, label: baseline.label };
}
