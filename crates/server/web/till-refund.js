/* qianbao web, merchant's till — refunds: the amount and reason, then a confirmation sheet that
 * shows what goes back and what was paid, and asks for the shop's refund password (the till's
 * refunds need it: POST /v1/merchant/refunds with `refund_password`). A shop without one, or
 * with a forgotten one, sets it in a second sheet with the current one or the owner's payment
 * password (PUT /v1/merchant/refund-password). */
import { $, announce } from './dom.js';
import { Idem, api } from './http.js';
import { t } from './i18n.js';
import { localError, showError } from './errors.js';
import { digits6, form, minorOf } from './common.js';
import { dateTime } from './dates.js';
import { exponentOf, formatMinor, minorToDecimal } from './money.js';
import { currencyName } from './currencies.js';

const R = { payment: null, amount: 0, reason: '', idem: new Idem(), opener: null };

/** A short payment number for people: the id's last 8 characters, upper case. */
export function shortNumber(id) {
  return String(id || '').replace(/-/g, '').slice(-8).toUpperCase();
}

function openSheet(id, focus) {
  R.opener = document.activeElement;
  $('main').inert = true;
  $(id).hidden = false;
  $(focus).focus();
}

function closeSheet(id) {
  $(id).hidden = true;
  if ($('till-refund-sheet').hidden && $('till-setpw-sheet').hidden) {
    $('main').inert = false;
    if (R.opener && R.opener.focus) R.opener.focus();
  }
}

/** The refund amount's label: in yuan, or in the payment's currency (refunded in it). */
function drawRefundLabel() {
  const p = R.payment;
  const code = (p && p.currency) || 'CNY';
  const label = $('till-refund-amount-label');
  if (code === 'CNY') {
    label.setAttribute('data-i18n', 'till.refund_amount');
    label.textContent = t('till.refund_amount');
  } else {
    label.removeAttribute('data-i18n');
    label.textContent = t('till.refund_amount_in', { name: currencyName(code), code });
  }
}

/** Opens the refund form for payment `p` (from the payments list), in the payment's currency. */
export function startRefund(p) {
  R.payment = p;
  R.idem.reset();
  const left = p.amount - (p.refunded || 0);
  $('till-refund-what').textContent = t('till.refund_what', { amount: formatMinor(p.amount, p.currency), time: dateTime(p.created_at), left: formatMinor(left, p.currency) });
  drawRefundLabel();
  $('till-refund-amount').value = minorToDecimal(left, exponentOf(p.currency));
  $('till-refund-reason').value = '';
  showError('till-refund-error', null);
  $('till-refund-result').hidden = true;
  $('till-refund-form').hidden = false;
  $('till-refund-amount').focus();
}

/** Opens the sheet that sets or changes the refund password; `why` is the help text's key. */
function openSetPassword(merchant, why) {
  const set = !!(merchant && merchant.refund_password_set);
  $('till-setpw-help').textContent = t(why || (set ? 'till.setpw_help_change' : 'till.setpw_help_first'));
  $('till-setpw-current-row').hidden = !set;
  for (const id of ['till-setpw-new', 'till-setpw-current', 'till-setpw-pin']) $(id).value = '';
  showError('till-setpw-error', null);
  openSheet('till-setpw-sheet', 'till-setpw-new');
}

/**
 * Wires the refund form, the confirmation sheet and the password sheet. `ctx.merchant()` is the
 * signed-in shop, `ctx.unauthorized(err)` handles an ended session, `ctx.done(reply)` runs after
 * a refund.
 */
export function wireRefunds(ctx) {
  $('till-refund-cancel').addEventListener('click', () => { $('till-refund-form').hidden = true; R.payment = null; });
  $('till-refund-amount').addEventListener('input', () => R.idem.reset());

  // Step 1: the amount, checked here; then the sheet.
  form('till-refund-form', async () => {
    const p = R.payment;
    if (!p) return;
    const amount = minorOf('till-refund-amount', p.currency);
    const left = p.amount - (p.refunded || 0);
    if (amount > left) throw Object.assign(new Error('refund_exceeds_payment'), { code: 'refund_exceeds_payment', input: $('till-refund-amount') });
    R.amount = amount;
    R.reason = $('till-refund-reason').value.trim();
    const m = ctx.merchant();
    if (m && !m.refund_password_set) {
      openSetPassword(m, 'till.setpw_help_first');
      return;
    }
    $('till-refund-confirm-amount').textContent = formatMinor(amount, p.currency);
    $('till-refund-confirm-what').textContent = t('till.refund_confirm_what', {
      amount: formatMinor(amount, p.currency),
      paid: formatMinor(p.amount, p.currency),
      time: dateTime(p.created_at),
      no: shortNumber(p.payment_id),
      desc: p.description ? '（' + p.description + '）' : '',
    });
    $('till-refund-password').value = '';
    showError('till-refund-password-error', null);
    openSheet('till-refund-sheet', 'till-refund-password');
  });

  $('till-refund-confirm-cancel').addEventListener('click', () => closeSheet('till-refund-sheet'));
  $('till-setpw-cancel').addEventListener('click', () => closeSheet('till-setpw-sheet'));
  for (const id of ['till-refund-sheet', 'till-setpw-sheet']) {
    $(id).addEventListener('keydown', (ev) => { if (ev.key === 'Escape') closeSheet(id); });
  }
  $('till-setpw-open').addEventListener('click', () => openSetPassword(ctx.merchant()));

  // Step 2: the password, then the refund.
  form('till-refund-confirm-form', async () => {
    const p = R.payment;
    if (!p) return;
    const password = digits6('till-refund-password', 'refund_password');
    const body = { payment_id: p.payment_id, amount: R.amount, refund_password: password };
    if (R.reason) body.reason = R.reason;
    let r;
    try {
      r = await api('POST', '/v1/merchant/refunds', { body, idem: R.idem.get() });
      R.idem.settle(null);
    } catch (err) {
      // The password is checked before the key is used: a retry may keep it.
      if (!String(err.code || '').startsWith('refund_password')) R.idem.settle(err);
      if (ctx.unauthorized(err)) return;
      if (err.code === 'refund_password_not_set') {
        closeSheet('till-refund-sheet');
        openSetPassword(ctx.merchant(), 'till.setpw_help_first');
        return;
      }
      $('till-refund-password').value = '';
      if (String(err.code || '').startsWith('refund_password')) err.input = $('till-refund-password');
      throw err;
    }
    closeSheet('till-refund-sheet');
    $('till-refund-form').hidden = true;
    R.payment = null;
    const res = $('till-refund-result');
    res.textContent = t('till.refund_done', { amount: formatMinor(r.amount, r.currency || p.currency) });
    res.dataset.refundId = r.refund_id;
    res.hidden = false;
    announce(res.textContent);
    await ctx.done(r);
  });

  form('till-setpw-form', async () => {
    const fresh = digits6('till-setpw-new', 'refund_password');
    const current = $('till-setpw-current-row').hidden ? '' : $('till-setpw-current').value.trim();
    const pin = $('till-setpw-pin').value.trim();
    const body = { refund_password: fresh };
    if (current) body.current_refund_password = digits6('till-setpw-current', 'refund_password');
    else if (pin) body.pin = digits6('till-setpw-pin', 'pin');
    else throw localError('setpw_proof', $('till-setpw-current-row').hidden ? $('till-setpw-pin') : $('till-setpw-current'));
    try {
      await api('PUT', '/v1/merchant/refund-password', { body });
    } catch (err) {
      if (ctx.unauthorized(err)) return;
      if (err.code === 'pin_incorrect' || err.code === 'pin_locked' || err.code === 'pin_not_set') err.input = $('till-setpw-pin');
      else if (err.code === 'refund_password_incorrect' || err.code === 'refund_password_locked') err.input = $('till-setpw-current');
      else err.input = $('till-setpw-new');
      throw err;
    }
    const m = ctx.merchant();
    if (m) m.refund_password_set = true;
    closeSheet('till-setpw-sheet');
    announce(t('till.setpw_done'));
    const res = $('till-refund-result');
    res.textContent = t('till.setpw_done');
    delete res.dataset.refundId;
    res.hidden = false;
  });
}
