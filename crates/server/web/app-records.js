/* qianbao web, holder's app — records (#/records): the month summary as a bar chart, the list
 * filtered by type and dates with "load more" (a payment held for review, or rejected by the
 * reviewer, says so), and the CSV download link with the same filters. */
import { $, clear, el, svg } from './dom.js';
import { api } from './http.js';
import { t, hasText } from './i18n.js';
import { showError } from './errors.js';
import { form } from './common.js';
import { chinaDay, dateTime } from './dates.js';
import { formatMoney } from './money.js';
import { route } from './app-router.js';

/** The next page's cursor and the filters applied. */
const rec = { cursor: null, filters: {} };

function csvHref(filters) {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(filters)) if (v) q.set(k, v);
  const s = q.toString();
  return '/v1/me/transactions.csv' + (s ? '?' + s : '');
}

function typeLabel(type) { return hasText('type.' + type) ? t('type.' + type) : type; }

/** What a status adds under a record: where the money is while a reviewer decides, or after. */
const STATUS_NOTE = { held_for_review: 'records.held_note', rejected: 'records.rejected_note' };
/** The pill's colour for a status. */
const STATUS_PILL = { held_for_review: 'pill pill-held', rejected: 'pill pill-rejected', failed: 'pill pill-rejected', cancelled: 'pill pill-grey' };

function recordItem(x) {
  const sign = x.direction === 'in' ? '+' : '−';
  const status = x.status || 'succeeded';
  const voided = ['rejected', 'failed', 'cancelled'].includes(status);
  return el('li', { class: 'list-item record', id: 'rec-' + x.id, dataset: { type: x.type, direction: x.direction, status } },
    el('div', { class: 'li-main' },
      el('strong', { text: typeLabel(x.type) + (x.counterparty ? ' · ' + x.counterparty : '') }),
      el('span', { class: 'muted small block', text: dateTime(x.created_at) + (x.memo ? ' · ' + x.memo : '') + (x.fee ? ' · ' + t('quote.fee') + ' ' + formatMoney(x.fee, x.currency) : '') }),
      STATUS_NOTE[status] ? el('span', { class: 'small block record-note record-note-' + status, text: t(STATUS_NOTE[status]) }) : null),
    el('div', { class: 'li-amount' },
      el('span', { class: 'amount ' + (x.direction === 'in' ? 'amount-in' : 'amount-out') + (voided ? ' amount-void' : ''), text: sign + formatMoney(x.amount, x.currency) }),
      status !== 'succeeded' ? el('span', { class: STATUS_PILL[status] || 'pill', id: 'rec-status-' + x.id, text: hasText('status.' + status) ? t('status.' + status) : status }) : null));
}

async function loadRecords(more) {
  if (!more) { rec.cursor = null; clear('records-list'); }
  showError('records-error', null);
  const r = await api('GET', '/v1/me/transactions', { query: Object.assign({ limit: 20, cursor: more ? rec.cursor : undefined }, rec.filters) });
  const list = $('records-list');
  for (const x of r.items || []) list.append(recordItem(x));
  rec.cursor = r.next_cursor || null;
  $('records-more').hidden = !rec.cursor;
  $('records-empty').hidden = list.children.length > 0;
}

function drawSummary(s) {
  $('summary-in').textContent = formatMoney(s.total_in);
  $('summary-out').textContent = formatMoney(s.total_out);
  const box = clear('summary-chart');
  const cats = s.categories || [];
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
  form('rec-form', async () => {
    rec.filters = { type: $('rec-type').value || undefined, from: $('rec-from').value || undefined, to: $('rec-to').value || undefined };
    $('records-csv').href = csvHref(rec.filters);
    await loadRecords(false);
  }, { errorBox: 'records-error' });
  form('summary-form', loadSummary);
  $('records-more').addEventListener('click', () => loadRecords(true).catch((e) => showError('records-error', e)));
}

export const screens = {
  records: {
    enter,
    onLang: route,
    // A live notification is a new record: the list and the summary follow.
    onNotice: () => { loadRecords(false).catch(() => {}); loadSummary().catch(() => {}); },
  },
};
