/* qianbao web — the merchant's till at `/merchant`: sign in with the shop key (the server gives
 * the till a session of its own in an HttpOnly cookie; the key is not kept), make orders with a
 * QR (a paid one collapses to its receipt; priced in yuan or in another enabled currency, the
 * customer then paying its yuan price through a quote; a receipt whose price a coupon, points or
 * gift cards paid in part says the price, each part and what the customer paid), charge payment
 * codes (the result says a gift card's part), list payments, and
 * the takings and balance per currency. Refunds are in
 * till-refund.js, the printable shop code (`#qr`) in till-poster.js, the "到账" voice in
 * till-voice.js. An ES module, built from the same shared modules as the holder's app. */
import { addStrings, initLang, onLang, t, hasText } from './i18n.js';
import * as zh from './strings-zh.js';
import * as en from './strings-en.js';
import { $, announce, clear, el, imageType, qrImg, toast } from './dom.js';
import { Idem, api, uuid } from './http.js';
import { codeError, localError, showError } from './errors.js';
import { posterRoute, showPoster, wirePoster } from './till-poster.js';
import { shortNumber, startRefund, wireRefunds } from './till-refund.js';
import { announceArrival, stopWatching, watchArrivals, wireVoice } from './till-voice.js';
import { enhancePins } from './pin-boxes.js';
import { amountKeypad, keypadDecimals } from './amount-keypad.js';
import { amountOf, form, minorOf } from './common.js';
import { chinaDay, dateTime } from './dates.js';
import { exponentOf, formatMinor, formatMoney } from './money.js';
import { currencyName, enabledCurrencies } from './currencies.js';

addStrings('zh', { ...zh.shared, ...zh.till });
addStrings('en', { ...en.shared, ...en.till });

const S = { merchant: null, cursor: null, orderTimer: null, orderId: null, chargeTimer: null, chargeId: null, chargeIdem: new Idem(), payments: new Map(), currencies: ['CNY'] };

function showSignedIn(on) {
  $('boot').hidden = true;
  $('till-signin-screen').hidden = on;
  $('till-signout').hidden = !on;
  $('till-name').textContent = on && S.merchant ? '· ' + S.merchant.name : '';
  // Signed in, `#qr` shows the printable shop code instead of the till's work.
  const poster = on && showPoster(S.merchant);
  if (!on) showPoster(null);
  $('till-main').hidden = !on || poster;
  if (on) watchArrivals(() => refreshAll()); else stopWatching();
}

/** Runs `work` with `button` busy (disabled, aria-busy), so a second tap sends nothing. */
async function busy(button, work) {
  if (button.disabled) return;
  button.disabled = true;
  button.setAttribute('aria-busy', 'true');
  try {
    await work();
  } finally {
    button.disabled = false;
    button.removeAttribute('aria-busy');
  }
}

function unauthorized(err) {
  if (err && err.code === 'unauthorized') {
    S.merchant = null;
    stopOrderPoll();
    stopChargePoll();
    showSignedIn(false);
    $('till-key').focus();
    return true;
  }
  return false;
}

// ------------------------------------------------------------ takings
/** Lists the amounts in currencies other than yuan under a yuan figure: `<li id="<prefix>-USD"
 * data-minor>10.00 USD</li>`, one per currency with money in it. */
function drawOthers(id, prefix, totals) {
  const list = clear(id);
  for (const [currency, minor] of Object.entries(totals)) {
    if (currency === 'CNY' || !minor) continue;
    list.append(el('li', { id: prefix + '-' + currency, text: formatMinor(minor, currency), dataset: { currency, minor: String(minor) } }));
  }
  list.hidden = list.children.length === 0;
}

async function loadTakings() {
  const b = await api('GET', '/v1/merchant/balance');
  // One balance per currency: the yuan first and large, the others below them.
  const held = {};
  for (const x of (b && b.balances) || []) held[x.currency] = x.available;
  $('till-balance').textContent = formatMoney(held.CNY || 0);
  drawOthers('till-balance-other', 'till-balance', held);
  // Today's takings (China time): the payments made today, net of refunds, per currency.
  const today = chinaDay();
  let cursor;
  const totals = { CNY: 0 };
  let count = 0;
  for (let page = 0; page < 10; page++) {
    const r = await api('GET', '/v1/merchant/payments', { query: { limit: 100, cursor } });
    let older = false;
    for (const p of r.items || []) {
      if (chinaDay(new Date(p.created_at)) === today) {
        const c = p.currency || 'CNY';
        totals[c] = (totals[c] || 0) + p.amount - (p.refunded || 0);
        count += 1;
      } else { older = true; }
    }
    if (older || !r.next_cursor) break;
    cursor = r.next_cursor;
  }
  $('till-today').textContent = formatMoney(totals.CNY);
  $('till-today').dataset.fen = String(totals.CNY);
  drawOthers('till-today-other', 'till-today', totals);
  $('till-today-count').textContent = t('till.today_count', { n: count });
}

// ------------------------------------------------------------ payments and refunds
function paymentItem(p) {
  S.payments.set(p.payment_id, p);
  const left = p.amount - (p.refunded || 0);
  return el('li', { class: 'list-item', id: 'payment-' + p.payment_id, dataset: { currency: p.currency || 'CNY' } },
    el('div', { class: 'li-main' },
      el('strong', { class: 'amount', text: formatMinor(p.amount, p.currency), dataset: { minor: String(p.amount), currency: p.currency || 'CNY' } }),
      el('span', { class: 'pill', text: hasText('channel.' + p.channel) ? t('channel.' + p.channel) : p.channel }),
      p.refunded ? el('span', { class: 'pill pill-blue', text: t('till.refunded_part', { amount: formatMinor(p.refunded, p.currency) }) }) : null,
      el('span', { class: 'muted small block', text: dateTime(p.created_at) + (p.description ? ' · ' + p.description : '') + (p.fee ? ' · ' + t('till.fee') + ' ' + formatMinor(p.fee, p.currency) : '') }),
      el('span', { class: 'muted small block mono', title: p.payment_id, text: t('till.receipt_no') + ' ' + shortNumber(p.payment_id) })),
    el('div', { class: 'li-actions' },
      left > 0 ? el('button', { type: 'button', class: 'btn btn-small btn-danger-text', id: 'refund-' + p.payment_id, text: t('till.refund'),
        on: { click: () => { const q = S.payments.get(p.payment_id); if (q) startRefund(q); } } }) : null));
}

async function loadPayments(more) {
  if (!more) { S.cursor = null; clear('till-payments'); S.payments.clear(); }
  showError('till-payments-error', null);
  const r = await api('GET', '/v1/merchant/payments', { query: { limit: 20, cursor: more ? S.cursor : undefined } });
  const list = $('till-payments');
  for (const p of r.items || []) list.append(paymentItem(p));
  S.cursor = r.next_cursor || null;
  $('till-payments-more').hidden = !S.cursor;
  $('till-payments-empty').hidden = list.children.length > 0;
}

async function refreshAll() {
  await Promise.all([
    loadTakings().catch((e) => { if (!unauthorized(e)) showError('till-payments-error', e); }),
    loadPayments(false).catch((e) => { if (!unauthorized(e)) showError('till-payments-error', e); }),
  ]);
}

// ------------------------------------------------------------ orders
function stopOrderPoll() {
  if (S.orderTimer) window.clearTimeout(S.orderTimer);
  S.orderTimer = null;
}

function showOrderStatus(status) {
  const s = $('till-order-status');
  s.textContent = hasText('till.order.' + status) ? t('till.order.' + status) : status;
  s.className = 'status-' + status;
  s.dataset.status = status;
}

function pollOrder(id) {
  stopOrderPoll();
  const tick = async () => {
    if (S.orderId !== id) return;
    try {
      const o = await api('GET', '/v1/merchant/orders/' + encodeURIComponent(id));
      if (S.orderId !== id) return;
      showOrderStatus(o.status);
      if (o.status === 'paid') {
        toast(t('till.paid_toast'), formatMinor(o.amount, o.currency), 'ok');
        announce(t('till.paid_toast') + ' ' + formatMinor(o.amount, o.currency));
        announceArrival(o.amount, o.payment_id, o.currency);
        await showReceipt(o);
        refreshAll();
        return;
      }
      if (o.status === 'expired') return;
    } catch (e) {
      if (unauthorized(e)) return;
    }
    S.orderTimer = window.setTimeout(tick, 1500);
  };
  S.orderTimer = window.setTimeout(tick, 1500);
}

// A paid order collapses to its receipt: the QR and the raw ids go, what a shop keeps stays.
async function showReceipt(o) {
  let p = null;
  if (o.payment_id) {
    try { p = await api('GET', '/v1/merchant/payments/' + encodeURIComponent(o.payment_id)); } catch (_) { p = null; }
  }
  if (S.orderId !== o.order_id) return;
  $('till-order-pending').hidden = true;
  $('till-order-ids').hidden = true;
  $('till-receipt-amount').textContent = formatMinor(o.amount, o.currency);
  // data-fen kept for yuan readers: the amount in the order currency's minor units.
  $('till-receipt-amount').dataset.fen = String(o.amount);
  $('till-receipt-amount').dataset.currency = o.currency || 'CNY';
  $('till-receipt-time').textContent = dateTime(p ? p.created_at : new Date().toISOString());
  $('till-receipt-no').textContent = shortNumber(o.payment_id);
  $('till-receipt').dataset.paymentId = o.payment_id || '';
  const payer = p && p.payer_name;
  $('till-receipt-payer').textContent = payer || '';
  $('till-receipt-payer-row').hidden = !payer;
  const desc = p && p.description;
  $('till-receipt-desc').textContent = desc || '';
  $('till-receipt-desc-row').hidden = !desc;
  drawBreakdown(o);
  $('till-receipt').hidden = false;
}

/** A paid order's parts (GET /v1/merchant/orders/{id}'s `discount` and `gift_card`): with any,
 * the big figure stays the price (what the shop takes), and the rows say the price, the discount
 * (a coupon's and points', paid from the campaign and the points reserve), the gift cards' part
 * and what the customer paid; without any, the rows stay hidden, as before. */
function drawBreakdown(o) {
  const discount = o.discount || 0;
  const giftCard = o.gift_card || 0;
  const parts = discount > 0 || giftCard > 0;
  const put = (id, minor) => {
    const dd = $('till-receipt-' + id);
    dd.textContent = formatMinor(minor, o.currency);
    dd.dataset.minor = String(minor);
  };
  $('till-receipt-price-row').hidden = !parts;
  $('till-receipt-paid-row').hidden = !parts;
  $('till-receipt-discount-row').hidden = !(discount > 0);
  $('till-receipt-gift-card-row').hidden = !(giftCard > 0);
  if (!parts) return;
  put('price', o.amount);
  put('discount', -discount);
  put('gift-card', giftCard);
  put('paid', o.amount - discount);
}

/** A charge's text: what it charged, and the gift cards' part of it when they paid some. */
function chargedText(key, p) {
  const text = t(key, { amount: formatMoney(p.amount) });
  return p.gift_card ? text + t('till.charged_parts', { gift: formatMoney(p.gift_card) }) : text;
}

// ------------------------------------------------------------ the order's currency
/** The currency the next order is priced in (CNY unless the shop picks another). */
function orderCurrency() { return $('till-order-currency').value || 'CNY'; }

/** The amount's label and the keypad follow the currency picked: "金额（元）", or "金额（美元 USD）"
 * with the currency's decimals (none for yen). */
function drawOrderCurrency() {
  const code = orderCurrency();
  const label = $('till-order-amount-label');
  if (code === 'CNY') {
    label.setAttribute('data-i18n', 'till.amount');
    label.textContent = t('till.amount');
  } else {
    label.removeAttribute('data-i18n');
    label.textContent = t('till.amount_in', { name: currencyName(code), code });
  }
  const input = $('till-order-amount');
  keypadDecimals(input, exponentOf(code));
}

/** Fills the currency picker with the enabled currencies (CNY first), keeping the one picked. */
async function loadCurrencies() {
  try {
    S.currencies = (await enabledCurrencies(true)).map((c) => c.code);
  } catch (_) {
    S.currencies = ['CNY']; // Without the list, orders are in yuan as before.
  }
  if (!S.currencies.includes('CNY')) S.currencies.unshift('CNY');
  const sel = $('till-order-currency');
  const was = sel.value || 'CNY';
  clear(sel);
  for (const code of S.currencies) sel.append(el('option', { value: code, text: code, title: currencyName(code) }));
  sel.value = S.currencies.includes(was) ? was : 'CNY';
  drawOrderCurrency();
}

// ------------------------------------------------------------ charges that wait for the customer
function stopChargePoll() {
  if (S.chargeTimer) window.clearTimeout(S.chargeTimer);
  S.chargeTimer = null;
  S.chargeId = null;
}

// Above the password-free limit the customer confirms on their own phone: the till shows that it
// waits, and reads the payment until the customer confirms, declines or lets it lapse.
function pollCharge(id) {
  stopChargePoll();
  S.chargeId = id;
  const res = $('till-charge-result');
  const show = (key, p, status) => {
    res.textContent = chargedText(key, p);
    res.dataset.paymentId = id;
    res.dataset.status = status;
    res.className = status === 'succeeded' ? 'success' : status === 'awaiting_payer' ? 'hint' : 'error';
    res.hidden = false;
  };
  const tick = async () => {
    if (S.chargeId !== id) return;
    try {
      const p = await api('GET', '/v1/merchant/payments/' + encodeURIComponent(id));
      if (S.chargeId !== id) return;
      if (p.status !== 'awaiting_payer') {
        S.chargeTimer = null;
        show('till.charge.' + p.status, p, p.status);
        announce(res.textContent);
        if (p.status === 'succeeded') { announceArrival(p.amount, id); refreshAll(); }
        return;
      }
    } catch (e) {
      if (unauthorized(e)) return;
    }
    S.chargeTimer = window.setTimeout(tick, 1000);
  };
  return { show, start: () => { S.chargeTimer = window.setTimeout(tick, 1000); } };
}

// ------------------------------------------------------------ wiring
function wire() {
  form('till-signin-form', async () => {
    const key = $('till-key').value.trim();
    if (!key) throw localError('required', $('till-key'));
    try {
      S.merchant = await api('POST', '/web/merchant/session', { body: { api_key: key } });
    } catch (err) {
      err.input = $('till-key');
      if (err.code === 'unauthorized') err.code = 'till_key_invalid';
      throw err;
    }
    $('till-key').value = '';
    showSignedIn(true);
    await refreshAll();
    $('till-order-amount').focus();
  });

  $('till-signout').addEventListener('click', () => busy($('till-signout'), async () => {
    try { await api('DELETE', '/web/merchant/session'); } catch (_) { /* signed out anyway */ }
    S.merchant = null;
    stopOrderPoll();
    showSignedIn(false);
    toast(t('till.signed_out'), '', 'ok');
    $('till-key').focus();
  }));

  $('till-refresh').addEventListener('click', () => busy($('till-refresh'), refreshAll));
  $('till-payments-more').addEventListener('click', () => busy($('till-payments-more'), () => loadPayments(true).catch((e) => showError('till-payments-error', e))));

  $('till-order-currency').addEventListener('change', () => { drawOrderCurrency(); $('till-order-amount').focus(); });

  form('till-order-form', async () => {
    const currency = orderCurrency();
    const amount = minorOf('till-order-amount', currency);
    const description = $('till-order-desc').value.trim();
    const body = { amount, description };
    // Priced in another currency: the customer pays its yuan price through a quote.
    if (currency !== 'CNY') body.currency = currency;
    let o;
    try {
      o = await api('POST', '/v1/merchant/orders', { body, idem: uuid() });
    } catch (err) {
      if (unauthorized(err)) return;
      throw err;
    }
    S.orderId = o.order_id;
    qrImg($('till-order-qr'), o.qr_svg, t('till.order_qr_alt'));
    const shown = $('till-order-amount-shown');
    shown.textContent = formatMinor(o.amount, o.currency);
    shown.dataset.minor = String(o.amount);
    shown.dataset.currency = o.currency || 'CNY';
    $('till-order-id').textContent = o.order_id;
    $('till-order-payload').textContent = o.qr_payload;
    showOrderStatus(o.status);
    $('till-order-form').hidden = true;
    $('till-order-pending').hidden = false;
    $('till-order-ids').hidden = false;
    $('till-receipt').hidden = true;
    $('till-order-box').hidden = false;
    pollOrder(o.order_id);
    $('till-order-new').focus();
  });

  $('till-order-new').addEventListener('click', () => {
    stopOrderPoll();
    S.orderId = null;
    $('till-order-box').hidden = true;
    $('till-order-form').hidden = false;
    $('till-order-amount').value = '';
    $('till-order-desc').value = '';
    $('till-receipt').hidden = true;
    $('till-order-amount').focus();
  });

  $('till-charge-file').addEventListener('change', async () => {
    const file = $('till-charge-file').files[0];
    if (!file) return;
    const status = $('till-charge-decode');
    showError('till-charge-error', null);
    status.textContent = t('till.decoding');
    try {
      const r = await api('POST', '/v1/qr/decode', { raw: file, contentType: imageType(file) });
      const digits = String(r.payload || '').replace(/\s/g, '');
      if (!/^\d{18}$/.test(digits)) {
        status.textContent = t('till.not_a_code');
      } else {
        $('till-charge-code').value = digits;
        status.textContent = t('till.decoded');
        $('till-charge-amount').focus();
      }
    } catch (err) {
      status.textContent = '';
      if (!unauthorized(err)) showError('till-charge-error', err);
    } finally {
      $('till-charge-file').value = '';
    }
  });
  $('till-charge-code').addEventListener('input', () => S.chargeIdem.reset());
  $('till-charge-amount').addEventListener('input', () => S.chargeIdem.reset());

  form('till-charge-form', async () => {
    $('till-charge-result').hidden = true;
    stopChargePoll();
    const codeInput = $('till-charge-code');
    const code = codeInput.value.replace(/\s/g, '');
    if (!/^\d{18}$/.test(code)) throw codeError('payment_code_invalid', codeInput);
    const amount = amountOf('till-charge-amount');
    const body = { payment_code: code, amount };
    const description = $('till-charge-desc').value.trim();
    if (description) body.description = description;
    let r;
    try {
      r = await api('POST', '/v1/merchant/charges', { body, idem: S.chargeIdem.get() });
      S.chargeIdem.settle(null);
    } catch (err) {
      S.chargeIdem.settle(err);
      if (unauthorized(err)) return;
      if (err.code === 'payment_code_invalid' || err.code === 'payment_code_expired') err.input = codeInput;
      throw err;
    }
    codeInput.value = '';
    $('till-charge-amount').value = '';
    $('till-charge-desc').value = '';
    if (r.status === 'awaiting_payer') {
      const wait = pollCharge(r.payment_id);
      wait.show('till.charge.awaiting_payer', r, 'awaiting_payer');
      announce($('till-charge-result').textContent);
      wait.start();
      return;
    }
    const res = $('till-charge-result');
    res.textContent = chargedText('till.charged', r);
    res.dataset.amount = String(r.amount);
    res.dataset.giftCard = String(r.gift_card || 0);
    res.className = 'success';
    res.dataset.paymentId = r.payment_id;
    res.dataset.status = r.status;
    res.hidden = false;
    announce(res.textContent);
    announceArrival(r.amount, r.payment_id);
    await refreshAll();
  });

  wireRefunds({ merchant: () => S.merchant, unauthorized, done: () => refreshAll() });
  wirePoster();
  wireVoice();
  window.addEventListener('hashchange', () => {
    if (!S.merchant) return;
    showSignedIn(true);
    if (!posterRoute()) $('till-shop-qr-open').focus();
  });
}

async function boot() {
  initLang();
  onLang(() => {
    drawOrderCurrency();
    for (const o of $('till-order-currency').options) o.title = currencyName(o.value);
    if (S.merchant) {
      refreshAll();
      const st = $('till-order-status').dataset.status;
      if (st) showOrderStatus(st);
    }
  });
  wire();
  // The refund password's six boxes, and the keypad a counter's tablet types amounts with.
  enhancePins();
  amountKeypad($('till-order-amount'));
  // The keypad goes under the amount and its currency, not between them.
  const pad = $('till-order-amount-keypad');
  if (pad) $('till-order-amount-line').after(pad);
  await loadCurrencies();
  try {
    S.merchant = await api('GET', '/web/merchant/session');
  } catch (_) {
    S.merchant = null;
  }
  showSignedIn(!!S.merchant);
  if (S.merchant) await refreshAll();
  document.body.dataset.ready = '1';
}

if (document.readyState === 'loading') document.addEventListener('DOMContentLoaded', boot);
else boot();
