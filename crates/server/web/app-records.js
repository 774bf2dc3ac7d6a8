/* qianbao web, holder's app — records (#/records): the month summary (income and spending with
 * others, own-card moves apart) as a bar chart, the list under month headers, filtered by type and
 * dates with "load more" (a payment held for review, or rejected by the reviewer, says so), each
 * record opening its detail page (#/record?id=…), and the CSV download link with the same filters
 * in the page's language. Every amount is written in its record's currency, by that currency's
 * exponent (a conversion's two records: out in the currency sold, in in the one bought). */
import { $, announce, clear, el, svg } from './dom.js';
import { api } from './http.js';
import { t, hasText, lang } from './i18n.js';
import { showError } from './errors.js';
import { form } from './common.js';
import { chinaDay, dateTime } from './dates.js';
import { formatMinor, formatMoney } from './money.js';
import { go, route } from './app-router.js';

/** The next page's cursor, the filters applied and the month of the last record listed. */
const rec = { cursor: null, filters: {}, month: null };

/** The types whose money only moves between the holder's own card and wallet. */
const OWN_CARD = ['topup', 'withdrawal', 'settlement'];
/** Moves between the holder's own currencies: neither income nor spending, and not in yuan alone,
 * so the month summary (its totals are CNY) leaves them out. */
const OWN_CURRENCY = ['conversion'];

function csvHref(filters) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  q.set('lang', lang() === 'zh' ? 'zh' : 'en');
  const s = q.toString();
  return '/v1/me/transactions.csv' + (s ? '?' + s : '');
}

function typeLabel(type) { return hasText('type.' + type) ? t('type.' + type) : type; }

/** What a status adds under a record: where the money is while a reviewer decides, or after. */
const STATUS_NOTE = { held_for_review: 'records.held_note', rejected: 'records.rejected_note' };
/** The pill's colour for a status. */
const STATUS_PILL = { held_for_review: 'pill pill-held', rejected: 'pill pill-rejected', failed: 'pill pill-rejected', cancelled: 'pill pill-grey' };

/** A record's month in China time, `YYYY-MM`. */
function monthOf(iso) { return chinaDay(new Date(iso)).slice(0, 7); }

/** `2027-01` → "2027年1月" (zh) or "January 2027" (en). */
function monthLabel(month) {
  const [y, m] = month.split('-').map(Number);
  return new Date(Date.UTC(y, m - 1, 1)).toLocaleDateString(lang() === 'zh' ? 'zh-CN' : 'en-GB', { year: 'numeric', month: 'long', timeZone: 'UTC' });
}

/** The icons of the records list, one inline SVG path per category (24×24, stroked). */
const ICON_PATHS = {
  transfer_in: 'M17 7L7 17M7 9v8h8',
  transfer_out: 'M7 17L17 7M9 7h8v8',
  payment: 'M4 9l1.5-5h13L20 9M4 9h16M4 9v1a3 3 0 0 0 5.3 2A3 3 0 0 0 12 13a3 3 0 0 0 2.7-1A3 3 0 0 0 20 10V9M5 13v7h14v-7',
  refund: 'M9 14L4 9l5-5M4 9h11a5 5 0 0 1 0 10h-3',
  topup: 'M3 6h18v12H3zM12 9v6M9 12h6',
  withdrawal: 'M3 6h18v12H3zM9 12h6',
  settlement: 'M3 10l9-6 9 6M5 10v8M19 10v8M9 10v8M15 10v8M3 20h18',
  adjustment: 'M12 5v6M9 8h6M9 17h6',
  held: 'M12 3l8 3v6c0 5-3.5 8-8 9-4.5-1-8-4-8-9V6zM12 8v5l3 2',
  conversion: 'M4 9h14l-4-4M20 15H6l4 4',
  other: 'M12 12h.01',
};

/** A record's category for its icon: held money first, then the kind (and way, for transfers). */
function category(x) {
  if (x.status === 'held_for_review') return 'held';
  if (x.type === 'transfer') return x.direction === 'in' ? 'transfer_in' : 'transfer_out';
  return ICON_PATHS[x.type] ? x.type : 'other';
}

/** A record's icon in a coloured disc; decoration only (the type is said in text). */
function icon(x) {
  const cat = category(x);
  return el('span', { class: 'record-icon record-icon-' + cat, 'aria-hidden': 'true', dataset: { icon: cat } },
    svg('svg', { viewBox: '0 0 24 24', width: 20, height: 20, fill: 'none', stroke: 'currentColor', 'stroke-width': 2,
      'stroke-linecap': 'round', 'stroke-linejoin': 'round', 'aria-hidden': 'true', focusable: 'false' },
    svg('path', { d: ICON_PATHS[cat] })));
}

function statusText(status) { return hasText('status.' + status) ? t('status.' + status) : status; }

/** A record's note in the page's language: a conversion's "rate 0.1403…" becomes "汇率 0.1403…". */
function memoText(x) {
  const m = x.type === 'conversion' && /^rate (\S+)$/.exec(x.memo || '');
  return m ? t('record.rate', { rate: m[1] }) : x.memo;
}

function recordItem(x) {
  const sign = x.direction === 'in' ? '+' : '−';
  const status = x.status || 'succeeded';
  const voided = ['rejected', 'failed', 'cancelled'].includes(status);
  return el('li', { class: 'list-item record', id: 'rec-' + x.id, dataset: { type: x.type, direction: x.direction, status } },
    el('a', { class: 'record-link', href: '#/record?id=' + encodeURIComponent(x.id) },
      icon(x),
      el('div', { class: 'li-main' },
        el('strong', { text: typeLabel(x.type) + (x.counterparty ? ' · ' + x.counterparty : '') }),
        el('span', { class: 'muted small block', text: dateTime(x.created_at) + (x.memo ? ' · ' + memoText(x) : '') + (x.fee ? ' · ' + t('quote.fee') + ' ' + formatMinor(x.fee, x.currency) : '') }),
        STATUS_NOTE[status] ? el('span', { class: 'small block record-note record-note-' + status, text: t(STATUS_NOTE[status]) }) : null),
      el('div', { class: 'li-amount' },
        el('span', { class: 'amount ' + (x.direction === 'in' ? 'amount-in' : 'amount-out') + (voided ? ' amount-void' : ''), text: sign + formatMinor(x.amount, x.currency), dataset: { currency: x.currency || 'CNY' } }),
        status !== 'succeeded' ? el('span', { class: STATUS_PILL[status] || 'pill', id: 'rec-status-' + x.id, text: statusText(status) }) : null)));
}

async function loadRecords(more) {
  showError('records-error', null);
  const r = await api('GET', '/v1/me/transactions', { query: Object.assign({ limit: 20, cursor: more ? rec.cursor : undefined }, rec.filters) });
  if (!more) { rec.cursor = null; rec.month = null; clear('records-list'); }
  const list = $('records-list');
  for (const x of r.items || []) {
    const month = monthOf(x.created_at);
    if (month !== rec.month) {
      rec.month = month;
      list.append(el('li', { class: 'records-month', id: 'rec-month-' + month }, el('h3', { text: monthLabel(month) })));
    }
    list.append(recordItem(x));
  }
  rec.cursor = r.next_cursor || null;
  $('records-more').hidden = !rec.cursor;
  $('records-empty').hidden = list.children.length > 0;
}

function drawSummary(s) {
  $('summary-in').textContent = formatMoney(s.total_in);
  $('summary-out').textContent = formatMoney(s.total_out);
  // Money moved with one's own card is neither income nor spending: said apart, when there was any.
  // (The server's summary is in yuan and leaves conversions out.)
  const ownIn = s.own_card_in || 0;
  const ownOut = s.own_card_out || 0;
  $('summary-own').hidden = !ownIn && !ownOut;
  $('summary-own-in').textContent = formatMoney(ownIn);
  $('summary-own-out').textContent = formatMoney(ownOut);
  const box = clear('summary-chart');
  const cats = (s.categories || []).filter((c) => !OWN_CARD.includes(c.type) && !OWN_CURRENCY.includes(c.type));
  if (!cats.length) { box.append(el('p', { class: 'muted center', text: t('summary.none') })); return; }
  const max = Math.max(1, ...cats.map((c) => c.total));
  const rowH = 30;
  const W = 320;
  const labelW = 96;
  const valueW = 92;
  const barMax = W - labelW - valueW - 8;
  const chart = svg('svg', { viewBox: '0 0 ' + W + ' ' + (cats.length * rowH + 4), width: '100%', class: 'bars', 'aria-hidden': 'true', focusable: 'false' });
  cats.forEach((c, i) => {
    const y = i * rowH + 4;
    const w = Math.max(2, Math.round((c.total / max) * barMax));
    chart.append(svg('text', { x: 0, y: y + 17, class: 'bar-label' }, typeLabel(c.type) + ' · ' + t('dir.' + c.direction)));
    chart.append(svg('rect', { x: labelW, y: y + 4, width: w, height: 18, rx: 4, class: c.direction === 'in' ? 'bar-in' : 'bar-out' }));
    chart.append(svg('text', { x: labelW + w + 6, y: y + 17, class: 'bar-value' }, formatMoney(c.total)));
  });
  box.append(chart);
  // The same numbers as text, for screen readers.
  const table = el('ul', { class: 'sr-only' });
  cats.forEach((c) => table.append(el('li', { text: t('type.' + c.type) + ' ' + t('dir.' + c.direction) + ' ' + formatMoney(c.total) + ' (' + c.count + ')' })));
  box.append(table);
}

async function loadSummary() {
  showError('summary-error', null);
  const month = $('summary-month').value || chinaDay().slice(0, 7);
  const s = await api('GET', '/v1/me/summary', { query: { month } });
  drawSummary(s);
}

async function enter() {
  if (!$('summary-month').value) $('summary-month').value = chinaDay().slice(0, 7);
  $('records-csv').href = csvHref(rec.filters);
  await Promise.all([
    loadSummary().catch((e) => showError('summary-error', e)),
    loadRecords(false).catch((e) => showError('records-error', e)),
  ]);
}

export function wire() {
  wireRecord();
  form('rec-form', async () => {
    rec.filters = { type: $('rec-type').value || undefined, from: $('rec-from').value || undefined, to: $('rec-to').value || undefined };
    $('records-csv').href = csvHref(rec.filters);
    await loadRecords(false);
  }, { errorBox: 'records-error' });
  form('summary-form', loadSummary);
  $('records-more').addEventListener('click', () => loadRecords(true).catch((e) => showError('records-error', e)));
}

/** The detail page's steps: when the record was made, then its status as it stands (only the
 * current status is kept, so no earlier step is shown that the server does not know). */
function steps(x) {
  const status = x.status || 'succeeded';
  const made = { label: t('record.made'), at: x.created_at, done: true };
  const now = { label: statusText(status), at: x.updated_at || x.created_at, done: !['pending', 'scheduled', 'held_for_review'].includes(status), current: true };
  return [made, now];
}

function row(label, value, id) {
  return el('div', { class: 'detail-row' }, el('dt', { text: label }), el('dd', { id, text: value }));
}

function drawRecord(x) {
  const status = x.status || 'succeeded';
  const sign = x.direction === 'in' ? '+' : '−';
  clear('record-type').append(icon(x), ' ' + typeLabel(x.type) + (x.counterparty ? ' · ' + x.counterparty : ''));
  const amount = $('record-amount');
  amount.textContent = sign + formatMinor(x.amount, x.currency);
  amount.className = 'amount-big ' + (x.direction === 'in' ? 'amount-in' : 'amount-out');
  const pill = $('record-status');
  pill.textContent = statusText(status);
  pill.className = status === 'succeeded' ? 'pill pill-green' : (STATUS_PILL[status] || 'pill');
  $('record-note').textContent = STATUS_NOTE[status] ? t(STATUS_NOTE[status]) : '';
  $('record-note').hidden = !STATUS_NOTE[status];
  const method = x.method === 'card' ? (x.card || t('record.method.card')) : x.method === 'balance' ? t('record.method.balance') : x.card;
  const dl = clear('record-fields');
  dl.append(...[
    row(t('f.type'), typeLabel(x.type) + ' · ' + (OWN_CARD.includes(x.type) || OWN_CURRENCY.includes(x.type) ? t('record.own_card') : t('dir.' + x.direction)), 'record-kind'),
    x.counterparty ? row(t('record.counterparty'), x.counterparty, 'record-counterparty') : null,
    method ? row(t('record.method'), method, 'record-method') : null,
    row(t('record.time'), dateTime(x.created_at), 'record-time'),
    row(t('quote.fee'), formatMinor(x.fee || 0, x.currency), 'record-fee'),
    x.memo ? row(t('record.memo'), memoText(x), 'record-memo') : null,
    row(t('record.id'), x.id, 'record-id'),
  ].filter(Boolean));
  const list = clear('record-steps');
  for (const s of steps(x)) {
    list.append(el('li', { class: 'record-step' + (s.done ? ' record-step-done' : '') + (s.current ? ' record-step-current' : ''), 'aria-current': s.current ? 'step' : null },
      el('strong', { text: s.label }), el('span', { class: 'muted small block', text: dateTime(s.at) })));
  }
}

/** The record on its page, while it is shown (the cancel buttons act on it). */
let shown = null;

/** A delayed transfer out can be cancelled from its page until it arrives, after a confirmation. */
function drawCancel(x, redrawn) {
  const can = x.type === 'transfer' && x.direction === 'out' && x.status === 'scheduled';
  $('record-cancel').hidden = !can;
  // A live notice redraws the same record: a confirmation the holder has open stays open (closing
  // it would pull 确认撤销 from under their finger) while the transfer can still be cancelled.
  if (redrawn && can) return;
  $('record-cancel-confirm').hidden = true;
  showError('record-cancel-error', null);
}

async function cancelShown() {
  const x = shown;
  const yes = $('record-cancel-yes');
  if (!x || yes.disabled) return;
  yes.disabled = true;
  showError('record-cancel-error', null);
  try {
    const r = await api('POST', '/v1/transfers/' + encodeURIComponent(x.id) + '/cancel', { body: {} });
    const done = $('record-cancelled');
    done.textContent = t('transfer.cancelled', { amount: formatMoney(r.amount, r.currency) });
    done.hidden = false;
    announce(done.textContent);
    await enterRecord();
  } catch (err) {
    showError('record-cancel-error', err);
  } finally {
    yes.disabled = false;
  }
}

/** Wires the record page's cancel buttons (once, at start, from `wire`). */
function wireRecord() {
  $('record-cancel').addEventListener('click', () => {
    if (!shown) return;
    $('record-cancel-ask').textContent = t('transfer.cancel_ask', { amount: formatMoney(shown.amount, shown.currency), name: shown.counterparty || '' });
    $('record-cancel-confirm').hidden = false;
    $('record-cancel-no').focus();
  });
  $('record-cancel-yes').addEventListener('click', () => { cancelShown(); });
  $('record-cancel-no').addEventListener('click', () => {
    $('record-cancel-confirm').hidden = true;
    $('record-cancel').focus();
  });
}

async function enterRecord() {
  showError('record-error', null);
  const id = new URLSearchParams(location.hash.split('?')[1] || '').get('id');
  // A live notice redraws the record shown: it stays on screen meanwhile (hiding it would pull
  // the buttons from under a tap); another record's page starts hidden until it is loaded.
  if (!shown || shown.id !== id) $('record-body').hidden = true;
  if (!id) { go('#/records'); return; }
  const x = await api('GET', '/v1/me/transactions/' + encodeURIComponent(id));
  const redrawn = !!shown && shown.id === x.id;
  if (!redrawn) $('record-cancelled').hidden = true;
  shown = x;
  drawRecord(x);
  drawCancel(x, redrawn);
  $('record-body').hidden = false;
}

export const screens = {
  record: {
    enter: enterRecord,
    onLang: route,
    // A live notification may be this record's new status.
    onNotice: () => { enterRecord().catch((e) => showError('record-error', e)); },
  },
  records: {
    enter,
    onLang: route,
    // A live notification is a new record: the list and the summary follow.
    onNotice: () => { loadRecords(false).catch(() => {}); loadSummary().catch(() => {}); },
  },
};
