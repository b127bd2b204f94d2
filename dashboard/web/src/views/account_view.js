// Account page: the account's users and roles, its agent keys and webhooks. Owners change things;
// members and viewers see the same lists without the controls (the server enforces it). Every
// user can change their own password.
import { api } from '../api.js';
import { h, replaceChildren } from './dom.js';
import { loadingState, errorState } from './states.js';
import { usersCard } from './account_users.js';
import { keysCard } from './account_keys.js';
import { webhooksCard } from './account_webhooks.js';
import { passwordCard } from './account_password.js';

export function renderAccount(outlet, ctx) {
  const body = h('div.account-view');
  replaceChildren(outlet, h('div.page-header', {}, h('h1', {}, 'Account')), body);
  const isOwner = ctx.session.user?.role === 'owner';

  const load = async (notice) => {
    if (!notice) replaceChildren(body, loadingState('Loading the account…'));
    try {
      const [account, { webhooks = [] } = {}] = await Promise.all([api.account(ctx.signal), api.webhooks(ctx.signal)]);
      replaceChildren(body,
        h('p.account-name', {}, 'Account ', h('strong', {}, account.name ?? ctx.session.account?.name ?? '')),
        isOwner ? null : h('p.notice', { role: 'note' }, 'Only owners can add users and agent keys.'),
        notice ?? null,
        usersCard(account.users ?? [], { isOwner, me: ctx.session.user?.email, reload: load }),
        keysCard(account.keys ?? [], { isOwner, reload: load }),
        webhooksCard(webhooks, { isOwner, reload: load }),
        passwordCard({ reload: load }));
    } catch (error) {
      if (error.name !== 'AbortError') replaceChildren(body, errorState(error, () => load()));
    }
  };
  load();
}
