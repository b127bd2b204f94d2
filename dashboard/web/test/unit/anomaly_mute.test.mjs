// ruleFor: the mute rule an Anomalies row asks for.
import { test } from 'node:test';
import assert from 'node:assert/strict';

import { ruleFor } from '../../src/views/anomaly_mute.js';

const cpu = { id: 2, kind: 'metric', category: 'cpu', name: 'CPU usage', host: 'web-1', environment: 'prod' };

test('a rule covers the row\'s series on its host, in its environment', () => {
  assert.deepEqual(ruleFor(cpu, { allHosts: false, until: 500 }),
    { kind: 'metric', category: 'cpu', name: 'CPU usage', host: 'web-1', environment: 'prod', until: 500 });
});

test('"every host" widens the host only, never the environment', () => {
  const rule = ruleFor(cpu, { allHosts: true, until: null });
  assert.equal(rule.host, '');
  assert.equal(rule.environment, 'prod');
  assert.equal(rule.until, null);
});

test('an anomaly without host or environment gives a rule over every one', () => {
  const rule = ruleFor({ ...cpu, host: undefined, environment: undefined }, { allHosts: false, until: 9 });
  assert.equal(rule.host, '');
  assert.equal(rule.environment, '');
});
