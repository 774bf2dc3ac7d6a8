/* qianbao web — the console's building blocks: tables of rows, status pills, the reason every
 * staff action carries, signed amounts for adjustments, and one call that refreshes a section after
 * an action and says what happened. */
import { $, announce, clear, el, toast } from './dom.js';
import { t, hasText } from './i18n.js';
import { localError, reportError, showError } from './errors.js';
import { formatMoney } from './money.js';

/** Fen (and currency) as the console shows money. */
export const money = (fen, currency) => formatMoney(fen, currency);

/** A status word as a coloured pill, in the page's language when there is a text for it. */
export function pill(status) {
  const kind = { pending: 'pill-held', held: 'pill-held', open: 'pill-held', done: 'pill-green',
    active: 'pill-green', approved: 'pill-green', released: 'pill-green', resolved: 'pill-green',
    accepted: 'pill-grey', failed: 'pill-rejected', rejected: 'pill-rejected', frozen: 'pill-rejected',
    restricted: 'pill-held', expired: 'pill-grey', closed: 'pill-grey', locked: 'pill-rejected',
    allow: 'pill-green', hold: 'pill-held', step_up: 'pill-held', block: 'pill-rejected' }[status] || 'pill-grey';
  const text = hasText('console.status.' + status) ? t('console.status.' + status) : status;
  return el('span', { class: 'pill ' + kind, dataset: { status }, text });
}

/**
 * A table: columns are [{head: key, cell: row => node | text, num: bool}], one <tr> per row with
 * data-id from opts.id(row). An empty list shows opts.empty (a text key) instead.
 */
export function table(columns, rows, opts) {
  opts = opts || {};
  if (!rows || rows.length === 0) {
    return el('p', { class: 'console-empty', text: t(opts.empty || 'console.empty') });
  }
  const head = el('tr', null, ...columns.map((c) => el('th', { scope: 'col', text: t(c.head) })));
  const body = rows.map((row) => {
    const tr = el('tr', { dataset: opts.id ? { id: opts.id(row) } : undefined });
    for (const c of columns) {
      const v = c.cell(row);
      tr.append(el('td', { class: c.num ? 'num' : undefined }, v === null || v === undefined ? '' : v));
    }
    return tr;
  });
  return el('table', { class: 'console-table', id: opts.tableId }, el('thead', null, head), el('tbody', null, ...body));
}

/** Puts `node` in place of what `box` (an id or element) held. */
export function put(box, node) {
  const target = clear(box);
  if (target && node) target.append(node);
  return target;
}

/** The trimmed text of a required field, or a local `required` error at it. */
export function required(id) {
  const input = $(id);
  const v = (input.value || '').trim();
  if (!v) throw localError('required', input);
  return v;
}

/** A signed amount in yuan ("-12.30", "5") → integer fen, never zero; by string arithmetic. */
export function signedFen(id) {
  const input = $(id);
  const m = /^\s*([+-]?)\s*(\d{1,13})(?:\.(\d{1,2}))?\s*$/.exec(input.value || '');
  if (!m) throw localError('amount', input);
  const fen = parseInt(m[2], 10) * 100 + parseInt((m[3] || '').padEnd(2, '0') || '0', 10);
  if (fen === 0) throw localError('amount', input);
  return m[1] === '-' ? -fen : fen;
}

/** A button that runs `action` with its own busy state; errors go to `errorBox`. */
export function actionButton(key, id, action, errorBox, kind) {
  const button = el('button', { type: 'button', class: 'btn btn-small' + (kind ? ' btn-' + kind : ''), id, text: t(key) });
  button.addEventListener('click', async () => {
    if (button.disabled) return;
    showError(errorBox, null);
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      await action();
    } catch (err) {
      reportError(errorBox, err);
    } finally {
      button.disabled = false;
      button.removeAttribute('aria-busy');
    }
  });
  return button;
}

/** Says an action's outcome at the top of the page and to screen readers. */
export function done(key, vars) {
  toast(t(key, vars), '', 'ok');
  announce(t(key, vars));
}

/** `holder:<id>` → `<id>`: the id inside an entity name. */
export function entityId(entity) {
  const i = (entity || '').indexOf(':');
  return i < 0 ? entity : entity.slice(i + 1);
}
