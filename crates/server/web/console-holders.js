/* qianbao web — the console's holder 360: search by phone, wallet id or ID number (the server
 * looks the number up through its blind index and never shows it), the profile (level, status,
 * masked cards, balances and holds, records, sessions, notifications, what waits for a checker),
 * and the actions on a wallet. Opening a profile is an audited view on the server. */
import { $, el } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { form } from './common.js';
import { showError } from './errors.js';
import { dateTime } from './dates.js';
import { can } from './console-state.js';
import { actionButton, done, money, pill, put, required, signedFen, table } from './console-ui.js';

let current = null;

function resultsTable(rows) {
  return table([
    { head: 'console.col.wallet', cell: (h) => el('a', { href: '#/holders/' + h.holder_id, class: 'mono', text: h.wallet_id }) },
    { head: 'console.col.phone', cell: (h) => h.phone },
    { head: 'console.col.name', cell: (h) => h.masked_name || '—' },
    { head: 'console.col.level', cell: (h) => 'L' + h.kyc_level },
    { head: 'console.col.status', cell: (h) => pill(h.status) },
  ], rows, { id: (h) => h.holder_id, empty: 'console.holders.none', tableId: 'holder-results-table' });
}

/** Wires the search form. */
export function initHolders() {
  form('holder-search-form', async () => {
    const by = $('holder-search-by').value;
    const text = required('holder-search-text');
    const rows = await api('POST', '/v1/console/holders/search', { body: { [by]: text } });
    $('holder-profile').hidden = true;
    put('holder-results', resultsTable(rows));
    if (rows.length === 1) location.hash = '#/holders/' + rows[0].holder_id;
  });
}

/** `#/holders` shows the search; `#/holders/<id>` the profile. */
export async function showHolders(path) {
  if (path[0]) {
    await showProfile(path[0]);
  } else {
    $('holder-profile').hidden = true;
    $('holder-results').hidden = false;
    $('holder-search-text').focus();
  }
}

function facts(pairs) {
  const dl = el('dl', { class: 'facts' });
  for (const [key, value, id] of pairs) {
    dl.append(el('dt', { class: 'muted', text: t(key) }), el('dd', { id }, value));
  }
  return dl;
}

function actions(profile) {
  const h = profile.holder;
  const box = el('div', { class: 'card', id: 'holder-actions' });
  box.append(el('h3', { text: t('console.holder.actions') }));
  const errorId = 'holder-action-error';
  const reason = el('input', { id: 'holder-reason', autocomplete: 'off' });
  box.append(el('div', { class: 'console-actions' },
    el('div', { class: 'field' }, el('label', { for: 'holder-reason', text: t('console.reason') }), reason)));
  const row = el('div', { class: 'console-actions' });
  const post = (path, key) => async () => {
    const why = required('holder-reason');
    await api('POST', '/v1/console/holders/' + h.holder_id + path, { body: { reason: why } });
    done(key);
    await showProfile(h.holder_id);
  };
  if (can('holders', 'manage')) {
    if (h.status === 'frozen') {
      row.append(actionButton('console.holder.unfreeze', 'holder-unfreeze', async () => {
        const why = required('holder-reason');
        await api('POST', '/v1/console/commands', { body: { command: { kind: 'unfreeze', holder_id: h.holder_id }, reason: why } });
        done('console.proposed');
        await showProfile(h.holder_id);
      }, errorId));
    } else {
      row.append(actionButton('console.holder.freeze', 'holder-freeze', post('/freeze', 'console.holder.frozen'), errorId, 'danger'));
    }
    if (h.status === 'restricted') {
      row.append(actionButton('console.holder.unrestrict', 'holder-unrestrict', post('/unrestrict', 'console.holder.unrestricted'), errorId));
    } else if (h.status === 'active') {
      row.append(actionButton('console.holder.restrict', 'holder-restrict', post('/restrict', 'console.holder.restricted'), errorId));
    }
    row.append(actionButton('console.holder.end_sessions', 'holder-end-sessions', post('/sessions/end', 'console.holder.sessions_ended'), errorId));
    row.append(actionButton('console.holder.reset_lock', 'holder-reset-lock', post('/login-lock/reset', 'console.holder.lock_reset'), errorId));
  }
  box.append(row, el('p', { id: errorId, class: 'error', role: 'alert', hidden: true }));
  return box;
}

function adjustmentForm(profile) {
  const h = profile.holder;
  const f = el('form', { class: 'card', id: 'adjust-form' },
    el('h3', { text: t('console.adjust.title') }),
    el('p', { class: 'muted small', text: t('console.adjust.help') }),
    el('div', { class: 'console-actions' },
      el('div', { class: 'field' }, el('label', { for: 'adjust-amount', text: t('console.adjust.amount') }),
        el('input', { id: 'adjust-amount', inputmode: 'decimal', autocomplete: 'off', placeholder: '-12.30' })),
      el('div', { class: 'field' }, el('label', { for: 'adjust-reason', text: t('console.reason') }),
        el('input', { id: 'adjust-reason', autocomplete: 'off' })),
      el('button', { type: 'submit', id: 'adjust-submit', class: 'btn btn-primary', text: t('console.propose') })),
    el('p', { id: 'adjust-error', class: 'error', role: 'alert', hidden: true }));
  form(f, async () => {
    const amount = signedFen('adjust-amount');
    const reason = required('adjust-reason');
    await api('POST', '/v1/console/commands', { body: { command: { kind: 'adjustment', holder_id: h.holder_id, amount, currency: 'CNY' }, reason } });
    done('console.proposed');
    await showProfile(h.holder_id);
  });
  return f;
}

function pendingBanner(commands) {
  if (!commands || commands.length === 0) return null;
  return el('div', { class: 'banner banner-warn', id: 'holder-pending' },
    ...commands.map((c) => el('p', { dataset: { action: c.action }, text: t('console.holder.pending', { action: t('console.action.' + c.action), reason: c.reason }) })));
}

function profileView(p) {
  const h = p.holder;
  const node = el('div', { dataset: { holder: h.holder_id } });
  node.append(el('div', { class: 'card' },
    el('h3', { text: (h.masked_name || h.phone) + ' ' }, pill(h.status)),
    facts([
      ['console.col.holder', h.holder_id, 'holder-id'],
      ['console.col.wallet', h.wallet_id, 'holder-wallet'],
      ['console.col.phone', h.phone, 'holder-phone'],
      ['console.col.level', 'L' + h.kyc_level, 'holder-level'],
      ['console.col.status', h.status, 'holder-status'],
    ])));
  const pending = pendingBanner(p.pending_commands);
  if (pending) node.append(pending);
  node.append(actions(p));
  if (can('money', 'manage')) node.append(adjustmentForm(p));
  node.append(el('h3', { text: t('console.holder.accounts') }), table([
    { head: 'console.col.kind', cell: (a) => a.kind },
    { head: 'console.col.balance', cell: (a) => money(a.balance, a.currency), num: true },
    { head: 'console.col.held', cell: (a) => money(a.held, a.currency), num: true },
  ], p.accounts, { tableId: 'holder-accounts' }));
  node.append(el('h3', { text: t('console.holder.cards') }), table([
    { head: 'console.col.bank', cell: (c) => c.bank_name },
    { head: 'console.col.card', cell: (c) => '•••• ' + c.last4 },
    { head: 'console.col.status', cell: (c) => pill(c.status) },
  ], p.cards));
  node.append(el('h3', { text: t('console.holder.records') }), table([
    { head: 'console.col.time', cell: (r) => dateTime(r.created_at) },
    { head: 'console.col.kind', cell: (r) => r.kind },
    { head: 'console.col.amount', cell: (r) => (r.direction === 'in' ? '+' : '-') + money(r.amount), num: true },
    { head: 'console.col.status', cell: (r) => pill(r.status) },
    { head: 'console.col.id', cell: (r) => el('code', { class: 'hash', text: r.id }) },
  ], p.records, { tableId: 'holder-records' }));
  node.append(el('h3', { text: t('console.holder.risk') }), table([
    { head: 'console.col.time', cell: (d) => dateTime(d.created_at) },
    { head: 'console.col.kind', cell: (d) => d.call },
    { head: 'console.col.amount', cell: (d) => money(d.amount), num: true },
    { head: 'console.col.verdict', cell: (d) => pill(d.verdict) },
    { head: 'console.col.reason_code', cell: (d) => d.reason || '—' },
  ], p.risk_decisions, { tableId: 'holder-risk' }));
  node.append(el('h3', { text: t('console.holder.sessions') }), table([
    { head: 'console.col.device', cell: (s) => s.device_name },
    { head: 'console.col.last_seen', cell: (s) => dateTime(s.last_seen_at) },
  ], p.sessions, { tableId: 'holder-sessions' }));
  node.append(el('h3', { text: t('console.holder.notifications') }), table([
    { head: 'console.col.time', cell: (n) => dateTime(n.created_at) },
    { head: 'console.col.kind', cell: (n) => n.kind },
    { head: 'console.col.title', cell: (n) => n.title },
  ], p.notifications, { tableId: 'holder-notifications' }));
  return node;
}

/** Loads and shows one holder's profile (an audited view). */
export async function showProfile(holderId) {
  const box = $('holder-profile');
  try {
    const p = await api('GET', '/v1/console/holders/' + encodeURIComponent(holderId));
    current = p;
    put(box, profileView(p));
  } catch (err) {
    current = null;
    put(box, el('p', { class: 'error', role: 'alert', id: 'holder-profile-error' }));
    showError('holder-profile-error', err);
  }
  $('holder-results').hidden = true;
  box.hidden = false;
  return current;
}
