/* qianbao web — reconciliation in the console: upload the bank's daily statement (the server
 * matches it, refuses a file with a bad line whole, and answers the same for the same file), see
 * the breaks as cases, accept one with a note or propose the four-eyes adjustment that resolves it,
 * and see any break of the funding invariant. Amounts stay integer fen throughout. */
import { $, el } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { form } from './common.js';
import { localError } from './errors.js';
import { can } from './console-state.js';
import { actionButton, done, money, pill, put, required, signedFen, table } from './console-ui.js';

function summaryView(s) {
  const item = (key, n, id) => el('div', { class: 'console-tile', id }, el('strong', { text: String(n) }), el('span', { class: 'muted', text: t(key) }));
  return el('div', { class: 'console-tiles' },
    item('console.recon.matched', s.matched, 'recon-matched'),
    item('console.recon.missing_here', s.missing_here, 'recon-missing-here'),
    item('console.recon.missing_at_bank', s.missing_at_bank, 'recon-missing-at-bank'),
    item('console.recon.amount_differs', s.amount_differs, 'recon-amount-differs'));
}

function resolveRow(c) {
  if (!can('money', 'manage') || c.status !== 'open') return '';
  const buttons = el('div', { class: 'actions' });
  buttons.append(actionButton('console.recon.accept', 'recon-accept-' + c.case_id, async () => {
    const note = required('recon-note');
    await api('POST', '/v1/console/recon/cases/' + encodeURIComponent(c.case_id) + '/accept', { body: { note } });
    done('console.recon.accepted');
    await showRecon();
  }, 'recon-error'));
  // The bank's line names no wallet: the reviewer says whose balance the entry corrects.
  buttons.append(actionButton('console.recon.adjust', 'recon-adjust-' + c.case_id, async () => {
    const amount = signedFen('recon-amount');
    const reason = required('recon-note');
    const whose = required('recon-target');
    const target = $('recon-target-kind').value === 'merchant' ? { merchant_id: whose } : { holder_id: whose };
    await api('POST', '/v1/console/commands', { body: { command: { kind: 'adjustment', ...target, amount, currency: c.currency || 'CNY', case_id: c.case_id }, reason } });
    done('console.proposed');
    await showRecon();
  }, 'recon-error', 'primary'));
  return buttons;
}

function casesTable(rows) {
  return table([
    { head: 'console.col.day', cell: (c) => c.day },
    { head: 'console.col.kind', cell: (c) => t('console.recon.kind.' + c.kind) },
    { head: 'console.col.reference', cell: (c) => el('code', { class: 'hash', text: c.reference || '' }) },
    { head: 'console.recon.ours', cell: (c) => c.our_amount === null || c.our_amount === undefined ? '—' : money(c.our_amount, c.currency), num: true },
    { head: 'console.recon.bank', cell: (c) => c.bank_amount === null || c.bank_amount === undefined ? '—' : money(c.bank_amount, c.currency), num: true },
    { head: 'console.col.status', cell: (c) => pill(c.status) },
    { head: 'console.note', cell: (c) => c.note || c.detail || '' },
    { head: 'console.col.decide', cell: resolveRow },
  ], rows, { id: (c) => c.case_id, empty: 'console.recon.no_cases', tableId: 'recon-cases-table' });
}

/** Wires the upload. */
export function initRecon() {
  form('recon-form', async () => {
    const file = $('recon-file').files[0];
    if (!file) throw localError('required', $('recon-file'));
    const summary = await api('POST', '/v1/console/recon/imports', { raw: file, contentType: 'text/csv' });
    put('recon-summary', summaryView(summary));
    $('recon-summary').hidden = false;
    done('console.recon.imported');
    await showRecon();
  });
}

/** The open cases, the inputs a decision needs, and funding alerts. */
export async function showRecon() {
  const [cases, alerts] = await Promise.all([
    api('GET', '/v1/console/recon/cases', { query: { status: 'open' } }),
    api('GET', '/v1/console/recon/alerts').catch(() => []),
  ]);
  const box = put('recon-cases', el('div', { class: 'console-actions' },
    el('div', { class: 'field' }, el('label', { for: 'recon-note', text: t('console.recon.note') }), el('input', { id: 'recon-note', autocomplete: 'off' })),
    el('div', { class: 'field' }, el('label', { for: 'recon-amount', text: t('console.adjust.amount') }), el('input', { id: 'recon-amount', inputmode: 'decimal', autocomplete: 'off' })),
    el('div', { class: 'field' }, el('label', { for: 'recon-target-kind', text: t('console.recon.target_kind') }),
      el('select', { id: 'recon-target-kind' },
        el('option', { value: 'holder', text: t('console.recon.target.holder') }),
        el('option', { value: 'merchant', text: t('console.recon.target.merchant') }))),
    el('div', { class: 'field' }, el('label', { for: 'recon-target', text: t('console.recon.target') }), el('input', { id: 'recon-target', autocomplete: 'off', spellcheck: 'false' }))));
  box.append(casesTable(cases));
  const alertBox = put('recon-alerts', null);
  for (const a of alerts || []) {
    alertBox.append(el('p', { class: 'banner banner-warn', role: 'alert', text: t('console.funding_break', { currency: a.currency, amount: money(a.difference, a.currency) }) }));
  }
}
