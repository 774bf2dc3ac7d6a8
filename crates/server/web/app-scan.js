/* qianbao web, holder's app — scan to pay (#/scan): a QR payload pasted or a picture decoded by
 * the server (stage 1), who is paid and how much as the server previews it, then the payment
 * password (stage 2; a second factor through the shared sheet when risk control asks), and the
 * result (stage 3: the shared result page, paid or held for review). A shop's code or order may be paid from the balance
 * or a bound card (the payment-method row: the balance by default when it covers the amount).
 *
 * An order priced in another currency (the preview's `fx`) is paid from yuan through the quote
 * the preview carries: the page shows the shop's price in its currency, the yuan to pay with the
 * fee (the spread) in it, the rate, and the quote's countdown (quote-clock.js); confirming sends
 * `quote_id`. Once the quote runs out, confirm is disabled and "刷新报价" asks for the preview
 * again. Such an order is paid from the balance only (a card cannot pay it).
 *
 * A shop's code or order in yuan paid from the balance offers the holder's coupons for that shop
 * (the preview's `merchant_id`, GET /v1/me/coupons): the best one for the amount pre-selected,
 * "不使用优惠券" a choice, the price, the discount and what is paid shown (again as a static
 * code's amount is typed); confirming sends `coupon_id`. A card cannot pay with a coupon.
 *
 * There too the holder's points (积分, GET /v1/me/points) are offered as a switch, off until
 * turned on: "用 N 积分抵 ¥x", N the fewer of the points held and the price less the coupon's
 * discount (one point a fen). On, the sum counts them and confirming sends `points`. A card
 * cannot pay with points either. */
import { $, announce, clear, el, imageType } from './dom.js';
import { Idem, api } from './http.js';
import { t } from './i18n.js';
import { codeError, localError, reportError, showError } from './errors.js';
import { amountOf, digits6, form } from './common.js';
import { exponentOf, formatMinor, formatMoney, parseYuan } from './money.js';
import { currencyName, perUnit, rateText } from './currencies.js';
import { QuoteClock } from './quote-clock.js';
import { state } from './app-state.js';
import { moneyCall } from './app-second-factor.js';
import { fetchCards } from './app-cards.js';
import { showResult } from './result-page.js';
import { go } from './app-router.js';
import { packetIdOf } from './app-redpackets.js';
import { campaignIdOf, couponsFor, discountOf, ruleText } from './app-coupons.js';
import { pointsBalance } from './app-points.js';

/** The payment being confirmed: its payload, kind (r/m/o), fixed amount and its currency,
 * Idempotency-Key, the available balance, whether the payer chose the method themselves, `fx`:
 * the preview's quote for an order priced in another currency (with `expired`), `coupons`: the
 * holder's usable coupons for the shop, whether the payer chose the coupon themselves, the
 * points they hold (0: none offered), and the preview and the cards as last shown (to redraw them
 * in another language). */
const pay = {
  payload: '', kind: '', fixed: null, currency: 'CNY', idem: new Idem(), available: 0, chosen: false, fx: null,
  coupons: [], couponChosen: false, points: 0, seen: null, cards: [],
};

/** The quote's countdown, by the server's clock. */
const clock = new QuoteClock('pay-fx-countdown', 'pay-fx-live',
  { left: 'quote.countdown', soon: 'quote.expires_soon', over: 'quote.expired' }, () => quoteOver());

/** The kinds the preview names, by the letter of their qianbao:// text. */
const KIND = { receive: 'r', merchant: 'm', order: 'o' };

/** The methods that can pay a shop: the balance, then each active card (the default first). A
 * holder's receive code, and an order priced in another currency, are paid from the balance only. */
async function fillMethods(kind, foreign) {
  const row = $('pay-method-row');
  const sel = clear('pay-method');
  pay.chosen = false;
  row.hidden = true;
  if (kind === 'r' || foreign) return;
  let cards = [];
  try {
    const [bal, all] = await Promise.all([api('GET', '/v1/me/balance'), fetchCards()]);
    const cny = ((bal && bal.balances) || []).find((b) => b.currency === 'CNY');
    pay.available = cny ? cny.available : 0;
    cards = all.filter((c) => c.status === 'active');
  } catch (_) {
    return; // Without the list the balance pays, as before.
  }
  if (cards.length === 0) return;
  pay.cards = cards;
  drawMethods();
  row.hidden = false;
  pickMethod();
}

/** The method choices in the page's language: the balance, then the cards (the choice kept). */
function drawMethods() {
  const sel = $('pay-method');
  const was = sel.value;
  clear(sel);
  sel.append(el('option', { value: '', text: t('scan.method.balance', { amount: formatMoney(pay.available) }) }));
  for (const c of pay.cards) {
    sel.append(el('option', {
      value: c.card_id,
      text: t('scan.method.card', { bank: c.bank_name, type: t('cards.' + c.card_type), last4: c.last4 }),
      dataset: { shown: c.bank_name + ' ****' + c.last4 },
    }));
  }
  sel.value = was;
  if (sel.selectedIndex < 0) sel.selectedIndex = 0;
}

/** Who is paid and what kind of code, in the page's language, from the preview `seen`. */
function drawPayee(seen) {
  $('pay-kind').textContent = t('scan.kind.' + pay.kind);
  const payee = $('pay-payee');
  payee.textContent = pay.kind === 'r' ? seen.payee_name
    : t(pay.kind === 'm' ? 'scan.shop' : 'scan.order', { id: seen.payee_name });
  if (seen.description) payee.textContent += ' · ' + seen.description;
}

/** The amount being paid in minor units: the code's, or the one typed (null until it is one). */
function priceNow() {
  return $('pay-amount-row').hidden ? pay.fixed : parseYuan($('pay-amount').value);
}

/** The balance when it covers what is paid (after the coupon chosen; or none is typed yet),
 * else the first card. */
function pickMethod() {
  if (pay.chosen || $('pay-method-row').hidden) return;
  const price = priceNow();
  // The coupon picked counts even while a card is chosen: with it the balance may cover the rest.
  const coupon = pickedCoupon();
  const off = price && coupon ? discountOf(coupon.rule, price) || 0 : 0;
  // Points switched on count too: what is left may then fit the balance.
  const typed = price ? price - off - (pointsOn() ? pointsFor(price, off) : 0) : price;
  const sel = $('pay-method');
  sel.selectedIndex = typed && typed > pay.available && sel.options.length > 1 ? 1 : 0;
}

/** Whether a bound card is chosen to pay (it cannot pay with a coupon). */
function byCard() {
  return !$('pay-method-row').hidden && !!$('pay-method').value;
}

/** The holder's coupons for the shop: only for a shop's code or order in yuan, paid from the
 * balance (the server refuses a coupon anywhere else). */
async function fillCoupons(seen) {
  pay.coupons = [];
  pay.couponChosen = false;
  if (pay.kind === 'r' || seen.fx || !seen.merchant_id || pay.currency !== 'CNY') return;
  try {
    pay.coupons = await couponsFor(seen.merchant_id);
  } catch (_) {
    // Without the list the payment goes on without a coupon, as before coupons existed.
  }
}

/** The holder's points, for the same payments a coupon can pay (the server refuses them
 * anywhere else). */
async function fillPoints(seen) {
  pay.points = 0;
  $('pay-points').checked = false;
  if (pay.kind === 'r' || seen.fx || !seen.merchant_id || pay.currency !== 'CNY') return;
  try {
    pay.points = await pointsBalance();
  } catch (_) {
    // Without the balance the payment goes on without points, as before points existed.
  }
}

/** The points that pay a price of `price` after a coupon took `off`: the fewer of those held and
 * what is left, one point a fen. */
function pointsFor(price, off) {
  return Math.max(0, Math.min(pay.points, price - off));
}

/** Whether the points switch is offered and on. */
function pointsOn() {
  return !$('pay-points-row').hidden && $('pay-points').checked;
}

/** The points the payer will pay with (0: none; off, or a card pays), for `price` after `off`. */
function chosenPoints(price, off) {
  return pointsOn() && !byCard() && price ? pointsFor(price, off) : 0;
}

/** The coupon picked in the list, or null. */
function pickedCoupon() {
  if ($('pay-coupon-row').hidden) return null;
  const id = $('pay-coupon').value;
  return pay.coupons.find((c) => c.coupon_id === id) || null;
}

/** The coupon the payer will pay with, or null (none picked, or a card pays). */
function chosenCoupon() {
  return byCard() ? null : pickedCoupon();
}

/** The coupons as choices for the amount now: each with what it takes off (those below their
 * minimum spend disabled), the best pre-selected unless the payer chose one that still applies. */
function offerCoupons() {
  const row = $('pay-coupon-row');
  row.hidden = pay.coupons.length === 0;
  if (row.hidden) return;
  const price = priceNow();
  const sel = $('pay-coupon');
  const was = sel.value;
  const ranked = pay.coupons.map((c) => ({ c, off: price ? discountOf(c.rule, price) : null }));
  // The most off first; of equal ones, the soonest to lapse.
  ranked.sort((a, b) => (b.off || 0) - (a.off || 0) || Date.parse(a.c.expires_at) - Date.parse(b.c.expires_at));
  clear(sel);
  sel.append(el('option', { value: '', text: t('scan.coupon.none') }));
  for (const { c, off } of ranked) {
    const rule = ruleText(c.rule);
    // Before an amount is typed, each coupon is offered by its rule alone.
    const text = !price ? rule
      : off ? t('scan.coupon.option', { rule, off: formatMoney(-off) })
        : t('scan.coupon.short', { rule, min: formatMoney(c.rule.min_spend) });
    sel.append(el('option', { value: c.coupon_id, text, disabled: !!price && !off }));
  }
  const keep = pay.couponChosen && Array.from(sel.options).find((o) => o.value === was && !o.disabled);
  const best = ranked.find((r) => r.off);
  sel.value = keep ? was : (best ? best.c.coupon_id : '');
}

/** The price, the coupon's discount and what is paid, when a coupon is chosen; a card chosen
 * sets the coupon aside (kept picked for a switch back to the balance) and says why. */
function drawPaid() {
  const row = $('pay-coupon-row');
  if (row.hidden) return;
  const card = byCard();
  const sel = $('pay-coupon');
  sel.disabled = card;
  $('pay-coupon-card').hidden = !card;
  const price = priceNow();
  const coupon = chosenCoupon();
  const off = coupon && price ? discountOf(coupon.rule, price) : null;
  const sum = $('pay-coupon-sum');
  sum.hidden = !off;
  if (!off) return;
  $('pay-coupon-price').textContent = formatMoney(price);
  $('pay-coupon-discount').textContent = formatMoney(-off);
  const paid = $('pay-coupon-paid');
  paid.textContent = formatMoney(price - off);
  paid.dataset.minor = String(price - off);
}

/** The points switch for the amount now: "用 N 积分抵 ¥x" (hidden without points, or before an
 * amount leaves anything to pay with them); on, the price, the coupon's and the points' discount
 * together, and what is paid (the coupon's own sum then stands aside). */
function drawPoints() {
  const row = $('pay-points-row');
  const price = priceNow();
  const coupon = chosenCoupon();
  const off = coupon && price ? discountOf(coupon.rule, price) || 0 : 0;
  const n = price ? pointsFor(price, off) : 0;
  row.hidden = pay.points <= 0 || !price || n <= 0;
  if (row.hidden) return;
  const card = byCard();
  const box = $('pay-points');
  box.disabled = card;
  $('pay-points-card').hidden = !card;
  const text = $('pay-points-text');
  text.textContent = t('scan.points.use', { n, amount: formatMoney(n) });
  text.dataset.points = String(n);
  $('pay-points-have').textContent = t('scan.points.have', { n: pay.points });
  const used = chosenPoints(price, off);
  const sum = $('pay-points-sum');
  sum.hidden = !used;
  if (!used) return;
  $('pay-coupon-sum').hidden = true;
  $('pay-points-price').textContent = formatMoney(price);
  $('pay-points-discount').textContent = formatMoney(-(off + used));
  const paid = $('pay-points-paid');
  paid.textContent = formatMoney(price - off - used);
  paid.dataset.minor = String(price - off - used);
}

/** After the amount, the coupon, the points switch or the method changed: the coupons for the
 * amount, the method for what is paid, and the sums. */
function update() {
  offerCoupons();
  pickMethod();
  drawPaid();
  drawPoints();
}

/**
 * A code this wallet can pay: our qianbao://r|m|o/<id>[?amount=<fen>] (amount only on r), or an
 * EMVCo merchant-presented code (`000201…`: a shop's static code or an order), whose kind and
 * amount the server's preview tells (kind null here).
 */
function parsePayload(text) {
  const s = String(text || '').trim();
  if (/^000201/.test(s) && s.length <= 512 && !/[\u0000-\u001f]/.test(s)) return { kind: null, id: null, amount: null };
  const m = /^qianbao:\/\/([rmo])\/([0-9a-z-]{1,64})(?:\?amount=(\d{1,15}))?$/.exec(s);
  if (!m) return null;
  if (m[3] !== undefined && m[1] !== 'r') return null;
  const amount = m[3] !== undefined ? parseInt(m[3], 10) : null;
  if (amount !== null && !(amount > 0)) return null;
  return { kind: m[1], id: m[2], amount };
}

function scanStage(n) {
  for (let i = 1; i <= 3; i++) $('scan-stage-' + i).hidden = i !== n;
  if (n !== 2) clock.stop();
}

function enter() {
  state.leave = () => clock.stop();
  scanStage(1);
  $('pay-file').value = '';
  $('pay-decode-status').textContent = '';
  showError('pay-error-1', null);
  showError('pay-error', null);
  const q = location.hash.split('?')[1];
  if (q && q.startsWith('payload=')) {
    const p = decodeURIComponent(q.slice(8));
    $('pay-payload').value = p;
  }
}

/** The preview of the payload being confirmed, with the answer's clock (`meta`) for a quote. */
async function preview() {
  const meta = {};
  let seen;
  try {
    seen = await api('GET', '/v1/pay/preview', { query: { payload: pay.payload }, meta });
  } catch (err) {
    if (err.code === 'payload_invalid') err.input = $('pay-payload');
    // An order priced in another currency with no rate to quote it: said of paying, not converting.
    if (err.code === 'fx_unavailable') err.field = 'order';
    throw err;
  }
  return { seen, meta };
}

/** The yuan an order in another currency costs, the fee in it, the rates (the effective one,
 * fee included, from the two amounts; the mid rate as the server gives it) and the countdown. */
function drawFx() {
  const fx = pay.fx;
  $('pay-fx').hidden = !fx;
  if (!fx) return;
  $('pay-fx-note').textContent = t('scan.fx.note', { name: currencyName(pay.currency) });
  const paid = $('pay-fx-pay');
  paid.textContent = formatMinor(fx.pay_amount, fx.pay_currency);
  paid.dataset.minor = String(fx.pay_amount);
  $('pay-fx-fee').textContent = formatMinor(fx.fee, fx.pay_currency);
  const each = rateText(perUnit(fx.pay_amount, exponentOf(fx.pay_currency), pay.fixed, exponentOf(pay.currency)));
  $('pay-fx-rate').textContent = t('scan.fx.rate_line', { code: pay.currency, rate: each.text, pay: fx.pay_currency });
  const mid = rateText(fx.rate);
  const shown = $('pay-fx-mid');
  shown.textContent = t(mid.exact ? 'convert.rate_line' : 'convert.rate_about', { sell: fx.pay_currency, buy: pay.currency, rate: mid.text });
  // The exact rate stays at hand (a long press / hover shows it; tests read it).
  shown.title = fx.rate;
  shown.dataset.rate = fx.rate;
  clock.draw(true);
}

/** Shows the preview's quote (a new one: a new Idempotency-Key) and starts its countdown. */
function showFx(fx, meta) {
  pay.idem.reset();
  pay.fx = fx ? Object.assign({}, fx, { expired: false }) : null;
  $('pay-fx-refresh').hidden = true;
  $('pay-confirm').disabled = false;
  drawFx();
  if (!pay.fx) { clock.stop(); return; }
  clock.start(fx.expires_at, meta);
  announce(t('scan.fx.quoted', {
    price: formatMinor(pay.fixed, pay.currency), pay: formatMinor(fx.pay_amount, fx.pay_currency),
    fee: formatMinor(fx.fee, fx.pay_currency), n: clock.secondsLeft(),
  }));
}

/** The quote can no longer be used: confirm is disabled, "刷新报价" shows. */
function quoteOver() {
  if (!pay.fx) return;
  pay.fx.expired = true;
  $('pay-fx-refresh').hidden = false;
  const confirm = $('pay-confirm');
  const hadFocus = document.activeElement === confirm;
  confirm.disabled = true;
  if (hadFocus) $('pay-fx-refresh').focus();
}

/** The countdown ran out, or the server said the quote cannot be used. */
function expire() {
  if (!pay.fx) return;
  clock.expire();
  quoteOver();
}

/** "刷新报价": the preview again, with a new quote (the order's price stays the shop's). */
async function refreshQuote() {
  const b = $('pay-fx-refresh');
  showError('pay-error', null);
  b.disabled = true;
  try {
    const { seen, meta } = await preview();
    pay.fixed = seen.amount;
    pay.currency = seen.currency || 'CNY';
    showFx(seen.fx || null, meta);
    $('pay-pin').focus();
  } catch (err) {
    reportError('pay-error', err);
  } finally {
    b.disabled = false;
  }
}

async function toConfirm(text) {
  // A red packet's code opens its page, where it is claimed (nothing is paid).
  const packet = packetIdOf(text);
  if (packet) { go('#/redpacket/' + packet); return; }
  // So does a shop's coupon campaign: its page has the 领取 button.
  const campaign = campaignIdOf(text);
  if (campaign) { go('#/campaign/' + campaign); return; }
  const p = parsePayload(text);
  if (!p) throw codeError('payload_invalid', $('pay-payload'));
  pay.payload = text.trim();
  pay.fixed = p.amount;
  pay.fx = null;
  pay.idem.reset();
  // The server says who is paid and how much before the password is asked for; an order's
  // amount comes from the shop, never from the picture.
  const { seen, meta } = await preview();
  pay.kind = KIND[seen.kind] || p.kind || 'm';
  pay.seen = seen;
  drawPayee(seen);
  pay.fixed = seen.amount;
  pay.currency = seen.currency || 'CNY';
  const fixed = $('pay-amount-fixed');
  const row = $('pay-amount-row');
  if (seen.amount) {
    fixed.hidden = false; fixed.textContent = formatMinor(seen.amount, pay.currency); fixed.classList.remove('muted'); row.hidden = true;
    fixed.dataset.minor = String(seen.amount);
    fixed.dataset.currency = pay.currency;
  } else {
    fixed.hidden = true; row.hidden = false;
  }
  $('pay-amount').value = '';
  $('pay-pin').value = '';
  showError('pay-error', null);
  await Promise.all([fillMethods(pay.kind, !!seen.fx), fillCoupons(seen), fillPoints(seen)]);
  update();
  scanStage(2);
  showFx(seen.fx || null, meta);
  (row.hidden ? $('pay-pin') : $('pay-amount')).focus();
}

export function wire() {
  $('pay-file').addEventListener('change', async () => {
    const file = $('pay-file').files[0];
    if (!file) return;
    const status = $('pay-decode-status');
    showError('pay-error-1', null);
    status.textContent = t('scan.decoding');
    try {
      const r = await api('POST', '/v1/qr/decode', { raw: file, contentType: imageType(file) });
      status.textContent = '';
      $('pay-payload').value = r.payload;
      await toConfirm(r.payload);
    } catch (err) {
      status.textContent = '';
      reportError('pay-error-1', err);
    } finally {
      $('pay-file').value = '';
    }
  });

  form('pay-form-1', async () => {
    const text = $('pay-payload').value.trim();
    if (!text) throw localError('required', $('pay-payload'));
    await toConfirm(text);
  });

  $('pay-amount').addEventListener('input', update);
  $('pay-method').addEventListener('change', () => { pay.chosen = true; update(); });
  $('pay-coupon').addEventListener('change', () => { pay.couponChosen = true; update(); });
  $('pay-points').addEventListener('change', update);

  $('pay-cancel').addEventListener('click', () => { scanStage(1); $('pay-payload').focus(); });
  $('pay-fx-refresh').addEventListener('click', () => { refreshQuote(); });

  form('pay-form', async () => {
    try {
      await submit();
    } finally {
      // The form enables its buttons when this ends; an expired quote keeps confirm disabled.
      window.setTimeout(() => { if (pay.fx && pay.fx.expired) $('pay-confirm').disabled = true; }, 0);
    }
  });
}

async function submit() {
  const body = { payload: pay.payload };
  if (!$('pay-amount-row').hidden) body.amount = amountOf('pay-amount');
  const fx = pay.fx;
  if (fx) {
    if (fx.expired || clock.secondsLeft() === 0) {
      expire();
      throw codeError('quote_expired', null, { field: 'pay_quote' });
    }
    body.quote_id = fx.quote_id;
  }
  body.pin = digits6('pay-pin');
  const method = $('pay-method-row').hidden ? null : $('pay-method').selectedOptions[0];
  if (method && method.value) body.card_id = method.value;
  const coupon = chosenCoupon();
  if (coupon) body.coupon_id = coupon.coupon_id;
  const payee = $('pay-payee').textContent;
  const price = formatMinor(body.amount || pay.fixed, pay.currency);
  // With a coupon or points, the second factor is asked for what the payer pays.
  const off = coupon ? discountOf(coupon.rule, body.amount || pay.fixed) || 0 : 0;
  const points = fx ? 0 : chosenPoints(body.amount || pay.fixed, off);
  if (points) body.points = points;
  const shown = fx ? t('scan.fx.what', { pay: formatMinor(fx.pay_amount, fx.pay_currency), price })
    : formatMinor((body.amount || pay.fixed) - off - points, pay.currency);
  let r;
  try {
    r = await moneyCall('/v1/pay', body, pay.idem, () => t('stepup.what.pay', { amount: shown, payee }));
  } catch (err) {
    if (['pin_incorrect', 'pin_invalid', 'pin_locked'].includes(err.code)) { $('pay-pin').value = ''; err.input = $('pay-pin'); }
    if (err.code === 'amount_invalid' && !$('pay-amount-row').hidden) err.input = $('pay-amount');
    if (coupon && err.code && err.code.startsWith('coupon_')) {
      // Used or lapsed meanwhile: it is no longer offered; the next best is pre-selected.
      if (err.code === 'coupon_used' || err.code === 'coupon_expired') {
        pay.coupons = pay.coupons.filter((c) => c !== coupon);
        pay.couponChosen = false;
        update();
      }
      err.input = $('pay-coupon-row').hidden ? null : $('pay-coupon');
    }
    // Points spent or lapsed meanwhile: the switch offers what is held now.
    if (points && err.field === 'points') {
      fillPoints(pay.seen).then(update).catch(() => {});
      err.input = $('pay-points');
    }
    // Spent, expired or not this order's: this quote cannot pay; a new one is a tap away.
    if (fx && err.field === 'quote_id') {
      err.field = 'pay_quote';
      if (pay.fx === fx) expire();
    }
    throw err;
  }
  $('pay-pin').value = '';
  const held = r.status === 'held_for_review';
  const card = r.method === 'card' && method ? method.dataset.shown : '';
  scanStage(3);
  pay.fx = null;
  const discount = r.discount || 0;
  const giftCard = r.gift_card || 0;
  const parts = discount || giftCard;
  const usedPoints = r.points || 0;
  showResult('pay-result', {
    message: held ? t('scan.held') : t('scan.paid'),
    status: r.status, id: r.payment_id || r.id, paymentId: r.payment_id || r.id,
    // With a coupon or points, what the payer paid is the big figure; the price, the discount,
    // what the shop's gift cards paid of it and what was paid follow.
    amount: discount ? r.paid : r.amount, currency: r.currency, payee: r.payee || payee,
    // Paid in yuan for a price in another currency: the shop's price, and the fee in the yuan.
    price: fx ? price : (parts ? formatMinor(r.amount, r.currency) : ''),
    fee: fx ? formatMinor(fx.fee, fx.pay_currency) : '',
    discount: discount ? formatMinor(-discount, r.currency)
      + (usedPoints ? t('result.points_in', { n: usedPoints }) : '') : '',
    discountKey: usedPoints ? 'result.discount_points' : '',
    giftCard: giftCard ? formatMinor(giftCard, r.currency) : '',
    paid: parts ? formatMinor(r.paid, r.currency) : '',
    method: card ? t('result.by_card', { card })
      : fx ? t('convert.balance_of', { name: currencyName(fx.pay_currency) }) : t('record.method.balance'),
  });
}

/** After a language switch: the payee, the methods, the quote's lines and the coupons' in the
 * new language. */
function redraw() {
  if ($('scan-stage-2').hidden) return;
  if (pay.seen) drawPayee(pay.seen);
  if (!$('pay-method-row').hidden) drawMethods();
  if (pay.fx) drawFx();
  if (pay.coupons.length) { offerCoupons(); drawPaid(); }
  if (pay.points) drawPoints();
}

export const screens = { scan: { enter, onLang: redraw } };
