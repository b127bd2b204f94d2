// Mute rules from the Anomalies tab. A rule is an anomaly's kind and series (category and
// name) on its host or on every host, in the anomaly's environment (every environment when
// the anomaly has none): muting staging's alarm does not silence production's. It is muted
// for a while or turned off until turned back on. Anomalies of a muted rule are still
// recorded, shown dimmed, and never notified or counted in the applications list.
import { api } from '../api.js';
import { formatTime } from '../lib/format.js';
import { h, replaceChildren } from './dom.js';

const HOUR = 3600;
export const MUTE_CHOICES = [
  { value: String(HOUR), label: 'for 1 hour' },
  { value: String(24 * HOUR), label: 'for 1 day' },
  { value: String(7 * 24 * HOUR), label: 'for 1 week' },
  { value: 'until', label: 'until…' },
  { value: 'off', label: 'off until turned on' },
];

/** "Muted until 2026-11-25 14:00" or "Off" for a rule in force ({id, until}). */
export function describeRule(rule) {
  return rule.until === null || rule.until === undefined ? 'Off' : `Muted until ${formatTime(rule.until)}`;
}

/** The rule body for `anomaly`, muted until `until` (seconds; null: off). */
export function ruleFor(anomaly, { allHosts, until }) {
  return { kind: anomaly.kind, category: anomaly.category, name: anomaly.name,
    host: allHosts ? '' : (anomaly.host ?? ''), environment: anomaly.environment ?? '', until };
}

/** A rule's state ({id, until}) and, when the user may change it, Unmute (or Turn on). */
function ruleStateFor(appId, rule, label, canChange, onChange) {
  const holder = h('span.rule-state');
  const unmute = async () => {
    replaceChildren(holder, h('span.muted', {}, 'Working…'));
    try {
      await api.deleteMuteRule(appId, rule.id);
      onChange();
    } catch (error) {
      replaceChildren(holder, h('span.form-error', { role: 'alert' }, error.message));
    }
  };
  replaceChildren(holder, h('span.badge', {}, describeRule(rule)),
    canChange ? h('button.button.button-quiet', { type: 'button', onclick: unmute,
      'aria-label': `Unmute ${label}` }, rule.until === null ? 'Turn on' : 'Unmute') : null);
  return holder;
}

/** The state of the rule in force over `anomaly`. */
export function ruleState(appId, anomaly, canChange, onChange) {
  return ruleStateFor(appId, anomaly.rule, `${anomaly.category} / ${anomaly.name}`, canChange, onChange);
}

/** Every rule in force for the app, anomalies in range or not, each with its Unmute. */
export function muteRulesCard(appId, rules, canChange, onChange) {
  return h('div.card', { role: 'region', 'aria-label': 'Muted rules' },
    h('div.card-header', {}, h('h2', {}, 'Muted rules'),
      h('span.muted', {}, 'Their anomalies are recorded but not notified or counted')),
    h('table.data-table.mute-rules-table', {},
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Kind'), h('th', { scope: 'col' }, 'Series'),
        h('th', { scope: 'col' }, 'Where'), h('th', { scope: 'col' }, 'State'))),
      h('tbody', {}, rules.map((rule) => {
        const label = `${rule.category} / ${rule.name}`;
        const where = [rule.host || 'every host', rule.environment || null].filter(Boolean).join(' · ');
        return h('tr', { dataset: { ruleId: String(rule.id) } }, h('td', {}, rule.kind), h('td.mono', {}, label),
          h('td', {}, where), h('td', {}, ruleStateFor(appId, rule, label, canChange, onChange)));
      }))));
}

/** A select (1 h, 1 d, 1 w, until…, off) and an "every host" box; applies on choice. */
export function muteControl(appId, anomaly, onChange) {
  const label = `${anomaly.category} / ${anomaly.name}`;
  const problem = h('span.form-error', { role: 'alert' });
  const allHosts = h('input', { type: 'checkbox', 'aria-label': `Mute ${label} on every host` });
  const untilInput = h('input', { type: 'datetime-local', 'aria-label': `Mute ${label} until`, hidden: true });
  const choice = h('select', { 'aria-label': `Mute ${label}` },
    h('option', { value: '' }, 'Mute…'),
    MUTE_CHOICES.map(({ value, label: text }) => h('option', { value }, text)));
  const apply = async (until) => {
    problem.textContent = '';
    try {
      await api.setMuteRule(appId, ruleFor(anomaly, { allHosts: allHosts.checked, until }));
      onChange();
    } catch (error) {
      problem.textContent = error.message;
    }
  };
  choice.addEventListener('change', () => {
    const value = choice.value;
    untilInput.hidden = value !== 'until';
    if (value === '' || value === 'until') return;
    apply(value === 'off' ? null : Math.floor(Date.now() / 1000) + Number(value));
  });
  untilInput.addEventListener('change', () => {
    const time = new Date(untilInput.value).getTime();
    if (Number.isFinite(time)) apply(Math.floor(time / 1000));
  });
  return h('span.mute-control', {}, choice, untilInput, h('label.mute-all-hosts', {}, allHosts, 'every host'), problem);
}
