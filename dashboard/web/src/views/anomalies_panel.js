// Anomalies tab: the points the server's detectors flagged in the range, newest first,
// each with an Acknowledge button and a mute control (viewers only read). Anomalies of a
// muted rule are dimmed and show the rule's state (anomaly_mute.js).
import { api } from '../api.js';
import { formatTime, formatValue } from '../lib/format.js';
import { formatRoute } from '../lib/route.js';
import { h, replaceChildren } from './dom.js';
import { loadInto, emptyState } from './states.js';
import { muteControl, ruleState, muteRulesCard } from './anomaly_mute.js';

export function renderAnomaliesPanel(panel, ctx) {
  const { appId, scope, signal, session } = ctx;
  const canAcknowledge = session?.user?.role !== 'viewer';
  const reload = () => renderAnomaliesPanel(panel, ctx);
  loadInto(panel, { loadingText: 'Loading anomalies…',
    fetch: () => Promise.all([api.anomalies(appId, { from: scope.from, to: scope.to }, signal),
      api.muteRules(appId, signal)]),
    render: ([{ anomalies = [] }, { rules = [] }]) => h('div', {},
      anomaliesCard(appId, anomalies, canAcknowledge, reload),
      rules.length ? muteRulesCard(appId, rules, canAcknowledge, reload) : null) });
}

function anomaliesCard(appId, anomalies, canAcknowledge, reload) {
  const sorted = [...anomalies].sort((a, b) => b.time - a.time);
  const open = sorted.filter((a) => !a.acknowledged && !a.muted && !a.rule).length;
  return h('div.card', { role: 'region', 'aria-label': 'Anomalies' },
    h('div.card-header', {}, h('h2', {}, 'Anomalies'), h('span.muted', {}, `${open} open in range`)),
    sorted.length === 0
      ? emptyState('No anomalies in this range',
        'Every metric series is watched: spikes, level shifts and leaks show up here once a series has a day of history.')
      : h('div.table-scroll', {}, h('table.data-table.anomalies-table', {},
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, 'Series'),
          h('th', { scope: 'col' }, 'Host'), h('th.num', { scope: 'col' }, 'Value'),
          h('th.num', { scope: 'col' }, 'Score'), h('th', { scope: 'col' }, 'What changed'),
          h('th', { scope: 'col' }, 'Status'))),
        h('tbody', {}, sorted.map((a) => anomalyRow(appId, a, canAcknowledge, reload))))));
}

/** The Metrics tab from 3 h before the point to 1 h after it, filtered to its host and environment. */
function chartLink(appId, anomaly) {
  return formatRoute(['apps', appId, 'metrics'], { range: 'custom', from: anomaly.time - 3 * 3600,
    to: anomaly.time + 3600, host: anomaly.host, environment: anomaly.environment });
}

function anomalyRow(appId, anomaly, canAcknowledge, reload) {
  const status = h('td.anomaly-status');
  const showStatus = () => replaceChildren(status, anomaly.acknowledged
    ? h('span.muted', {}, 'Acknowledged')
    : canAcknowledge
      ? h('button.button.button-quiet', { type: 'button', onclick: acknowledge,
        'aria-label': `Acknowledge ${anomaly.category} / ${anomaly.name} at ${formatTime(anomaly.time)}` }, 'Acknowledge')
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
  return h(dimmed ? 'tr.anomaly-muted' : 'tr', { dataset: { anomalyId: String(anomaly.id) } },
    h('td', {}, formatTime(anomaly.time)),
    h('td.mono', {}, h('a.anomaly-chart', { href: chartLink(appId, anomaly),
      title: 'The metric charts around this point, on its host' }, `${anomaly.category} / ${anomaly.name}`)),
    h('td', {}, [anomaly.host, anomaly.environment].filter(Boolean).join(' · ') || '–'),
    h('td.num', {}, formatValue(anomaly.value, anomaly.unit ?? '')),
    h('td.num', {}, Number.isFinite(anomaly.score) ? anomaly.score.toFixed(2) : '–'),
    h('td', {}, anomaly.message ?? ''),
    status);
}
