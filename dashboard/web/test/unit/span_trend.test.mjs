import { test } from 'node:test';
import assert from 'node:assert/strict';
import { selectedSpan, describeTrend, latencyColumns } from '../../src/lib/span_trend.js';

test('the selected span is the requested one when it has data, else the first', () => {
  const spans = [{ name: 'checkout' }, { name: 'search' }];
  assert.equal(selectedSpan(spans, 'search').name, 'search');
  assert.equal(selectedSpan(spans, 'gone').name, 'checkout');
  assert.equal(selectedSpan(spans, undefined).name, 'checkout');
  assert.equal(selectedSpan([], 'search'), null);
});

test('a p95 change reads as slower, faster, steady or new', () => {
  assert.deepEqual(describeTrend(0.25), { text: '▲ 25.0 % slower', direction: 'up' });
  assert.deepEqual(describeTrend(-0.5), { text: '▼ 50.0 % faster', direction: 'down' });
  assert.equal(describeTrend(0.01).direction, 'steady');
  assert.equal(describeTrend(null).direction, 'new');
  assert.equal(describeTrend(undefined).text, 'new');
});

test('latency points become chart columns, missing percentiles as gaps', () => {
  const columns = latencyColumns([[60, 10, 1, 2, 3], [120, null, null, 4, null]]);
  assert.deepEqual(columns.times, [60, 120]);
  assert.deepEqual(columns.p50, [1, null]);
  assert.deepEqual(columns.p95, [2, 4]);
  assert.deepEqual(columns.p99, [3, null]);
});
