/* qianbao web — the forms of both pages: the submit handler every form uses (no navigation,
 * busy buttons, errors shown in the form's .error box), the field readers that check a value
 * before the server is asked, and the "send code" button with its countdown. */
import { $, announce } from './dom.js';
import { api } from './http.js';
import { t, hasText } from './i18n.js';
import { errorText, invalid, localError, showError } from './errors.js';
import { exponentOf, parseMinor, parseYuan, typedDecimals } from './money.js';

/**
 * Handles a form: preventDefault, clear its .error, disable its submit buttons while running,
 * show whatever is thrown in the form's .error box (or opts.errorBox).
 */
export function form(formEl, handler, opts) {
  if (typeof formEl === 'string') formEl = $(formEl);
  if (!formEl) return;
  opts = opts || {};
  formEl.noValidate = true;
  formEl.addEventListener('submit', async (ev) => {
    ev.preventDefault();
    const box = opts.errorBox ? $(opts.errorBox) : formEl.querySelector('.error');
    showError(box, null);
    if (formEl.dataset.busy === '1') return;
    formEl.dataset.busy = '1';
    const buttons = formEl.querySelectorAll('button[type=submit], button:not([type])');
    buttons.forEach((b) => { b.disabled = true; b.setAttribute('aria-busy', 'true'); });
    try {
      await handler(ev.submitter || null);
    } catch (err) {
      if (!(err instanceof Error) && !err.code) console.error(err);
      showError(box, err);
      if (err && err.input) invalid(err.input);
      if (box) announce(errorText(err));
    } finally {
      formEl.dataset.busy = '0';
      buttons.forEach((b) => { b.disabled = false; b.removeAttribute('aria-busy'); });
    }
  });
}

/** Reads a 6-digit field or throws a local error of `kind` ('pin' unless told). */
export function digits6(id, kind) {
  const input = $(id);
  const v = input.value.trim();
  if (!/^\d{6}$/.test(v)) throw localError(kind || 'pin', input);
  return v;
}

/** Reads an amount field (yuan) as fen, or throws a local 'amount' error. */
export function amountOf(id) {
  const input = $(id);
  const fen = parseYuan(input.value);
  if (fen === null) throw localError('amount', input);
  return fen;
}

/**
 * Reads an amount field in `currency`'s major units as its minor units (by the currency's
 * exponent: yen take no decimals), or throws a local error: `amount_decimals_<n>` for too many
 * decimals, else `amount`. Yuan are read as amountOf reads them.
 */
export function minorOf(id, currency) {
  if (!currency || currency === 'CNY') return amountOf(id);
  const input = $(id);
  const e = exponentOf(currency);
  if (typedDecimals(input.value) > e) {
    throw localError(hasText('err.local.amount_decimals_' + e) ? 'amount_decimals_' + e : 'amount', input);
  }
  const minor = parseMinor(input.value, e);
  if (minor === null) throw localError('amount', input);
  return minor;
}

/** Reads a phone field (spaces and dashes dropped), or throws a local 'phone' error. */
export function phoneOf(id) {
  const input = $(id);
  const v = input.value.replace(/[\s-]/g, '');
  if (!/^(\+?86)?1\d{10}$/.test(v)) throw localError('phone', input);
  return v;
}

/** A "send code" button: POST /v1/otp, then a countdown from resend_after. */
export function codeButton(button, getPhone, purpose, errorBox, onSent) {
  if (typeof button === 'string') button = $(button);
  let timer = null;
  const labelKey = button.getAttribute('data-i18n') || 'otp.send';
  /** The rate-limit refusal shown beside the button, whose wait counts down with it. */
  let limited = null;
  function countdown(seconds, refusal) {
    if (timer) window.clearInterval(timer);
    limited = refusal || null;
    let left = seconds;
    button.disabled = true;
    button.removeAttribute('data-i18n');
    const tick = () => {
      const box = typeof errorBox === 'string' ? $(errorBox) : errorBox;
      // The refusal's "N s" follows the button, and goes once the button is ready.
      const shown = limited && box && box.dataset.code === 'otp_rate_limited';
      if (shown) showError(box, left > 0 ? Object.assign({}, limited, { retry_after: left }) : null);
      if (left <= 0) {
        limited = null;
        window.clearInterval(timer);
        timer = null;
        button.disabled = false;
        button.setAttribute('data-i18n', 'otp.resend');
        button.textContent = t('otp.resend');
        return;
      }
      button.textContent = t('otp.resend_in', { n: left });
      left -= 1;
    };
    tick();
    timer = window.setInterval(tick, 1000);
  }
  button.addEventListener('click', async () => {
    const box = typeof errorBox === 'string' ? $(errorBox) : errorBox;
    showError(box, null);
    let phone;
    try { phone = getPhone(); } catch (e) { showError(box, e); if (e.input) invalid(e.input); return; }
    button.disabled = true;
    button.setAttribute('aria-busy', 'true');
    try {
      const sent = await api('POST', '/v1/otp', { body: { phone, purpose } });
      announce(t('otp.sent'));
      countdown(sent && sent.resend_after ? sent.resend_after : 60);
      if (onSent) onSent(phone);
    } catch (err) {
      showError(box, err);
      if (err.code === 'otp_rate_limited' && err.retry_after) countdown(err.retry_after, { code: err.code, status: err.status, retry_after: err.retry_after });
      else button.disabled = false;
    } finally {
      button.removeAttribute('aria-busy');
    }
  });
  button.setAttribute('data-i18n', labelKey);
}

/** "139****5678" for "+8613912345678" or "13912345678": a phone as others may see it. */
export function maskedPhone(phone) {
  return String(phone || '').replace(/^(\+?86)?(\d{3})\d{4}(\d{4})$/, '$2****$3');
}
