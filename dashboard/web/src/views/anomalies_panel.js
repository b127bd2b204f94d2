// Anomalies tab: what the server's detectors flagged in the range (metric points, leaks,
// hot-spot regressions, errors), newest first, each with an Acknowledge button (viewers
// only read). anomaly_kinds.js says how each kind reads and where it links.
import { api } from '../api.js';
import { formatTime } from '../lib/format.js';
import { describeAnomaly } from './anomaly_kinds.js';
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
        'Every metric series is watched (spikes and level shifts show up once a series has a day of history), and so are heap growth, functions that got slower and new errors.')
      : h('div.table-scroll', {}, h('table.data-table.anomalies-table', {},
        h('thead', {}, h('tr', {},
          h('th', { scope: 'col' }, 'Time'), h('th', { scope: 'col' }, 'Kind'),
          h('th', { scope: 'col' }, 'Series or function'),
          h('th', { scope: 'col' }, 'Host'), h('th.num', { scope: 'col' }, 'Value'),
          h('th.num', { scope: 'col' }, 'Score'), h('th', { scope: 'col' }, 'What changed'),
          h('th', { scope: 'col' }, 'Status'))),
        h('tbody', {}, sorted.map((a) => anomalyRow(appId, a, canAcknowledge))))));
}

function anomalyRow(appId, anomaly, canAcknowledge) {
  const about = describeAnomaly(appId, anomaly);
  const status = h('td.anomaly-status');
  const showStatus = () => replaceChildren(status, anomaly.acknowledged
    ? h('span.muted', {}, 'Acknowledged')
    : canAcknowledge
      ? h('button.button.button-quiet', { type: 'button', onclick: acknowledge,
        'aria-label': `Acknowledge ${about.subject} at ${formatTime(anomaly.time)}` }, 'Acknowledge')
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
  return h('tr', { dataset: { anomalyId: String(anomaly.id), kind: String(anomaly.kind ?? '') } },
    h('td', {}, formatTime(anomaly.time)),
    h('td', {}, h('span.badge.anomaly-kind', {}, about.label)),
    h('td.mono', {}, h('a.anomaly-chart', { href: about.href, title: about.title }, about.subject)),
    h('td', {}, [anomaly.host, anomaly.environment].filter(Boolean).join(' · ') || '–'),
    h('td.num', {}, about.value),
    h('td.num', {}, Number.isFinite(anomaly.score) ? anomaly.score.toFixed(2) : '–'),
    h('td', {}, anomaly.message ?? ''),
    status);
}
