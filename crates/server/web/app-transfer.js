/* qianbao web, holder's app — transfer (#/transfer): look the payee up by phone and show their
 * masked name to check (GET /v1/payees), then the amount, a note, now or delayed, and the PIN.
 * A second factor, when risk control asks for one, goes through the shared sheet (moneyCall); a
 * transfer held for review says so. */
import { $, announce } from './dom.js';
import { Idem, api } from './http.js';
import { t } from './i18n.js';
import { showError } from './errors.js';
import { amountOf, digits6, form, phoneOf } from './common.js';
import { formatMoney } from './money.js';
import { moneyCall } from './app-second-factor.js';

/** The result's text key for a reply's status. */
const RESULT = { scheduled: 'transfer.scheduled', held_for_review: 'transfer.held' };

/** The payee looked up, and the transfer's Idempotency-Key. */
const transfer = { phone: '', name: '', idem: new Idem() };

function enter() {
  $('transfer-form').hidden = true;
  $('transfer-result').hidden = true;
  $('transfer-form-1').hidden = false;
  showError('transfer-error-1', null);
  showError('transfer-error', null);
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
    $('transfer-payee').textContent = who.masked_name + ' (' + phone.replace(/^(\+?86)?(\d{3})\d{4}(\d{4})$/, '$2****$3') + ')';
    $('transfer-form').hidden = false;
    $('transfer-result').hidden = true;
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
    const res = $('transfer-result');
    res.textContent = t(RESULT[r.status] || 'transfer.done', { amount: formatMoney(r.amount, r.currency), name: transfer.name });
    res.dataset.status = r.status || '';
    res.dataset.id = r.id || '';
    res.className = r.status === 'held_for_review' ? 'result-held' : 'success';
    res.hidden = false;
    $('transfer-form').hidden = true;
    announce(res.textContent);
  });
}

export const screens = { transfer: { enter } };
