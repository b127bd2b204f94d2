// Anomalies tab: what the server's detectors flagged in the range (metric points, leaks,
// hot-spot regressions, errors), newest first, each with an Acknowledge button and a mute
// control (viewers only read). anomaly_kinds.js says how each kind reads and where it
// links; anomalies of a muted rule are dimmed and show the rule's state (anomaly_mute.js).
// Under them, the account's anomaly threshold, which owners change (anomaly_threshold.js).
import { api } from '../api.js';
import { formatTime } from '../lib/format.js';
import { describeAnomaly } from './anomaly_kinds.js';
import { h, replaceChildren } from './dom.js';
import { loadInto, emptyState } from './states.js';
import { muteControl, ruleState, muteRulesCard } from './anomaly_mute.js';
import { thresholdCard } from './anomaly_threshold.js';

export function renderAnomaliesPanel(panel, ctx) {
  const { appId, scope, signal, session } = ctx;
  const canAcknowledge = session?.user?.role !== 'viewer';
  const isOwner = session?.user?.role === 'owner';
  const reload = () => renderAnomaliesPanel(panel, ctx);
  loadInto(panel, { loadingText: 'Loading anomalies…',
    fetch: () => Promise.all([api.anomalies(appId, { from: scope.from, to: scope.to }, signal),
      api.muteRules(appId, signal), api.anomalyThreshold(signal)]),
    render: ([{ anomalies = [], judging }, { rules = [] }, threshold]) => h('div', {},
      anomaliesCard(appId, anomalies, canAcknowledge, reload, judging),
      thresholdCard(threshold, isOwner, reload),
      rules.length ? muteRulesCard(appId, rules, canAcknowledge, reload) : null) });
}

/** "6 h", "1 h", "10 min": a rule's time scale. */
function spanText(seconds) {
  if (seconds >= 3600 && seconds % 3600 === 0) return `${seconds / 3600} h`;
  if (seconds >= 3600) return `${(seconds / 3600).toFixed(1)} h`;
  return `${Math.max(1, Math.round(seconds / 60))} min`;
}

/** What the detectors judge and from when, for an app that has no anomaly in the range. */
function warmingUp(judging) {
  const general = 'Every metric series is watched for spikes and level shifts, and so are heap growth, ' +
    'functions that got slower and new errors.';
  if (!judging?.reporting_since) return general;
  const now = Date.now() / 1000;
  const since = judging.reporting_since;
  const from = (seconds) => (since + seconds <= now ? 'judged now' : `from ${formatTime(since + seconds)}`);
  const points = judging.metric_warmup_points;
  return h('div.judging', {},
    h('p', {}, `This application has reported since ${formatTime(since)}. What is judged, and from when:`),
    h('ul', {},
      h('li', {}, `Metric spikes and level shifts: once a series has ${points} points ` +
        `(${spanText(points * 60)} at one a minute; ${from(points * 60)}).`),
      h('li', {}, `Leaks: heap or memory growth sustained over the data so far, from 5 min up to ` +
        `${spanText(judging.leak_window_seconds)} (${from(Math.min(300, judging.leak_window_seconds))}).`),
      h('li', {}, 'Regressions: a new version against the previous one as soon as both have a few reports; ' +
        `${spanText(judging.regression_period_seconds)} of profiles against the ` +
        `${spanText(judging.regression_period_seconds)} before (${from(2 * judging.regression_period_seconds)}).`),
      h('li', {}, 'New errors: error types not seen while the app started, once its errors have settled ' +
        `(2 min at the least, ${spanText(judging.error_warmup_seconds)} at the most; ` +
        `${from(Math.min(120, judging.error_warmup_seconds))}).`)));
}

function anomaliesCard(appId, anomalies, canAcknowledge, reload, judging) {
  const sorted = [...anomalies].sort((a, b) => b.time - a.time);
  const open = sorted.filter((a) => !a.acknowledged && !a.muted && !a.rule).length;
  return h('div.card', { role: 'region', 'aria-label': 'Anomalies' },
    h('div.card-header', {}, h('h2', {}, 'Anomalies'), h('span.muted', {}, `${open} open in range`)),
    sorted.length === 0
      ? emptyState('No anomalies in this range', warmingUp(judging))
      : h('div.table-scroll', {}, h('table.data-table.anomalies-table', {},
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, 'Kind'),
          h('th', { scope: 'col' }, 'Series or function'),
          h('th', { scope: 'col' }, 'Host'), h('th.num', { scope: 'col' }, 'Value'),
          h('th.num', { scope: 'col' }, 'Score'), h('th', { scope: 'col' }, 'What changed'),
          h('th', { scope: 'col' }, 'Status'))),
        h('tbody', {}, sorted.map((a) => anomalyRow(appId, a, canAcknowledge, reload))))));
}

function anomalyRow(appId, anomaly, canAcknowledge, reload) {
  const about = describeAnomaly(appId, anomaly);
  const status = h('div.anomaly-status');
  const showStatus = () => replaceChildren(status, anomaly.acknowledged
    ? h('span.muted', {}, 'Acknowledged')
    : canAcknowledge
      ? h('button.button.button-quiet', { type: 'button', onclick: acknowledge,
        'aria-label': `Acknowledge ${about.subject} at ${formatTime(anomaly.time)}` }, 'Acknowledge')
      : h('span.badge.badge-warning', {}, 'Open'),
  anomaly.rule ? ruleState(appId, anomaly, canAcknowledge, reload)
    : anomaly.muted ? h('span.badge', { title: 'A rule muted it when it was recorded' }, 'Muted')
      : canAcknowledge ? muteControl(appId, anomaly, reload) : null);
  async function acknowledge() {
    replaceChildren(status, h('span.muted', {}, 'Working…'));
    try {
      await api.acknowledgeAnomaly(appId, anomaly.id);
      anomaly.acknowledged = true;
      showStatus();
    } catch (error) {
      replaceChildren(status, h('span.form-error', { role: 'alert' }, error.message));
    }
  }
  showStatus();
  const dimmed = Boolean(anomaly.rule || anomaly.muted);
  return h(dimmed ? 'tr.anomaly-muted' : 'tr', { dataset: { anomalyId: String(anomaly.id), kind: String(anomaly.kind ?? '') } },
    h('td', {}, formatTime(anomaly.time)),
    h('td', {}, h('span.badge.anomaly-kind', {}, about.label)),
    h('td.mono', {}, h('a.anomaly-chart', { href: about.href, title: about.title }, about.subject)),
    h('td', {}, [anomaly.host, anomaly.environment].filter(Boolean).join(' · ') || '–'),
    h('td.num', {}, about.value),
    h('td.num', {}, Number.isFinite(anomaly.score) ? anomaly.score.toFixed(2) : '–'),
    h('td', {}, anomaly.message ?? ''),
    h('td.anomaly-status-cell', {}, status));
}
