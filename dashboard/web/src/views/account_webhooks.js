// Webhooks: where anomaly notifications go. The URL is a secret: sent once when the webhook is
// added, then only ever shown masked (scheme, host and its last characters). Owners add,
// test and delete; everyone sees the list and each webhook's last delivery.
import { api } from '../api.js';
import { formatTime } from '../lib/format.js';
import { h, field, replaceChildren } from './dom.js';
import { confirmButton } from './confirm_button.js';
import { inlineForm } from './inline_form.js';

export function webhooksCard(webhooks, { isOwner, reload }) {
  return h('section.card', { 'aria-labelledby': 'webhooks-title' },
    h('div.card-header', {}, h('h2#webhooks-title', {}, 'Webhooks')),
    h('p.muted', {}, 'Each new anomaly incident is POSTed to every webhook (JSON, or a Slack-compatible ' +
      'message). URLs are stored encrypted and shown masked.'),
    webhooks.length === 0
      ? h('p.empty-row', {}, 'No webhooks yet: anomalies are only shown here.')
      : h('table.data-table.webhooks-table', {},
        h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'URL'),
          h('th', { scope: 'col' }, 'Format'), h('th', { scope: 'col' }, 'Last delivery'),
          isOwner ? h('th', { scope: 'col' }, h('span.visually-hidden', {}, 'Actions')) : null)),
        h('tbody', {}, webhooks.map((webhook) => webhookRow(webhook, isOwner, reload)))),
    isOwner ? addWebhookForm(reload) : null);
}

function lastDelivery(delivery) {
  if (!delivery) return 'none yet';
  return `${delivery.outcome} · ${formatTime(delivery.time)}`;
}

function webhookRow(webhook, isOwner, reload) {
  const testStatus = h('span.muted', { role: 'status' });
  const sendTest = async () => {
    testStatus.textContent = 'Sending…';
    try {
      await api.testWebhook(webhook.id);
      testStatus.textContent = 'Test queued: reload to see the delivery.';
    } catch (error) {
      replaceChildren(testStatus, h('span.form-error', { role: 'alert' }, error.message));
    }
  };
  return h('tr', { dataset: { webhook: webhook.name } },
    h('td', {}, webhook.name), h('td.mono.webhook-url', {}, webhook.url), h('td', {}, webhook.format),
    h('td.webhook-delivery', {}, lastDelivery(webhook.delivery)),
    isOwner ? h('td.actions', {},
      h('button.button.button-quiet', { type: 'button', onclick: sendTest }, 'Send test'), testStatus,
      confirmButton('Delete', `Notifications will no longer go to "${webhook.name}".`, async () => {
        await api.deleteWebhook(webhook.id);
        reload(h('p.notice', { role: 'status' }, `Webhook "${webhook.name}" was deleted.`));
      })) : null);
}

function addWebhookForm(reload) {
  const name = h('input', { type: 'text', name: 'webhook-name', required: true, maxlength: '200',
    placeholder: 'e.g. ops channel' });
  const url = h('input', { type: 'url', name: 'webhook-url', required: true, maxlength: '2048',
    placeholder: 'https://hooks.slack.com/services/…', autocomplete: 'off' });
  const format = h('select', { name: 'webhook-format' },
    h('option', { value: 'json' }, 'JSON'), h('option', { value: 'slack' }, 'Slack message'));
  return inlineForm({ title: 'Add a webhook',
    fields: [field('Webhook name', name), field('Webhook URL', url, 'http or https; kept secret once added'),
      field('Format', format)],
    submitLabel: 'Add webhook',
    onSubmit: async () => {
      const added = await api.addWebhook(name.value.trim(), url.value.trim(), format.value);
      url.value = '';
      reload(h('p.notice', { role: 'status' }, `Webhook "${name.value.trim()}" added: ${added.url}`));
    } });
}
