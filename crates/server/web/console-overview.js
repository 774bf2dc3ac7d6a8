/* qianbao web — the console's first screen: what waits for this staff member (commands to check,
 * cases in the queues their role works) and any break of the funding invariant. */
import { clear, el } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { can } from './console-state.js';
import { money } from './console-ui.js';

/** The tiles: [section, text key, group it needs, path]. */
const TILES = [
  ['commands', 'console.tile.commands', null, '/v1/console/commands?status=pending'],
  ['kyc', 'console.tile.kyc', 'kyc', '/v1/console/queues/kyc'],
  ['risk', 'console.tile.risk', 'risk', '/v1/console/queues/risk'],
  ['closing', 'console.tile.closing', 'holders', '/v1/console/queues/closing'],
  ['recon', 'console.tile.recon', 'money', '/v1/console/recon/cases?status=open'],
];

async function count(path) {
  try {
    const rows = await api('GET', path);
    return Array.isArray(rows) ? rows.length : 0;
  } catch (_) {
    return null;
  }
}

/** Shows the overview; the counts load side by side. */
export async function showOverview() {
  const tiles = clear('overview-tiles');
  const wanted = TILES.filter(([, , group]) => !group || can(group, 'view'));
  const counts = await Promise.all(wanted.map(([, , , path]) => count(path)));
  wanted.forEach(([section, key], i) => {
    if (counts[i] === null) return;
    tiles.append(el('a', { class: 'console-tile', href: '#/' + section, id: 'tile-' + section },
      el('strong', { text: String(counts[i]) }), el('span', { class: 'muted', text: t(key) })));
  });
  const alerts = clear('overview-alerts');
  if (can('money', 'view')) {
    try {
      const breaks = await api('GET', '/v1/console/recon/alerts');
      for (const b of breaks || []) {
        alerts.append(el('p', { class: 'banner banner-warn', role: 'alert', dataset: { currency: b.currency },
          text: t('console.funding_break', { currency: b.currency, amount: money(b.difference, b.currency) }) }));
      }
    } catch (_) { /* shown in its own section */ }
  }
}
