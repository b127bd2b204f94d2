// How to connect an agent: what the empty states show, with this dashboard's own address.
import { h } from './dom.js';

export function connectCommand({ key = '<your agent key>', appName = 'my-app' } = {}) {
  return `LD_PRELOAD=/path/libsiagent.so SI_AGENT_KEY=${key} ` +
    `SI_DASHBOARD_ADDRESS=${window.location.origin} SI_APP_NAME=${appName} ./app`;
}

/** The connect instructions, for empty states. */
export function connectHelp(options = {}) {
  return h('div.connect-help', {},
    h('p', {}, 'Start your program with the siagent agent preloaded; it reports here within a few minutes:'),
    h('pre.command', {}, h('code', {}, connectCommand(options))),
    h('p.muted', {}, 'Create an agent key on the ', h('a', { href: '#/account' }, 'Account'),
      ' page. Data shows up after the first report (every 60 s by default).'));
}
