// The frame around every signed-in page: brand, navigation, who is signed in, logout.
import { h, replaceChildren } from './dom.js';

const NAV = [
  { key: 'apps', label: 'Applications', href: '#/apps' },
  { key: 'account', label: 'Account', href: '#/account' },
];

/** Renders the frame into `root` and returns the element pages render into. */
export function renderShell(root, { session, active, onLogout }) {
  const outlet = h('main.page', { id: 'main', tabindex: '-1' });
  replaceChildren(root,
    h('a.skip-link', { href: '#main', onclick: (event) => { event.preventDefault(); outlet.focus(); } },
      'Skip to content'),
    h('header.topbar', {},
      h('a.brand', { href: '#/apps', 'aria-label': 'siagent dashboard home' },
        h('span.brand-mark', { 'aria-hidden': 'true' }), 'siagent'),
      h('nav.topnav', { 'aria-label': 'Main' },
        NAV.map((item) => h('a', { href: item.href,
          'aria-current': item.key === active ? 'page' : null }, item.label))),
      h('div.topbar-user', {},
        h('span.user-email', { title: session.account?.name ?? '' }, session.user?.email ?? ''),
        h('span.role-badge', {}, session.user?.role ?? ''),
        h('button.button.button-quiet', { type: 'button', onclick: onLogout }, 'Log out'))),
    outlet);
  return outlet;
}
