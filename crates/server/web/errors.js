/* qianbao web — errors as a person reads them: what happened and what to do next. The server's
 * problem codes (and the pages' own checks) become a sentence in the page's language, shown in an
 * element with class "error" and role="alert" that carries data-code for tests. */
import { $, el, clear, announce } from './dom.js';
import { t, hasText, lang } from './i18n.js';
import { formatMoney } from './money.js';

function waitText(seconds) {
  if (!seconds) return '';
  const zh = lang() === 'zh';
  const mins = Math.ceil(seconds / 60);
  if (seconds < 120) return zh ? '（' + seconds + ' 秒后自动解锁）' : ' (unlocks by itself in ' + seconds + ' s)';
  if (mins < 120) return zh ? '（约 ' + mins + ' 分钟后自动解锁）' : ' (unlocks by itself in about ' + mins + ' min)';
  return zh ? '（约 ' + Math.ceil(mins / 60) + ' 小时后自动解锁）' : ' (unlocks by itself in about ' + Math.ceil(mins / 60) + ' h)';
}

/**
 * The server's own words for the holder, in the page's language, when it wrote them for the
 * holder (risk control's `detail_zh` / `detail`: why, without the thresholds); else ''.
 */
export function serverText(err) {
  if (!err || typeof err !== 'object' || !err.detail_zh) return '';
  return lang() === 'zh' ? err.detail_zh : (err.detail || err.detail_zh);
}

/** A person's message for an error: what happened and what to do next. */
export function errorText(err) {
  if (!err) return '';
  if (typeof err === 'string') return t(err);
  const code = err.code || '';
  if (err.local) return t('err.local.' + err.local);
  if (err.network || code === 'network') return t('err.network');
  // The field at fault, when the server names it, picks a more precise sentence (the code stays).
  if (err.field && hasText('err.' + code + '.' + err.field)) {
    const key = 'err.' + code + '.' + err.field;
    if (typeof err.attempts_left === 'number' && hasText(key + '.n')) return t(key + '.n', { n: err.attempts_left });
    return t(key);
  }
  switch (code) {
    case 'otp_rate_limited':
      return err.retry_after ? t('err.otp_rate_limited', { n: err.retry_after }) : t('err.otp_rate_limited_plain');
    case 'otp_invalid':
      return typeof err.attempts_left === 'number' ? t('err.otp_invalid', { n: err.attempts_left }) : t('err.otp_invalid_plain');
    case 'invalid_credentials':
      return typeof err.attempts_left === 'number' ? t('err.invalid_credentials', { n: err.attempts_left }) : t('err.invalid_credentials_plain');
    case 'pin_incorrect':
      return typeof err.attempts_left === 'number' ? t('err.pin_incorrect', { n: err.attempts_left }) : t('err.pin_incorrect_plain');
    case 'pin_locked':
      return t('err.pin_locked', { wait: waitText(err.retry_after) });
    case 'totp_invalid':
      return typeof err.attempts_left === 'number' ? t('err.totp_invalid', { n: err.attempts_left }) : t('err.totp_invalid_plain');
    case 'totp_locked':
      return t('err.totp_locked', { wait: waitText(err.retry_after) });
    case 'risk_blocked':
      // Why, in the server's words (what security monitoring saw, never its thresholds).
      return serverText(err) || t('err.risk_blocked');
    case 'step_up_required': {
      // A money call: the server says why. A sign-in: which codes it takes.
      const why = serverText(err);
      if (why) return why;
      const m = Array.isArray(err.methods) ? err.methods : [];
      if (m.includes('totp') && m.includes('sms')) return t('err.step_up_required.both');
      if (m.includes('totp')) return t('err.step_up_required.totp');
      return t('err.step_up_required');
    }
    case 'phone_cooling_off':
      return err.retry_after ? t('err.phone_cooling_off', { n: Math.ceil(err.retry_after / 86400) }) : t('err.phone_cooling_off_plain');
    case 'maintenance':
      return err.retry_after ? t('err.maintenance', { n: err.retry_after }) : t('err.maintenance_plain');
    case 'limit_exceeded': {
      const lim = err.limit && hasText('limit.' + err.limit) ? t('limit.' + err.limit) : '';
      const head = typeof err.headroom === 'number' ? t('err.limit.headroom', { amount: formatMoney(err.headroom) }) : '';
      return t('err.limit_exceeded', { limit: lim, headroom: head });
    }
    case 'password_weak':
    case 'pin_weak':
    case 'photo_invalid':
      {
        // `reason` when the server sends it; else the reason named at the end of `detail`.
        let reason = err.reason;
        if (!reason && err.detail) {
          const m = /\b(too_short|too_long|common|contains_phone|control_character|all_same|sequence|repeated_group|birth_date|id_number_tail|phone_tail|format|too_large|too_small|unreadable)\b/.exec(err.detail);
          if (m) reason = m[1];
        }
        if (reason && hasText('err.' + code + '.' + reason)) return t('err.' + code + '.' + reason);
      }
      return t('err.' + code);
    case 'invalid_request':
      return t('err.invalid_request', { detail: err.detail || '' });
    default:
      if (hasText('err.' + code)) {
        let s = t('err.' + code);
        if (err.retry_after && !/\{n\}/.test(s) && err.status >= 429) s += ' ' + t('err.retry_in', { n: err.retry_after });
        return s;
      }
      return t('err.unknown', { detail: err.detail || code });
  }
}

let errorLink = null;

/** A page may add a "what next" link to its errors: fn(err) → {href, label} | null. */
export function setErrorLink(fn) { errorLink = fn; }

/**
 * Shows an error in `box` (an element with class "error" and role="alert"); clears it when err
 * is null. The element gets data-code for tests.
 */
export function showError(box, err) {
  if (typeof box === 'string') box = $(box);
  if (!box) return;
  clear(box);
  if (!err) { box.hidden = true; box.removeAttribute('data-code'); return; }
  box.append(el('span', { class: 'error-text', text: errorText(err) }));
  const link = errorLink && typeof err === 'object' ? errorLink(err) : null;
  if (link) {
    box.append(' ');
    box.append(el('a', { href: link.href, class: 'error-link', id: box.id ? box.id + '-link' : undefined, text: link.label }));
  }
  box.setAttribute('data-code', (err && err.code) || (err && err.local) || 'error');
  box.hidden = false;
}

/** Shows an error in `box` and says it to screen readers. */
export function reportError(box, err) {
  showError(box, err);
  announce(errorText(err));
}

/** Marks a field as wrong (aria-invalid) until it is edited. */
export function invalid(input) {
  if (typeof input === 'string') input = $(input);
  if (!input) return;
  input.setAttribute('aria-invalid', 'true');
  input.addEventListener('input', () => input.removeAttribute('aria-invalid'), { once: true });
  input.focus();
}

/** A local (not from the server) validation error, with its own message (err.local.<kind>). */
export function localError(kind, input) {
  const e = new Error(kind);
  e.local = kind;
  e.input = input;
  return e;
}

/** A check made in the page, before asking the server, reported with the server's code. */
export function codeError(code, input, extra) {
  return Object.assign(new Error(code), { code, input }, extra || {});
}
