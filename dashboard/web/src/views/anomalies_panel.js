// Anomalies tab: the points the server's detectors flagged in the range, newest first,
// each with an Acknowledge button (viewers only read).
import { api } from '../api.js';
import { formatTime, formatValue } from '../lib/format.js';
import { formatRoute } from '../lib/route.js';
import { h, replaceChildren } from './dom.js';
import { loadInto, emptyState } from './states.js';

export function renderAnomaliesPanel(panel, { appId, scope, signal, session }) {
  const canAcknowledge = session?.user?.role !== 'viewer';
  loadInto(panel, { loadingText: 'Loading anomalies…',
    fetch: () => api.anomalies(appId, { from: scope.from, to: scope.to }, signal),
    render: ({ anomalies = [] }) => anomaliesCard(appId, anomalies, canAcknowledge) });
}

function anomaliesCard(appId, anomalies, canAcknowledge) {
  const sorted = [...anomalies].sort((a, b) => b.time - a.time);
  const open = sorted.filter((a) => !a.acknowledged).length;
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
        h('tbody', {}, sorted.map((a) => anomalyRow(appId, a, canAcknowledge))))));
}

/** The Metrics tab from 3 h before the point to 1 h after it, filtered to its host and environment. */
function chartLink(appId, anomaly) {
  return formatRoute(['apps', appId, 'metrics'], { range: 'custom', from: anomaly.time - 3 * 3600,
    to: anomaly.time + 3600, host: anomaly.host, environment: anomaly.environment });
}

function anomalyRow(appId, anomaly, canAcknowledge) {
  const status = h('td.anomaly-status');
  const showStatus = () => replaceChildren(status, anomaly.acknowledged
    ? h('span.muted', {}, 'Acknowledged')
    : canAcknowledge
      ? h('button.button.button-quiet', { type: 'button', onclick: acknowledge,
        'aria-label': `Acknowledge ${anomaly.category} / ${anomaly.name} at ${formatTime(anomaly.time)}` }, 'Acknowledge')
      : h('span.badge.badge-warning', {}, 'Open'));
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
  return h('tr', { dataset: { anomalyId: String(anomaly.id) } },
    h('td', {}, formatTime(anomaly.time)),
    h('td.mono', {}, h('a.anomaly-chart', { href: chartLink(appId, anomaly),
      title: 'The metric charts around this point, on its host' }, `${anomaly.category} / ${anomaly.name}`)),
    h('td', {}, [anomaly.host, anomaly.environment].filter(Boolean).join(' · ') || '–'),
    h('td.num', {}, formatValue(anomaly.value, anomaly.unit ?? '')),
    h('td.num', {}, Number.isFinite(anomaly.score) ? anomaly.score.toFixed(2) : '–'),
    h('td', {}, anomaly.message ?? ''),
    status);
}
