/* qianbao web — the console's review queues, each Skim / Lock / Next: everyone sees the whole
 * queue and who works each case; "next" or "take" locks a case to one reviewer, who decides it.
 * KYC reviews show the ID photo (decrypted by the server for this viewer, an audited view); risk
 * holds are released or rejected with what the payment turned out to be; closing requests with a
 * balance become a four-eyes command. */
import { $, el } from './dom.js';
import { ApiError, api } from './http.js';
import { t } from './i18n.js';
import { dateTime } from './dates.js';
import { showError } from './errors.js';
import { S, can } from './console-state.js';
import { actionButton, done, money, put, required, table } from './console-ui.js';

const KYC_APPROVE = ['document_clear', 'face_matches'];
const KYC_REJECT = ['document_unreadable', 'face_mismatch', 'document_expired', 'suspected_fraud'];
const RISK_LABELS = ['confirmed_fraud', 'false_positive', 'valuable_alert'];

function lockedBy(who) {
  if (!who) return el('span', { class: 'muted', text: t('console.queue.free') });
  if (S.me && who === S.me.staff.id) return el('strong', { text: t('console.queue.mine') });
  return who;
}

function select(id, options, prefix) {
  return el('select', { id }, ...options.map((o) => el('option', { value: o, text: t(prefix + o) })));
}

function field(id, key, input) {
  return el('div', { class: 'field' }, el('label', { for: id, text: t(key) }), input);
}

// ------------------------------------------------------------ KYC review

let kycPhotoUrl = null;

async function kycPhoto(caseId, img) {
  const res = await fetch('/v1/console/queues/kyc/' + encodeURIComponent(caseId) + '/photo', { credentials: 'same-origin', cache: 'no-store' });
  if (!res.ok) {
    let p = {};
    try { p = await res.json(); } catch (_) { /* not JSON */ }
    throw new ApiError({ status: res.status, code: p.code || 'http_' + res.status, detail: p.detail });
  }
  if (kycPhotoUrl) URL.revokeObjectURL(kycPhotoUrl);
  kycPhotoUrl = URL.createObjectURL(await res.blob());
  img.src = kycPhotoUrl;
  img.hidden = false;
}

function kycCase(c) {
  const box = el('div', { class: 'card console-case', id: 'kyc-case-' + c.case_id, dataset: { id: c.case_id } });
  const img = el('img', { id: 'kyc-photo', class: 'console-photo', alt: t('console.kyc.photo_alt'), hidden: true });
  box.append(
    el('h3', { text: t('console.kyc.case', { name: c.name_masked }) }),
    el('dl', { class: 'facts' },
      el('dt', { class: 'muted', text: t('console.col.id_number') }), el('dd', { id: 'kyc-id-number', text: c.id_number_masked }),
      el('dt', { class: 'muted', text: t('console.col.holder') }), el('dd', null, el('a', { href: '#/holders/' + c.holder_id, text: c.holder_id })),
      el('dt', { class: 'muted', text: t('console.col.submitted') }), el('dd', { text: dateTime(c.submitted_at) })),
    img,
    el('div', { class: 'console-actions' },
      field('kyc-approve-code', 'console.kyc.approve_code', select('kyc-approve-code', KYC_APPROVE, 'console.kyc.code.')),
      actionButton('console.approve', 'kyc-approve', () => decideKyc(c, 'approve', $('kyc-approve-code').value), 'kyc-error', 'primary')),
    el('div', { class: 'console-actions' },
      field('kyc-reject-code', 'console.kyc.reject_code', select('kyc-reject-code', KYC_REJECT, 'console.kyc.code.')),
      field('kyc-note', 'console.note', el('input', { id: 'kyc-note', autocomplete: 'off' })),
      actionButton('console.reject', 'kyc-reject', () => decideKyc(c, 'reject', $('kyc-reject-code').value), 'kyc-error', 'danger')));
  kycPhoto(c.case_id, img).catch((err) => showError('kyc-error', err));
  return box;
}

async function decideKyc(c, how, code) {
  const note = $('kyc-note') ? $('kyc-note').value.trim() : '';
  await api('POST', '/v1/console/queues/kyc/' + encodeURIComponent(c.case_id) + '/' + how, { body: { reason_code: code, note: note || undefined } });
  done(how === 'approve' ? 'console.kyc.approved' : 'console.kyc.rejected');
  $('kyc-case').hidden = true;
  await showKyc();
}

function openKyc(c) {
  put('kyc-case', kycCase(c));
  $('kyc-case').hidden = false;
}

/** The KYC queue: every case and who works it. */
export async function showKyc() {
  const rows = await api('GET', '/v1/console/queues/kyc');
  put('kyc-list', table([
    { head: 'console.col.name', cell: (c) => c.name_masked },
    { head: 'console.col.id_number', cell: (c) => c.id_number_masked },
    { head: 'console.col.submitted', cell: (c) => dateTime(c.submitted_at) },
    { head: 'console.col.locked_by', cell: (c) => lockedBy(c.locked_by) },
    { head: 'console.col.decide', cell: (c) => can('kyc', 'manage') ? actionButton('console.queue.take', 'kyc-take-' + c.case_id, async () => {
      openKyc(await api('POST', '/v1/console/queues/kyc/' + encodeURIComponent(c.case_id) + '/take'));
    }, 'kyc-error') : '' },
  ], rows, { id: (c) => c.case_id, empty: 'console.queue.empty', tableId: 'kyc-table' }));
}

// ------------------------------------------------------------ risk holds

function riskCase(c) {
  return el('div', { class: 'card console-case', id: 'risk-case-' + c.movement_id, dataset: { id: c.movement_id } },
    el('h3', { text: t('console.risk.case', { amount: money(c.amount, c.currency), kind: c.kind }) }),
    el('dl', { class: 'facts' },
      el('dt', { class: 'muted', text: t('console.col.holder') }), el('dd', null, el('a', { href: '#/holders/' + c.holder_id, text: c.holder_id })),
      el('dt', { class: 'muted', text: t('console.col.counterparty') }), el('dd', { text: c.counterparty }),
      el('dt', { class: 'muted', text: t('console.col.reason_code') }), el('dd', { id: 'risk-reason', text: c.reason || '—' }),
      el('dt', { class: 'muted', text: t('console.col.expires') }), el('dd', { text: dateTime(c.expires_at) })),
    el('details', null, el('summary', { text: t('console.risk.trace') }), el('pre', { class: 'console-pre', text: JSON.stringify(c.trace, null, 2) })),
    el('div', { class: 'console-actions' },
      field('risk-label', 'console.risk.label', select('risk-label', RISK_LABELS, 'console.risk.label.')),
      field('risk-decision-reason', 'console.reason', el('input', { id: 'risk-decision-reason', autocomplete: 'off' })),
      actionButton('console.risk.release', 'risk-release', () => decideRisk(c, 'release'), 'risk-error', 'primary'),
      actionButton('console.reject', 'risk-reject', () => decideRisk(c, 'reject'), 'risk-error', 'danger')));
}

async function decideRisk(c, how) {
  const reason = required('risk-decision-reason');
  const label = $('risk-label').value;
  const after = await api('POST', '/v1/console/queues/risk/' + encodeURIComponent(c.movement_id) + '/' + how, { body: { label, reason } });
  done(how === 'release' ? 'console.risk.released' : 'console.risk.rejected', { status: after.status });
  $('risk-case').hidden = true;
  await showRisk();
}

function openRisk(c) {
  put('risk-case', riskCase(c));
  $('risk-case').hidden = false;
}

/** The risk queue: every held payment and who works it. */
export async function showRisk() {
  const rows = await api('GET', '/v1/console/queues/risk');
  put('risk-list', table([
    { head: 'console.col.time', cell: (c) => dateTime(c.created_at) },
    { head: 'console.col.kind', cell: (c) => c.kind },
    { head: 'console.col.amount', cell: (c) => money(c.amount, c.currency), num: true },
    { head: 'console.col.reason_code', cell: (c) => c.reason || '—' },
    { head: 'console.col.locked_by', cell: (c) => lockedBy(c.locked_by) },
    { head: 'console.col.decide', cell: (c) => can('risk', 'manage') ? actionButton('console.queue.take', 'risk-take-' + c.movement_id, async () => {
      openRisk(await api('POST', '/v1/console/queues/risk/' + encodeURIComponent(c.movement_id) + '/take'));
    }, 'risk-error') : '' },
  ], rows, { id: (c) => c.movement_id, empty: 'console.queue.empty', tableId: 'risk-table' }));
}

// ------------------------------------------------------------ closing requests

/** The wallets waiting to be closed with their balance swept to a card. */
export async function showClosing() {
  const rows = await api('GET', '/v1/console/queues/closing');
  const reason = el('div', { class: 'console-actions' },
    field('closing-reason', 'console.reason', el('input', { id: 'closing-reason', autocomplete: 'off' })));
  const box = put('closing-list', reason);
  box.append(table([
    { head: 'console.col.time', cell: (r) => dateTime(r.requested_at) },
    { head: 'console.col.phone', cell: (r) => el('a', { href: '#/holders/' + r.holder_id, text: r.phone_masked }) },
    { head: 'console.col.balance', cell: (r) => money(r.balance, r.currency), num: true },
    { head: 'console.col.card', cell: (r) => r.card_masked },
    { head: 'console.col.decide', cell: (r) => {
      if (!can('holders', 'manage')) return '';
      if (r.command_id) return el('span', { class: 'muted small', text: t('console.closing.proposed') });
      return el('div', { class: 'actions' },
        actionButton('console.closing.propose', 'closing-propose-' + r.request_id, async () => {
          const why = required('closing-reason');
          await api('POST', '/v1/console/commands', { body: { command: { kind: 'close_account', holder_id: r.holder_id, card_id: r.card_id }, reason: why } });
          done('console.proposed');
          await showClosing();
        }, 'closing-error', 'primary'),
        actionButton('console.reject', 'closing-reject-' + r.request_id, async () => {
          const why = required('closing-reason');
          await api('POST', '/v1/console/queues/closing/' + encodeURIComponent(r.request_id) + '/reject', { body: { reason: why } });
          done('console.closing.rejected');
          await showClosing();
        }, 'closing-error'));
    } },
  ], rows, { id: (r) => r.request_id, empty: 'console.queue.empty', tableId: 'closing-table' }));
}

/** Wires the two "next case" buttons. */
export function initQueues() {
  $('kyc-next').addEventListener('click', async () => {
    showError('kyc-error', null);
    try {
      const c = await api('POST', '/v1/console/queues/kyc/next');
      if (c) openKyc(c); else done('console.queue.nothing');
      await showKyc();
    } catch (err) { showError('kyc-error', err); }
  });
  $('risk-next').addEventListener('click', async () => {
    showError('risk-error', null);
    try {
      const c = await api('POST', '/v1/console/queues/risk/next');
      if (c) openRisk(c); else done('console.queue.nothing');
      await showRisk();
    } catch (err) { showError('risk-error', err); }
  });
}
