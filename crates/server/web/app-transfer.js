/* qianbao web, holder's app — transfer (#/transfer): look the payee up by phone and show their
 * masked name to check (GET /v1/payees), then the amount, a note, now or delayed, and the PIN.
 * A second factor, when risk control asks for one, goes through the shared sheet (moneyCall); a
 * transfer held for review says so. A delayed transfer can be cancelled until it arrives
 * (POST /v1/transfers/{id}/cancel), from its result and from the list of those still scheduled,
 * after a confirmation. The last few people paid (GET /v1/me/recent-payees) sit above the phone
 * field: a tap fills the phone and looks the payee up. Every transfer ends on the shared result
 * page (result-page.js). */
import { $, announce, clear, el } from './dom.js';
import { Idem, api } from './http.js';
import { t } from './i18n.js';
import { errorText, showError } from './errors.js';
import { amountOf, digits6, form, maskedPhone, phoneOf } from './common.js';
import { formatMoney } from './money.js';
import { dateTime } from './dates.js';
import { moneyCall } from './app-second-factor.js';
import { hideResult, showResult } from './result-page.js';

/** A phone as shown beside a name: 138****5678 (the country code left off). */

/** The result's text key for a reply's status. */
const RESULT = { scheduled: 'transfer.scheduled', held_for_review: 'transfer.held' };

/** The payee looked up, and the transfer's Idempotency-Key. */
const transfer = { phone: '', name: '', idem: new Idem() };

/** The delayed transfer the confirmation asks about: {id, amount, currency, name}, or null. */
let toCancel = null;

function hideCancel() {
  toCancel = null;
  $('transfer-cancel-confirm').hidden = true;
  showError('transfer-cancel-error', null);
}

/** Asks to confirm cancelling `x` ({id, amount, currency, name}), under the button pressed. */
function askCancel(x, button) {
  toCancel = x;
  $('transfer-cancel-ask').textContent = t('transfer.cancel_ask', { amount: formatMoney(x.amount, x.currency), name: x.name || '' });
  const box = $('transfer-cancel-confirm');
  button.insertAdjacentElement('afterend', box);
  box.hidden = false;
  $('transfer-cancelled').hidden = true;
  showError('transfer-cancel-error', null);
  $('transfer-cancel-no').focus();
}

/** The holder's delayed transfers that have not arrived yet, each with its cancel button. */
async function loadScheduled() {
  const r = await api('GET', '/v1/me/transactions', { query: { type: 'transfer', limit: 50 } });
  const rows = (r.items || []).filter((x) => x.status === 'scheduled' && x.direction === 'out');
  // The confirmation may sit in a row about to be redrawn: it goes back home first.
  const box = $('transfer-cancel-confirm');
  if ($('transfer-scheduled-list').contains(box)) $('transfer-scheduled').after(box);
  const list = clear('transfer-scheduled-list');
  for (const x of rows) {
    const item = { id: x.id, amount: x.amount, currency: x.currency, name: x.counterparty || '' };
    const button = el('button', { type: 'button', class: 'btn btn-small', id: 'sched-cancel-' + x.id, text: t('transfer.cancel_short'),
      on: { click: (ev) => askCancel(item, ev.currentTarget) } });
    list.append(el('li', { class: 'list-item', id: 'sched-' + x.id, dataset: { status: x.status } },
      el('div', { class: 'li-main' },
        el('strong', { text: formatMoney(x.amount, x.currency) + (x.counterparty ? ' · ' + x.counterparty : '') }),
        el('span', { class: 'muted small block', text: dateTime(x.created_at) + ' · ' + t('status.scheduled') })),
      el('div', { class: 'li-actions' }, button)));
  }
  $('transfer-scheduled').hidden = rows.length === 0;
}

function refreshScheduled() { loadScheduled().catch(() => { $('transfer-scheduled').hidden = true; }); }

/** Cancels the transfer asked about, and says where the money is. */
async function cancelConfirmed() {
  const x = toCancel;
  if (!x) return;
  const yes = $('transfer-cancel-yes');
  if (yes.disabled) return;
  yes.disabled = true;
  yes.setAttribute('aria-busy', 'true');
  showError('transfer-cancel-error', null);
  try {
    const r = await api('POST', '/v1/transfers/' + encodeURIComponent(x.id) + '/cancel', { body: {} });
    hideCancel();
    const shown = $('transfer-result');
    if (shown && shown.dataset.id === x.id && !$('transfer-result-page').hidden) {
      hideResult('transfer-result');
      $('transfer-result-actions').hidden = true;
    }
    const done = $('transfer-cancelled');
    done.textContent = t('transfer.cancelled', { amount: formatMoney(r.amount, r.currency) });
    done.dataset.id = x.id;
    done.hidden = false;
    announce(done.textContent);
  } catch (err) {
    showError('transfer-cancel-error', err);
    announce(errorText(err));
    // Arrived or cancelled meanwhile: the list says what is still scheduled.
    if (err.code === 'not_cancellable' || err.code === 'not_found') $('transfer-cancel-confirm').hidden = true;
  } finally {
    yes.disabled = false;
    yes.removeAttribute('aria-busy');
    refreshScheduled();
  }
}

/** The last people this holder sent money to, each a button that fills the payee. */
async function loadRecent() {
  const r = await api('GET', '/v1/me/recent-payees');
  const list = clear('transfer-recent-list');
  (r.items || []).forEach((p, i) => {
    const phone = maskedPhone(p.phone);
    list.append(el('li', null, el('button', {
      type: 'button', class: 'recent-payee', id: 'recent-payee-' + i, dataset: { phone: p.phone },
      on: { click: () => pickRecent(p.phone) },
    }, el('span', { class: 'recent-avatar', 'aria-hidden': 'true', text: (p.masked_name || '*').slice(-1) }),
    el('span', { class: 'recent-name', text: p.masked_name }),
    el('span', { class: 'recent-phone', text: phone }))));
  });
  $('transfer-recent').hidden = !(r.items || []).length;
}

/** A recent payee tapped: their phone goes in the field and is looked up at once. */
function pickRecent(phone) {
  $('transfer-phone').value = String(phone).replace(/^\+?86(?=1\d{10}$)/, '');
  $('transfer-form-1').requestSubmit();
}

function enter() {
  $('transfer-form').hidden = true;
  hideResult('transfer-result');
  $('transfer-result-actions').hidden = true;
  $('transfer-cancelled').hidden = true;
  $('transfer-form-1').hidden = false;
  showError('transfer-error-1', null);
  showError('transfer-error', null);
  hideCancel();
  refreshScheduled();
  loadRecent().catch(() => { $('transfer-recent').hidden = true; });
}

export function wire() {
  form('transfer-form-1', async () => {
    const phone = phoneOf('transfer-phone');
    let who;
    try {
      who = await api('GET', '/v1/payees', { query: { phone } });
    } catch (err) {
      err.input = $('transfer-phone');
      throw err;
    }
    transfer.phone = phone;
    transfer.name = who.masked_name;
    transfer.idem.reset();
    $('transfer-payee').textContent = who.masked_name + ' (' + maskedPhone(phone) + ')';
    $('transfer-form').hidden = false;
    hideResult('transfer-result');
    $('transfer-result-actions').hidden = true;
    $('transfer-amount').focus();
  });
  $('transfer-phone').addEventListener('input', () => { $('transfer-form').hidden = true; });

  form('transfer-form', async () => {
    const amount = amountOf('transfer-amount');
    const pin = digits6('transfer-pin');
    const body = { to_phone: transfer.phone, amount, pin };
    const memo = $('transfer-memo').value.trim();
    if (memo) body.memo = memo;
    const delay = $('transfer-delay').value;
    if (delay) body.delay = delay;
    let r;
    try {
      r = await moneyCall('/v1/transfers', body, transfer.idem,
        () => t('stepup.what.transfer', { amount: formatMoney(amount), name: transfer.name }));
    } catch (err) {
      if (['pin_incorrect', 'pin_invalid', 'pin_locked'].includes(err.code)) { $('transfer-pin').value = ''; err.input = $('transfer-pin'); }
      if (['insufficient_balance', 'limit_exceeded', 'amount_invalid'].includes(err.code)) err.input = $('transfer-amount');
      throw err;
    }
    $('transfer-pin').value = '';
    $('transfer-amount').value = '';
    $('transfer-memo').value = '';
    // A delay is chosen for one transfer: the next one arrives at once unless chosen again.
    $('transfer-delay').value = '';
    hideCancel();
    $('transfer-cancelled').hidden = true;
    $('transfer-form').hidden = true;
    showResult('transfer-result', {
      message: t(RESULT[r.status] || 'transfer.done', { amount: formatMoney(r.amount, r.currency), name: transfer.name }),
      status: r.status, id: r.id, amount: r.amount, currency: r.currency,
      payee: transfer.name + ' (' + maskedPhone(transfer.phone) + ')', method: t('record.method.balance'),
    });
    $('transfer-result-actions').hidden = r.status !== 'scheduled';
    if (r.status === 'scheduled') refreshScheduled();
    loadRecent().catch(() => {});
  });
  $('transfer-cancel').addEventListener('click', (ev) => {
    const res = $('transfer-result');
    askCancel({ id: res.dataset.id, amount: Number(res.dataset.amount), currency: res.dataset.currency, name: transfer.name }, ev.currentTarget);
  });
  $('transfer-cancel-yes').addEventListener('click', () => { cancelConfirmed(); });
  $('transfer-cancel-no').addEventListener('click', () => {
    const back = toCancel && ($('sched-cancel-' + toCancel.id) || $('transfer-cancel'));
    hideCancel();
    if (back) back.focus();
  });
}

export const screens = { transfer: { enter } };
