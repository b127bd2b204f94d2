// How numbers, units and times read on screen. Units are the protocol's:
// "", "percent", "byte", "kilobyte", "millisecond", "microsecond", "nanosecond"; any of them
// followed by "/s" is a rate and reads with "/s" ("2.3 MiB/s", "2.9 s/s").

// Profile kinds whose values are per second of the merged reports' time.
const RATE_KINDS = new Set(['alloc', 'block']);

/** The unit a profile's values read in: its protocol unit, per second for rate kinds. */
export function profileUnit(profile) {
  return RATE_KINDS.has(profile?.kind) && profile?.unit ? `${profile.unit}/s` : profile?.unit;
}

const BYTE_STEPS = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];

function trimmed(value, digits) {
  return Number(value.toFixed(digits)).toLocaleString('en-US', { maximumFractionDigits: digits });
}

export function formatBytes(bytes) {
  if (!Number.isFinite(bytes)) return '–';
  let value = Math.abs(bytes);
  let step = 0;
  while (value >= 1024 && step < BYTE_STEPS.length - 1) {
    value /= 1024;
    step++;
  }
  return `${bytes < 0 ? '-' : ''}${trimmed(value, value >= 100 || step === 0 ? 0 : 1)} ${BYTE_STEPS[step]}`;
}

function formatDuration(milliseconds) {
  const abs = Math.abs(milliseconds);
  if (abs === 0) return '0';
  if (abs >= 1000) return `${trimmed(milliseconds / 1000, 2)} s`;
  if (abs >= 1) return `${trimmed(milliseconds, 1)} ms`;
  if (abs >= 0.001) return `${trimmed(milliseconds * 1000, 1)} µs`;
  return `${trimmed(milliseconds * 1e6, 0)} ns`;
}

export function formatCount(value) {
  if (!Number.isFinite(value)) return '–';
  const abs = Math.abs(value);
  if (abs >= 1e9) return `${trimmed(value / 1e9, 1)}G`;
  if (abs >= 1e6) return `${trimmed(value / 1e6, 1)}M`;
  if (abs >= 1e4) return `${trimmed(value / 1e3, 1)}k`;
  return trimmed(value, abs >= 100 ? 0 : 2);
}

/** A value in a protocol unit, e.g. (1536, "byte") → "1.5 KiB", (12.345, "percent") → "12.3 %". */
export function formatValue(value, unit) {
  if (value === null || value === undefined || !Number.isFinite(Number(value))) return '–';
  if (typeof unit === 'string' && unit.endsWith('/s')) return `${formatValue(value, unit.slice(0, -2))}/s`;
  const number = Number(value);
  switch (unit) {
    case 'percent': return tinyPercent(number) ?? `${trimmed(number, Math.abs(number) >= 10 ? 1 : 2)} %`;
    case 'byte': return formatBytes(number);
    case 'kilobyte': return formatBytes(number * 1024);
    case 'millisecond': return formatDuration(number);
    case 'microsecond': return formatDuration(number / 1000);
    case 'nanosecond': return formatDuration(number / 1e6);
    default: return formatCount(number);
  }
}

/** A share in [0, 1] as a percentage: 0.1234 → "12.34 %". */
export function formatShare(share) {
  if (!Number.isFinite(share)) return '–';
  return tinyPercent(share * 100) ?? `${(share * 100).toFixed(2)} %`;
}

/** "<0.01 %" for a percentage above zero that two decimals would show as 0; else null. */
function tinyPercent(percent) {
  return percent > 0 && percent < 0.005 ? '<0.01 %' : null;
}

/** A change of share, signed, in percentage points: 0.012 → "+1.20 pp". */
export function formatShareDelta(delta) {
  if (!Number.isFinite(delta)) return '–';
  const points = delta * 100;
  return `${points > 0 ? '+' : points < 0 ? '−' : '±'}${Math.abs(points).toFixed(2)} pp`;
}

/** Unix seconds → "2025-11-25 06:13" in local time; null → "never". */
export function formatTime(seconds) {
  if (seconds === null || seconds === undefined) return 'never';
  const date = new Date(seconds * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  return `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())} ` +
    `${pad(date.getHours())}:${pad(date.getMinutes())}`;
}

/**
 * A time axis label in the same local, 24-hour form as formatTime: "14:05" within a range of
 * under two days, with the date ("14:05\n2026-12-04") on the first tick and where the day
 * changes (`previous`: the tick before, or null); "2026-12-04" (and the time unless
 * midnight) over longer ranges.
 */
export function formatAxisTime(seconds, spanSeconds, previous) {
  const date = new Date(seconds * 1000);
  const pad = (n) => String(n).padStart(2, '0');
  const day = `${date.getFullYear()}-${pad(date.getMonth() + 1)}-${pad(date.getDate())}`;
  const time = `${pad(date.getHours())}:${pad(date.getMinutes())}`;
  if (spanSeconds >= 2 * 86400) return time === '00:00' ? day : `${day} ${time}`;
  const newDay = previous === null || previous === undefined
    || new Date(previous * 1000).toDateString() !== date.toDateString();
  return newDay ? `${time}\n${day}` : time;
}

/** How long ago `seconds` was, relative to `nowSeconds`: "just now", "5 min ago", "3 d ago". */
export function formatAgo(seconds, nowSeconds) {
  if (seconds === null || seconds === undefined) return 'never';
  const age = Math.max(0, nowSeconds - seconds);
  if (age < 60) return 'just now';
  if (age < 3600) return `${Math.floor(age / 60)} min ago`;
  if (age < 86400) return `${Math.floor(age / 3600)} h ago`;
  return `${Math.floor(age / 86400)} d ago`;
}

const RUNTIME_NAMES = { native: 'Native', python: 'Python', go: 'Go', 'node.js': 'Node.js' };

/** A process's runtime as people name it ("Python 3.6.15"); an unknown type as sent. */
export function formatRuntime(type, version) {
  const name = RUNTIME_NAMES[type] ?? (type || '');
  return version ? `${name} ${version}`.trim() : name;
}
