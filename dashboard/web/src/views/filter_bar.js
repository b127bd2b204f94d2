// Filters by version, environment and host. Options come from the API's filters for the
// range; a chosen value stays selectable even when the range no longer has it.
import { h, field, select } from './dom.js';

export const FILTER_NAMES = [
  { key: 'version', label: 'Version', optionsKey: 'versions' },
  { key: 'environment', label: 'Environment', optionsKey: 'environments' },
  { key: 'host', label: 'Host', optionsKey: 'hosts' },
];

/**
 * @param available {versions, environments, hosts}
 * @param chosen {version?, environment?, host?} current URL parameters
 * @param onChange(params) one changed filter, '' meaning "all"
 */
export function filterBar(available, chosen, onChange) {
  return h('div.filter-bar', {}, FILTER_NAMES.map(({ key, label, optionsKey }) => {
    const values = new Set(available?.[optionsKey] ?? []);
    if (chosen[key]) values.add(chosen[key]);
    const control = select({ name: key, disabled: values.size === 0 && !chosen[key] },
      [{ value: '', label: 'All' }, ...[...values].sort()], chosen[key] ?? '');
    control.addEventListener('change', () => onChange({ [key]: control.value }));
    return field(label, control);
  }));
}
