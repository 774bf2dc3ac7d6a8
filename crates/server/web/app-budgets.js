/* qianbao web, holder's app — monthly budgets (消费预算). #/budgets: this China month's spending
 * against the overall budget and each category's (GET /v1/me/budgets), as bars that turn amber at
 * 80 % and red at 100 %; last month's spending beside this month's, per category; and the form
 * that sets the budgets whole (PUT /v1/me/budgets), with the SMS opt-in for the alerts. Bars are
 * plain divs whose width is set from here (el.style, which the strict CSP allows). */
import { $, announce, clear, el } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { localError, showError } from './errors.js';
import { form } from './common.js';
import { formatMoney, formatYuan, parseYuan } from './money.js';

/** The last answer, redrawn on a language switch. */
let shown = null;

function catName(c) { return t('bud.cat.' + c); }

/** A bar `percent` wide (capped at the track), coloured by its state. */
function bar(percent, state, label) {
  const fill = el('div', { class: 'budget-fill budget-' + (state || 'plain') });
  fill.style.width = Math.max(0, Math.min(100, percent)) + '%';
  return el('div', { class: 'budget-track', role: 'img', 'aria-label': label }, fill);
}

function lineItem(id, name, line) {
  const text = t('bud.line', { spent: formatMoney(line.spent), budget: formatMoney(line.budget), percent: line.percent });
  const state = line.state === 'under' ? '' : t('bud.state.' + line.state);
  return el('li', { class: 'list-item budget-item', id, dataset: { state: line.state, percent: String(line.percent) } },
    el('div', { class: 'li-main' },
      el('strong', { text: name }),
      el('span', { class: 'muted small block', text }),
      bar(line.percent, line.state, name + ' ' + text),
      state ? el('span', { class: 'budget-flag budget-flag-' + line.state, text: state }) : null));
}

function drawReport(b) {
  shown = b;
  $('bud-month').textContent = t('bud.month', { month: b.month, spent: formatMoney(b.spent_total) });
  const list = clear('bud-lines');
  if (b.month_total) list.append(lineItem('bud-line-total', t('bud.total'), b.month_total));
  for (const c of b.categories) list.append(lineItem('bud-line-' + c.category, catName(c.category), c));
  $('bud-none').hidden = !!b.month_total || b.categories.length > 0;

  // Month on month: every category spent in either month, both bars on one scale.
  const cats = new Map();
  for (const c of b.spending) cats.set(c.category, { now: c.spent, before: 0 });
  for (const c of b.previous_month.categories) {
    const row = cats.get(c.category) || { now: 0, before: 0 };
    row.before = c.spent;
    cats.set(c.category, row);
  }
  const top = Math.max(1, ...Array.from(cats.values(), (r) => Math.max(r.now, r.before)));
  $('bud-compare-title').textContent = t('bud.compare', { now: formatMoney(b.spent_total), before: formatMoney(b.previous_month.spent_total) });
  const compare = clear('bud-compare');
  for (const [c, r] of cats) {
    compare.append(el('li', { class: 'list-item budget-item', id: 'bud-cmp-' + c },
      el('div', { class: 'li-main' },
        el('strong', { text: catName(c) }),
        el('span', { class: 'muted small block', text: t('bud.this_month') + ' ' + formatMoney(r.now) }),
        bar(Math.round((r.now * 100) / top), 'now', t('bud.this_month') + ' ' + formatMoney(r.now)),
        el('span', { class: 'muted small block', text: t('bud.last_month') + ' ' + formatMoney(r.before) }),
        bar(Math.round((r.before * 100) / top), 'before', t('bud.last_month') + ' ' + formatMoney(r.before)))));
  }
  $('bud-compare-empty').hidden = cats.size > 0;
}

/** One editable category row: which category, how much. */
function editRow(known, category, amount) {
  const select = el('select', { class: 'bud-cat', 'aria-label': t('bud.category') },
    ...known.map((c) => el('option', { value: c, text: catName(c), selected: c === category })));
  const input = el('input', { class: 'bud-amount', type: 'text', inputmode: 'decimal', autocomplete: 'off', placeholder: '0.00', 'aria-label': t('bud.amount'), value: amount ? formatYuan(amount) : '' });
  const row = el('div', { class: 'field budget-edit-row' }, select, input);
  row.append(el('button', { type: 'button', class: 'btn btn-small', text: t('bud.remove'), on: { click: () => row.remove() } }));
  return row;
}

function drawForm(b) {
  $('bud-total-input').value = b.month_total ? formatYuan(b.month_total.budget) : '';
  $('bud-sms').checked = !!b.sms;
  const rows = clear('bud-rows');
  for (const c of b.categories) rows.append(editRow(b.known_categories, c.category, c.budget));
}

async function enter() {
  showError('bud-error', null);
  const b = await api('GET', '/v1/me/budgets');
  drawReport(b);
  drawForm(b);
}

export function wire() {
  $('bud-add').addEventListener('click', () => {
    const known = shown ? shown.known_categories : ['restaurant'];
    const used = new Set(Array.from(document.querySelectorAll('#bud-rows .bud-cat'), (s) => s.value));
    const next = known.find((c) => !used.has(c)) || known[0];
    const row = editRow(known, next, null);
    $('bud-rows').append(row);
    row.querySelector('.bud-amount').focus();
  });
  form('bud-form', async () => {
    const body = { month_total: null, categories: {}, sms: $('bud-sms').checked };
    const total = $('bud-total-input').value.trim();
    if (total) {
      body.month_total = parseYuan(total);
      if (body.month_total === null) throw localError('amount', $('bud-total-input'));
    }
    for (const row of document.querySelectorAll('#bud-rows .budget-edit-row')) {
      const input = row.querySelector('.bud-amount');
      const fen = parseYuan(input.value);
      if (fen === null) throw localError('amount', input);
      body.categories[row.querySelector('.bud-cat').value] = fen;
    }
    const b = await api('PUT', '/v1/me/budgets', { body });
    drawReport(b);
    drawForm(b);
    announce(t('bud.saved'));
  });
}

/** Redraws in the new language what was last read. */
function onLang() { if (shown) { drawReport(shown); drawForm(shown); } }

export const screens = { budgets: { enter, onLang } };
