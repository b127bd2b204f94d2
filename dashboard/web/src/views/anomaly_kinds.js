// How each kind of anomaly reads in the Anomalies tab: a label, what it is about (a series,
// a function, an exception type) with a link to where to look, and its value. The server's
// `detail` object carries the kind-specific fields (docs/dashboard-api.md#anomalies).
import { formatCount, formatValue } from '../lib/format.js';
import { formatRoute } from '../lib/route.js';

const PROFILE_KIND_LABELS = { cpu: 'CPU', alloc: 'allocations', block: 'blocking' };

/** "20.0 %" for 0.2 (one decimal: the before → after of a regression). */
function percent(share) {
  return Number.isFinite(share) ? `${(share * 100).toFixed(1)} %` : '–';
}

/** The Metrics tab from 3 h before the point to 1 h after it, filtered to its host and environment. */
function chartLink(appId, anomaly) {
  return formatRoute(['apps', appId, 'metrics'], { range: 'custom', from: anomaly.time - 3 * 3600,
    to: anomaly.time + 3600, host: anomaly.host, environment: anomaly.environment });
}

/** The Heap in use tab over the leak's window, on its host: its leak card names the sites. */
function heapLink(appId, anomaly) {
  const profile = anomaly.detail?.profile ?? {};
  return formatRoute(['apps', appId, 'inuse'], { range: 'custom', from: profile.from ?? anomaly.time - 3600,
    to: profile.to ?? anomaly.time, host: profile.host ?? anomaly.host, environment: anomaly.environment });
}

/** The Compare tab: the two versions over both sides' time, or the period against the previous one. */
function compareLink(appId, anomaly) {
  const d = anomaly.detail ?? {};
  const before = d.before ?? {};
  const after = d.after ?? {};
  const common = { cmp_kind: d.profile_kind ?? 'cpu', environment: anomaly.environment };
  if (d.basis === 'version') {
    return formatRoute(['apps', appId, 'compare'], { ...common, cmp_mode: 'versions', cmp_a: before.version,
      cmp_b: after.version, range: 'custom', from: before.from, to: after.to });
  }
  return formatRoute(['apps', appId, 'compare'], { ...common, cmp_mode: 'ranges', cmp_baseline: 'previous',
    range: 'custom', from: after.from, to: after.to });
}

/** The Errors tab from an hour before to ten minutes after. */
function errorsLink(appId, anomaly) {
  return formatRoute(['apps', appId, 'errors'], { range: 'custom', from: anomaly.time - 3600,
    to: anomaly.time + 600, environment: anomaly.environment });
}

const KINDS = {
  metric: (appId, a) => ({ label: 'Metric', subject: `${a.category} / ${a.name}`, href: chartLink(appId, a),
    title: 'The metric charts around this point, on its host', value: formatValue(a.value, a.unit ?? '') }),
  leak: (appId, a) => ({ label: 'Leak', subject: `${a.name}: ${a.detail?.sites?.[0]?.function ?? 'growing'}`,
    href: heapLink(appId, a), title: 'The heap in use profile over the growth, with its growing sites',
    value: `${formatValue(a.value, a.unit ?? '')}/h` }),
  regression: (appId, a) => ({ label: 'Regression',
    subject: `${a.name} (${PROFILE_KIND_LABELS[a.detail?.profile_kind] ?? a.category})`,
    href: compareLink(appId, a), title: a.detail?.basis === 'version'
      ? 'Compare the two versions' : 'Compare this period with the previous one',
    value: `${percent(a.detail?.before_share)} → ${percent(a.detail?.after_share ?? a.value)}` }),
  error: (appId, a) => ({ label: 'Error', subject: a.name, href: errorsLink(appId, a),
    title: 'The errors around this time', value: formatCount(a.value) }),
};

/** {label, subject, href, title, value} of one anomaly; an unknown kind reads like a metric. */
export function describeAnomaly(appId, anomaly) {
  const known = KINDS[anomaly.kind];
  return known ? known(appId, anomaly) : { ...KINDS.metric(appId, anomaly), label: String(anomaly.kind ?? '') };
}
