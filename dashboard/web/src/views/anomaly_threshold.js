// The account's anomaly threshold on the Anomalies tab: a metric point whose score reaches
// it starts an anomaly (docs/anomaly-detection.md, "Threshold"). Everyone reads it; owners
// change it or go back to the default. The server bounds and validates the value; its 400
// reason is shown under the form as it came.
import { api } from '../api.js';
import { h } from './dom.js';
import { inlineForm } from './inline_form.js';

/** 0.9 → "0.9", 0.955 → "0.955": at most three decimals, no trailing zeros. */
export function thresholdText(value) {
  return Number.isFinite(value) ? String(Number(value.toFixed(3))) : '–';
}

/** setting: the GET /api/account/anomaly-threshold answer. reload() re-renders the tab. */
export function thresholdCard(setting, canChange, reload) {
  const { threshold, min, max, custom } = setting;
  const fallback = setting.default;
  const summary = h('p.anomaly-threshold', {},
    'Anomaly threshold of this account: ', h('strong.anomaly-threshold-value', {}, thresholdText(threshold)),
    custom ? ` (default ${thresholdText(fallback)})`
      : ' (the default, the optimum of the NAB benchmark for this detector)',
    '. A metric point whose score reaches it starts an anomaly; scores are in the Score column.');
  if (!canChange) return h('div.card', { role: 'region', 'aria-label': 'Anomaly threshold' }, summary);
  const input = h('input', { type: 'number', name: 'threshold', step: 'any', value: String(threshold),
    'aria-label': `New threshold, ${thresholdText(min)} to ${thresholdText(max)}` });
  const form = inlineForm({
    title: 'Change the threshold',
    fields: h('label', {}, `Threshold (${thresholdText(min)} to ${thresholdText(max)}; higher flags fewer) `, input),
    submitLabel: 'Save threshold',
    onSubmit: async () => {
      const text = input.value.trim();
      if (text === '' || !Number.isFinite(Number(text))) throw new Error('the threshold must be a number');
      await api.setAnomalyThreshold(Number(text));
      reload();
    },
  });
  const reset = custom
    ? h('button.button.button-quiet', { type: 'button', onclick: async () => {
      await api.setAnomalyThreshold(null);
      reload();
    } }, 'Back to the default')
    : null;
  return h('div.card', { role: 'region', 'aria-label': 'Anomaly threshold' }, summary, form, reset);
}
