import { test } from 'node:test';
import assert from 'node:assert/strict';
import { resolveRange, rangeParams, previousRange, baselineRange, toDateTimeLocal, fromDateTimeLocal, refreshSeconds }
  from '../../src/lib/time_range.js';

const now = 1764050000;

test('presets resolve against now', () => {
  assert.deepEqual(resolveRange({ range: '6h' }, now),
    { key: '6h', from: now - 21600, to: now, label: 'Last 6 hours' });
  assert.equal(resolveRange({ range: '7d' }, now).from, now - 604800);
  assert.equal(resolveRange({ range: '24h' }, now + 0.9).to, now, 'whole seconds');
  // Short presets for a young app or a live incident.
  assert.deepEqual(resolveRange({ range: '5m' }, now), { key: '5m', from: now - 300, to: now, label: 'Last 5 minutes' });
  assert.equal(resolveRange({ range: '15m' }, now).from, now - 900);
  assert.equal(resolveRange({ range: '30m' }, now).from, now - 1800);
});

test('missing or unknown ranges fall back to the last hour', () => {
  assert.equal(resolveRange({}, now).key, '1h');
  assert.equal(resolveRange({ range: '3w' }, now).from, now - 3600);
});

test('custom ranges need two ordered times', () => {
  assert.deepEqual(resolveRange({ range: 'custom', from: '100', to: '200' }, now),
    { key: 'custom', from: 100, to: 200, label: 'Custom range' });
  assert.equal(resolveRange({ range: 'custom', from: '200', to: '100' }, now).key, '1h');
  assert.equal(resolveRange({ range: 'custom', from: 'x', to: '100' }, now).key, '1h');
  assert.equal(resolveRange({ range: 'custom' }, now).key, '1h');
});

test('URL parameters round-trip', () => {
  for (const params of [{ range: '24h' }, { range: 'custom', from: '10', to: '20' }]) {
    assert.deepEqual(rangeParams(resolveRange(params, now)), params);
  }
});

test('the previous period has the same length and ends at the start', () => {
  assert.deepEqual(previousRange({ key: '1h', from: 1000, to: 4600 }),
    { key: 'custom', from: -2600, to: 1000, label: 'Previous period' });
});

test('datetime-local values round-trip in local time', () => {
  const text = toDateTimeLocal(now);
  assert.match(text, /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}$/);
  assert.equal(fromDateTimeLocal(text), now - (now % 60));
  assert.equal(fromDateTimeLocal(''), null);
  assert.equal(fromDateTimeLocal('2025-13-45T99:99'), null);
});

test('baselines for comparing ranges', () => {
  const range = { key: '1h', from: 100000, to: 103600 };
  assert.deepEqual(baselineRange(range, 'day'),
    { key: 'custom', from: 100000 - 86400, to: 103600 - 86400, label: 'Same time yesterday' });
  assert.equal(baselineRange(range, 'week').to, 103600 - 604800);
  assert.deepEqual(baselineRange(range, 'previous'), previousRange(range));
  assert.deepEqual(baselineRange(range, 'bogus'), previousRange(range));
});

test('auto-refresh: a known period for a preset range, none for a custom one', () => {
  assert.equal(refreshSeconds({ refresh: '30s' }, { key: '1h' }), 30);
  assert.equal(refreshSeconds({ refresh: '5m' }, { key: '15m' }), 300);
  assert.equal(refreshSeconds({ refresh: '2s' }, { key: '1h' }), 0);
  assert.equal(refreshSeconds({}, { key: '1h' }), 0);
  assert.equal(refreshSeconds({ refresh: '30s' }, { key: 'custom' }), 0);
});
