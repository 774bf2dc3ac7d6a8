/* qianbao web — the result page every payment ends on (scan-to-pay, transfer, a shop's charge
 * confirmed on the phone, top-up, withdrawal, a currency conversion): a tick (or "!" while held), the outcome in words,
 * the amount large, then who was paid, with what, when and where it stands, and two ways on:
 * "完成" (home) and "查看详情" (the record's page, #/record?id=…).
 *
 * It is drawn into a container `<prefix>-page` and names its parts after the prefix, so each
 * screen keeps the ids its tests read: `#<prefix>` is the outcome line (role=status, with
 * data-status and data-id / data-payment-id), then `#<prefix>-amount`, `-payee`, `-price` and
 * `-fee` (when given: an order priced in another currency), `-discount` (a coupon's and points'),
 * `-gift-card` (what the shop's gift cards paid), `-paid`, `-method`, `-time`, `-status`, `-done`
 * and `-detail`. */
import { $, announce, clear, el } from './dom.js';
import { t, hasText } from './i18n.js';
import { formatMinor } from './money.js';
import { dateTime } from './dates.js';

/** The statuses that mean the money has not arrived yet (said as such, not as done). */
const WAITING = ['held_for_review', 'scheduled', 'pending'];

function statusText(status) {
  return hasText('result.status.' + status) ? t('result.status.' + status) : (hasText('status.' + status) ? t('status.' + status) : status);
}

/**
 * Draws the result into `<prefix>-page` and shows it.
 *   r: { message, status, id, amount, currency, payee, price, fee, discount, discountKey,
 *        giftCard, paid, method, time (ISO; now when absent), paymentId (kept on #<prefix> as
 *        data-payment-id) }
 * `message` is the outcome line; the `payee`, `price` (what a shop asked, when that is not what
 * was paid: in its currency, or before a coupon or points), `fee`, `discount` (a coupon's and
 * points', labelled by `discountKey` when given), `giftCard`, `paid` and `method` rows (texts)
 * are left out when empty.
 */
export function showResult(prefix, r) {
  const box = clear(prefix + '-page');
  const status = r.status || 'succeeded';
  const held = status === 'held_for_review';
  const waiting = WAITING.includes(status);
  box.className = 'result-page center' + (held ? ' result-page-held' : '');
  box.dataset.status = status;
  const line = el('p', { id: prefix, class: held ? 'result-held' : 'success', role: 'status', text: r.message,
    dataset: { status, id: r.id || '' } });
  if (r.paymentId) line.dataset.paymentId = r.paymentId;
  if (r.amount !== undefined && r.amount !== null) {
    line.dataset.amount = String(r.amount);
    line.dataset.currency = r.currency || '';
  }
  const row = (key, id, value) => (value ? [el('dt', { text: t(key) }), el('dd', { id: prefix + '-' + id, text: value })] : []);
  const facts = el('dl', { class: 'facts result-facts' },
    ...row('result.payee', 'payee', r.payee),
    ...row('result.price', 'price', r.price),
    ...row('result.fee', 'fee', r.fee),
    ...row(r.discountKey || 'result.discount', 'discount', r.discount),
    ...row('result.gift_card', 'gift-card', r.giftCard),
    ...row('result.paid', 'paid', r.paid),
    ...row('result.method', 'method', r.method),
    ...row('result.time', 'time', dateTime(r.time || new Date().toISOString())),
    ...row('result.status', 'status', statusText(status)));
  const detail = el('a', { id: prefix + '-detail', class: 'btn', href: '#/record?id=' + encodeURIComponent(r.id || ''), text: t('result.detail') });
  detail.hidden = !r.id;
  box.append(
    el('div', { class: 'tick' + (waiting ? ' tick-held' : ''), 'aria-hidden': 'true', text: waiting ? '!' : '✓' }),
    line,
    el('p', { id: prefix + '-amount', class: 'amount-big', text: formatMinor(r.amount, r.currency) }),
    facts,
    el('div', { class: 'row-buttons' },
      detail,
      el('a', { id: prefix + '-done', class: 'btn btn-primary', href: '#/home', text: t('common.done') })));
  box.hidden = false;
  announce(r.message + ' ' + formatMinor(r.amount, r.currency));
  // The outcome starts at the top of the screen, not wherever the confirm button had scrolled to.
  window.scrollTo(0, 0);
  $(prefix + '-done').focus({ preventScroll: true });
}

/** Hides the result page drawn for `prefix`. */
export function hideResult(prefix) {
  const box = $(prefix + '-page');
  if (box) box.hidden = true;
}
