// Time-range picker: presets (last 5 min … 7 d) or a custom from–to, and for a preset an
// auto-refresh period. It reports a change as URL parameters; the page re-renders from the URL.
import { PRESETS, REFRESH_PERIODS, rangeParams, toDateTimeLocal, fromDateTimeLocal } from '../lib/time_range.js';
import { formatTime } from '../lib/format.js';
import { h, field, select } from './dom.js';

/** @param range resolved range; @param refresh the URL's refresh; @param onChange(params) */
export function rangePicker(range, onChange, refresh = '') {
  const options = [...PRESETS.map((p) => ({ value: p.key, label: p.label })),
    { value: 'custom', label: 'Custom…' }];
  const preset = select({ name: 'range' }, options, range.key);
  const from = h('input', { type: 'datetime-local', name: 'from', value: toDateTimeLocal(range.from) });
  const to = h('input', { type: 'datetime-local', name: 'to', value: toDateTimeLocal(range.to) });
  const problem = h('p.form-error', { role: 'alert' });
  const custom = h('form.custom-range', {
    hidden: range.key !== 'custom',
    onsubmit: (event) => {
      event.preventDefault();
      const fromSeconds = fromDateTimeLocal(from.value);
      const toSeconds = fromDateTimeLocal(to.value);
      if (fromSeconds === null || toSeconds === null || fromSeconds >= toSeconds) {
        problem.textContent = 'Pick a start before the end.';
        return;
      }
      onChange(rangeParams({ key: 'custom', from: fromSeconds, to: toSeconds }));
    },
  }, field('From', from), field('To', to),
  h('button.button', { type: 'submit' }, 'Apply'), problem);

  preset.addEventListener('change', () => {
    if (preset.value === 'custom') {
      custom.hidden = false;
      from.focus();
    } else {
      onChange({ range: preset.value, from: null, to: null });
    }
  });

  const refreshChoice = select({ name: 'refresh', disabled: range.key === 'custom' },
    [{ value: '', label: 'off' }, ...REFRESH_PERIODS.map((p) => ({ value: p.key, label: p.label }))],
    range.key === 'custom' ? '' : refresh);
  refreshChoice.addEventListener('change', () => onChange({ refresh: refreshChoice.value || null }));

  return h('div.range-picker', {},
    field('Time range', preset),
    field('Refresh', refreshChoice),
    custom,
    h('span.range-summary', { 'data-testid': 'range-summary' },
      `${formatTime(range.from)} – ${formatTime(range.to)}`));
}
