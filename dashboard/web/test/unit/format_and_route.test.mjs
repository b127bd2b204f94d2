import { test } from 'node:test';
import assert from 'node:assert/strict';
import { formatValue, formatShare, formatShareDelta, formatAgo, profileUnit, formatAxisTime } from '../../src/lib/format.js';
import { parseRoute, formatRoute } from '../../src/lib/route.js';

test('values read in their units', () => {
  assert.equal(formatValue(12.345, 'percent'), '12.3 %');
  assert.equal(formatValue(1536, 'byte'), '1.5 KiB');
  assert.equal(formatValue(2048, 'kilobyte'), '2 MiB');
  assert.equal(formatValue(1500, 'millisecond'), '1.5 s');
  // Rates read per second: an allocation rate, time blocked per second.
  assert.equal(formatValue(2.3 * 1024 * 1024, 'byte/s'), '2.3 MiB/s');
  assert.equal(formatValue(2940, 'millisecond/s'), '2.94 s/s');
  assert.equal(profileUnit({ kind: 'alloc', unit: 'byte' }), 'byte/s');
  assert.equal(profileUnit({ kind: 'block', unit: 'millisecond' }), 'millisecond/s');
  assert.equal(profileUnit({ kind: 'inuse', unit: 'byte' }), 'byte');
  assert.equal(profileUnit({ kind: 'cpu', unit: 'percent' }), 'percent');
  // An axis origin reads 0, not "0 ns".
  assert.equal(formatValue(0, 'millisecond'), '0');
  assert.equal(formatValue(2500, 'nanosecond'), '2.5 µs');
  assert.equal(formatValue(12500, ''), '12.5k');
  assert.equal(formatValue(null, 'byte'), '–');
});

test('shares and their changes', () => {
  assert.equal(formatShare(0.1234), '12.34 %');
  // Above zero never reads as zero (a "0 %" value beside a "0.01 %" share).
  assert.equal(formatShare(0.00001), '<0.01 %');
  assert.equal(formatShare(0), '0.00 %');
  assert.equal(formatValue(0.003, 'percent'), '<0.01 %');
  assert.equal(formatValue(0, 'percent'), '0 %');
  assert.equal(formatShareDelta(0.012), '+1.20 pp');
  assert.equal(formatShareDelta(-0.5), '−50.00 pp');
  assert.equal(formatShareDelta(0), '±0.00 pp');
});

test('ages', () => {
  assert.equal(formatAgo(1000, 1030), 'just now');
  assert.equal(formatAgo(1000, 1000 + 7200), '2 h ago');
  assert.equal(formatAgo(null, 1), 'never');
});

test('routes round-trip and drop empty parameters', () => {
  const hash = formatRoute(['apps', 3, 'cpu'], { range: '6h', version: '', host: null });
  assert.equal(hash, '#/apps/3/cpu?range=6h');
  assert.deepEqual(parseRoute(hash), { segments: ['apps', '3', 'cpu'], params: { range: '6h' } });
  assert.deepEqual(parseRoute('#/apps/a%2Fb'), { segments: ['apps', 'a/b'], params: {} });
  assert.deepEqual(parseRoute(''), { segments: [], params: {} });
});

test('chart time labels: 24-hour local times, ISO dates where the day changes', () => {
  const noon = new Date(2026, 11, 4, 12, 5).getTime() / 1000;
  assert.equal(formatAxisTime(noon, 3600, null), '12:05\n2026-12-04');
  assert.equal(formatAxisTime(noon + 600, 3600, noon), '12:15');
  const nextDay = new Date(2026, 11, 5, 0, 0).getTime() / 1000;
  assert.equal(formatAxisTime(nextDay, 86400, nextDay - 3600), '00:00\n2026-12-05');
  assert.equal(formatAxisTime(nextDay, 7 * 86400, null), '2026-12-05');
  assert.equal(formatAxisTime(noon, 7 * 86400, null), '2026-12-04 12:05');
});
