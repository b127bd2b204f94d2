import { test } from 'node:test';
import assert from 'node:assert/strict';
import { chartsOf, lineLabel, isCount, alignedData } from '../../src/lib/metric_series.js';

const threads = (pid, points) => ({ category: 'runtime', name: 'Active threads', unit: '', type: 'state',
  host: 'web-1', pid, processes: 1, points });

test('series of one metric make one chart, one line per process', () => {
  const charts = chartsOf([threads(1, [[0, 3]]), threads(2, [[0, 4]]),
    { category: 'memory', name: 'Current RSS', unit: 'kilobyte', type: 'state', points: [[0, 10]] }]);
  assert.deepEqual(charts.map((c) => [c.name, c.lines.length]), [['Active threads', 2], ['Current RSS', 1]]);
});

test('legend names: host and pid, the others summed, or the metric when merged', () => {
  assert.equal(lineLabel(threads(4702, []), 'Active threads'), 'web-1 · pid 4702');
  assert.equal(lineLabel({ host: null, pid: null, processes: 5 }, 'Active threads'), 'other 5 processes (sum)');
  assert.equal(lineLabel({ points: [] }, 'Active threads'), 'Active threads');
});

test('a count is a unitless state of whole numbers; rates and fractions are not', () => {
  assert.equal(isCount(chartsOf([threads(1, [[0, 3], [60, 7]])])[0]), true);
  assert.equal(isCount(chartsOf([threads(1, [[0, 2.33]])])[0]), false);
  assert.equal(isCount({ type: 'counter', unit: '', lines: [{ points: [[0, 10]] }] }), false);
  assert.equal(isCount({ type: 'state', unit: 'byte', lines: [{ points: [[0, 10]] }] }), false);
});

test('lines are aligned on the union of their times, null where a line has no point', () => {
  assert.deepEqual(alignedData([{ points: [[0, 1], [120, 3]] }, { points: [[60, 2], [120, 4]] }]),
    [[0, 60, 120], [1, null, 3], [null, 2, 4]]);
});
