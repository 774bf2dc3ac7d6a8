/* qianbao web, holder's app — points (积分). #/points: the holder's points (GET /v1/me/points):
 * the balance with what it is worth (one fen a point), what lapses when (soonest first), and the
 * history (newest first: earned, redeemed, returned by a refund, taken back by a refund, lapsed),
 * each line with its shop and time. Asked for afresh each time the screen is shown.
 *
 * The pay confirmation (app-scan.js) asks `pointsBalance` for the points it may offer. */
import { $, clear, el } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { showError } from './errors.js';
import { formatMoney } from './money.js';
import { dateTime } from './dates.js';

/** The kinds of a history line the page has words for. */
const KINDS = ['earned', 'redeemed', 'returned', 'taken_back', 'expired'];

/** The holder's points balance now (0 without any). */
export async function pointsBalance() {
  const r = await api('GET', '/v1/me/points');
  return (r && r.balance) || 0;
}

/** A count of points, signed when asked: "+50", "-30", "120". */
function count(n, signed) {
  return (signed && n > 0 ? '+' : '') + String(n);
}

/** The answer this screen last drew, to redraw in another language without asking again. */
let shown = null;

/** Draws `r` (the API's answer). */
function draw(r) {
  shown = r;
  const balance = $('pts-balance');
  balance.textContent = count(r.balance, false);
  balance.dataset.points = String(r.balance);
  $('pts-worth').textContent = t('pts.worth', { amount: formatMoney(r.balance) });

  // The server lists what lapses soonest first; sorted again so the page never depends on it.
  const expiring = (r.expiring || []).slice().sort((a, b) => Date.parse(a.expires_at) - Date.parse(b.expires_at));
  const soon = clear('pts-expiring');
  expiring.forEach((x, i) => {
    soon.append(el('li', { class: 'list-item', id: 'pts-exp-' + i, dataset: { points: String(x.points), expiresAt: x.expires_at } },
      el('div', { class: 'li-main' },
        el('strong', { text: t('pts.expiring_line', { date: dateTime(x.expires_at) }) })),
      el('span', { class: 'li-amount', text: t('pts.n', { n: count(x.points, false) }) })));
  });
  $('pts-expiring-none').hidden = expiring.length > 0;

  const history = r.history || [];
  const list = clear('pts-history');
  history.forEach((h, i) => {
    const kind = KINDS.includes(h.kind) ? h.kind : 'other';
    list.append(el('li', { class: 'list-item', id: 'pts-line-' + i, dataset: { kind: h.kind, points: String(h.points) } },
      el('div', { class: 'li-main' },
        el('strong', { text: t('pts.kind.' + kind) }),
        h.memo ? el('span', { class: 'block', text: h.memo }) : null,
        el('span', { class: 'muted small block', text: dateTime(h.at) })),
      el('span', { class: 'li-amount' + (h.points > 0 ? ' amount-in' : ''), text: count(h.points, true) })));
  });
  $('pts-history-none').hidden = history.length > 0;
}

/** #/points: the holder's points. */
async function enter() {
  showError('pts-error', null);
  draw(await api('GET', '/v1/me/points'));
}

export const screens = {
  points: { enter, onLang: () => { if (shown) draw(shown); } },
};
