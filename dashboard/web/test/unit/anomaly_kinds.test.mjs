// describeAnomaly: each anomaly kind's label, subject, value and link target.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { describeAnomaly } from '../../src/views/anomaly_kinds.js';
import { parseRoute } from '../../src/lib/route.js';

const base = { id: 1, time: 100_000, host: 'h1', environment: 'prod', score: 1, acknowledged: false };

test('a metric anomaly names its series and links to the charts around it', () => {
  const about = describeAnomaly(7, { ...base, kind: 'metric', category: 'memory', name: 'Current RSS',
    value: 2 * 1024 * 1024, unit: 'byte' });
  assert.equal(about.label, 'Metric');
  assert.equal(about.subject, 'memory / Current RSS');
  assert.equal(about.value, '2 MiB');
  const { segments, params } = parseRoute(about.href);
  assert.deepEqual(segments, ['apps', '7', 'metrics']);
  assert.equal(params.host, 'h1');
});

test('a leak names its top site and links to the heap profile over its window', () => {
  const about = describeAnomaly(7, { ...base, kind: 'leak', category: 'memory', name: 'Heap in use',
    value: 3 * 1024 * 1024, unit: 'byte',
    detail: { sites: [{ function: 'leak_memory', file: 'leaky.cpp', line: 27 }],
      profile: { kind: 'inuse', from: 90_000, to: 100_000, host: 'h1' } } });
  assert.equal(about.label, 'Leak');
  assert.equal(about.subject, 'Heap in use: leak_memory');
  assert.equal(about.value, '3 MiB/h');
  const { segments, params } = parseRoute(about.href);
  assert.deepEqual(segments, ['apps', '7', 'inuse']);
  assert.deepEqual([params.range, params.from, params.to], ['custom', '90000', '100000']);
});

test('a version regression links to the compare view of both versions', () => {
  const about = describeAnomaly(7, { ...base, kind: 'regression', category: 'cpu-profile', name: 'render',
    value: 0.5, unit: 'share', detail: { profile_kind: 'cpu', basis: 'version', before_share: 0.2, after_share: 0.5,
      before: { version: '1.0', from: 10, to: 20 }, after: { version: '2.0', from: 30, to: 40 } } });
  assert.equal(about.subject, 'render (CPU)');
  assert.equal(about.value, '20.0 % → 50.0 %');
  const { segments, params } = parseRoute(about.href);
  assert.deepEqual(segments, ['apps', '7', 'compare']);
  assert.deepEqual([params.cmp_mode, params.cmp_a, params.cmp_b, params.from, params.to], ['versions', '1.0', '2.0', '10', '40']);
});

test('a period regression compares its period with the previous one', () => {
  const about = describeAnomaly(7, { ...base, kind: 'regression', category: 'block-profile', name: 'wait',
    value: 0.4, unit: 'share', detail: { profile_kind: 'block', basis: 'period', before_share: 0.1, after_share: 0.4,
      before: { version: '', from: 0, to: 60 }, after: { version: '', from: 60, to: 120 } } });
  assert.equal(about.subject, 'wait (blocking)');
  const { params } = parseRoute(about.href);
  assert.deepEqual([params.cmp_mode, params.cmp_baseline, params.cmp_kind, params.from, params.to],
    ['ranges', 'previous', 'block', '60', '120']);
});

test('an error anomaly names the type and links to the errors; unknown kinds still read', () => {
  const about = describeAnomaly(7, { ...base, kind: 'error', category: 'error-profile', name: 'TimeoutError', value: 7 });
  assert.equal(about.subject, 'TimeoutError');
  assert.equal(about.value, '7');
  assert.deepEqual(parseRoute(about.href).segments, ['apps', '7', 'errors']);
  const unknown = describeAnomaly(7, { ...base, kind: 'future', category: 'x', name: 'y', value: 1 });
  assert.equal(unknown.label, 'future');
  assert.equal(unknown.subject, 'x / y');
});
