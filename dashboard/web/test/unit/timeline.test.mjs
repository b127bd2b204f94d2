import { test } from 'node:test';
import assert from 'node:assert/strict';
import { zoomOutRange, timelineData } from '../../src/lib/timeline.js';

const now = 1764050000;

test('zooming out doubles the range around its middle', () => {
  assert.deepEqual(zoomOutRange({ from: now - 7200, to: now - 3600 }, now),
    { key: 'custom', from: now - 9000, to: now - 1800, label: 'Custom range' });
});

test('zooming out never goes past now: the doubled range then ends now', () => {
  const last = zoomOutRange({ from: now - 3600, to: now }, now);
  assert.deepEqual([last.from, last.to], [now - 7200, now]);
  const near = zoomOutRange({ from: now - 1000, to: now - 200 }, now);
  assert.deepEqual([near.from, near.to], [now - 1600, now]);
  assert.equal(near.to - near.from, 1600, 'still twice as long');
});

test('zooming out stops at the epoch and keeps a non-empty range', () => {
  assert.deepEqual([zoomOutRange({ from: 10, to: 110 }, now).from, zoomOutRange({ from: 10, to: 110 }, now).to], [0, 160]);
  const tiny = zoomOutRange({ from: 500, to: 500 }, now);
  assert.ok(tiny.to > tiny.from);
});

test('timeline data breaks the line where buckets are missing', () => {
  assert.deepEqual(timelineData([[0, 1], [60, 2], [240, 3]], 60), [[0, 60, 120, 240], [1, 2, null, 3]]);
  assert.deepEqual(timelineData([], 60), [[], []]);
  assert.deepEqual(timelineData([[0, 5]], 60), [[0], [5]]);
});
