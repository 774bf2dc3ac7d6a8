/* qianbao web, holder's app — currency conversion (#/convert): choose the currency to sell and the
 * one to buy among those the operator enabled (GET /v1/fx/rates), type the amount to sell in its
 * major units (read into minor units by the currency's exponent, by string arithmetic: never more
 * decimals than the currency has), and a quote is asked for once typing pauses, or with the
 * button: the mid rate, what is paid, the fee (the spread) and what arrives, with a countdown to
 * the quote's end by the server's clock. Confirming takes the payment password and converts
 * (POST /v1/fx/conversions, one Idempotency-Key per quote, through the second-factor sheet if risk
 * control asks); it ends on the shared result page in `convert-result-page`. When the countdown
 * (quote-clock.js) reaches 0 the confirm button is disabled and "刷新报价" asks for a new quote. */
import { $, announce, clear, el } from './dom.js';
import { Idem, api } from './http.js';
import { t, hasText } from './i18n.js';
import { codeError, invalid, localError, reportError, showError } from './errors.js';
import { digits6, form } from './common.js';
import { exponentOf, formatMinor, parseMinor, typedDecimals } from './money.js';
import { currencyName, enabledCurrencies, rateText } from './currencies.js';
import { QuoteClock } from './quote-clock.js';
import { state } from './app-state.js';
import { moneyCall } from './app-second-factor.js';
import { hideResult, showResult } from './result-page.js';

/** How long typing pauses before a quote is asked for. */
const DEBOUNCE_MS = 600;

const st = {
  /** The enabled currencies, `[{code, exponent}]`, CNY first. */
  currencies: [],
  /** The balances by currency: `{available, held}`. */
  balances: {},
  /** The quote shown: the server's answer, with `expired` once it can no longer be used. */
  quote: null,
  /** The newest quote asked for: an answer to an older one is dropped. */
  seq: 0,
  debounce: null,
  /** One Idempotency-Key per quote confirmed (a retry after a network failure reuses it). */
  idem: new Idem(),
  /** The pair chosen, so picking the other side's currency swaps the two. */
  prev: { sell: 'CNY', buy: 'USD' },
};

/** The quote's countdown, by the server's clock; at 0, `quoteOver()`. */
const clock = new QuoteClock('convert-countdown', 'convert-live',
  { left: 'quote.countdown', soon: 'quote.expires_soon', over: 'quote.expired' }, () => quoteOver());

async function loadBalances() {
  const r = await api('GET', '/v1/me/balance');
  st.balances = {};
  for (const b of (r && r.balances) || []) st.balances[b.currency] = b;
  drawAvailable();
}

function drawAvailable() {
  const sell = $('convert-sell').value || 'CNY';
  const b = st.balances[sell];
  const shown = $('convert-available');
  shown.textContent = formatMinor(b ? b.available : 0, sell);
  shown.dataset.minor = String(b ? b.available : 0);
}

/** Fills both currency lists, keeping the pair chosen; CNY → the first other currency at first. */
function fillSelects() {
  const codes = st.currencies.map((c) => c.code);
  for (const [id, want] of [['convert-sell', st.prev.sell], ['convert-buy', st.prev.buy]]) {
    const sel = clear(id);
    for (const code of codes) sel.append(el('option', { value: code, text: t('convert.option', { code, name: currencyName(code) }) }));
    if (codes.includes(want)) sel.value = want;
  }
  const sell = $('convert-sell');
  const buy = $('convert-buy');
  if (!codes.includes(sell.value)) sell.value = codes[0] || '';
  if (!codes.includes(buy.value) || buy.value === sell.value) buy.value = codes.find((c) => c !== sell.value) || '';
  st.prev = { sell: sell.value, buy: buy.value };
}

/** The amount's label, hint and placeholder follow the currency sold and its decimals. */
function drawAmountLabel() {
  const sell = $('convert-sell').value || 'CNY';
  const e = exponentOf(sell);
  $('convert-amount-label').textContent = t('convert.amount', { currency: sell });
  $('convert-amount-hint').textContent = e === 0 ? t('convert.hint_whole', { currency: sell }) : t('convert.hint', { currency: sell, n: e });
  const input = $('convert-amount');
  input.placeholder = e === 0 ? '0' : '0.' + '0'.repeat(e);
  input.inputMode = e === 0 ? 'numeric' : 'decimal';
}

/** The amount typed, in minor units of the currency sold; throws a local error saying what is wrong. */
function readAmount() {
  const input = $('convert-amount');
  const e = exponentOf($('convert-sell').value);
  if (typedDecimals(input.value) > e) {
    throw localError(hasText('err.local.amount_decimals_' + e) ? 'amount_decimals_' + e : 'amount', input);
  }
  const minor = parseMinor(input.value, e);
  if (minor === null) throw localError('amount', input);
  return minor;
}

function setSubmit(key, disabled) {
  const b = $('convert-submit');
  b.setAttribute('data-i18n', key);
  b.textContent = t(key);
  b.disabled = disabled;
}

/** The confirm button is disabled while the quote shown has expired (the form's handler enables
 * its buttons again when it ends). */
function syncSubmit() {
  $('convert-submit').disabled = !!(st.quote && st.quote.expired);
}

/** Forgets the quote shown (and any on its way): back to "获取报价". */
function clearQuote() {
  st.seq += 1;
  st.quote = null;
  clock.stop();
  $('convert-quote').hidden = true;
  $('convert-refresh').hidden = true;
  $('convert-pin-row').hidden = true;
  $('convert-pin').value = '';
  setSubmit('convert.get_quote', false);
}

function secondsLeft() { return st.quote ? clock.secondsLeft() : 0; }

/** The quote can no longer be used (the countdown reached 0, or the server said so): the
 * countdown says so, confirm is disabled, "刷新报价" shows. */
function expire() {
  if (!st.quote) return;
  clock.expire();
  quoteOver();
}

function quoteOver() {
  const q = st.quote;
  if (!q) return;
  q.expired = true;
  $('convert-refresh').hidden = false;
  const submit = $('convert-submit');
  const hadFocus = document.activeElement === submit;
  submit.disabled = true;
  if (hadFocus) $('convert-refresh').focus();
}

function drawQuote() {
  const q = st.quote;
  if (!q) return;
  const rate = rateText(q.rate);
  const shown = $('convert-rate');
  shown.textContent = t(rate.exact ? 'convert.rate_line' : 'convert.rate_about', { sell: q.sell_currency, buy: q.buy_currency, rate: rate.text });
  // The exact rate stays at hand (a long press / hover shows it; tests read it).
  shown.title = q.rate;
  shown.dataset.rate = q.rate;
  $('convert-pay').textContent = formatMinor(q.sell_amount, q.sell_currency);
  $('convert-fee').textContent = formatMinor(q.fee, q.fee_currency);
  const got = $('convert-get');
  got.textContent = formatMinor(q.buy_amount, q.buy_currency);
  got.dataset.minor = String(q.buy_amount);
  clock.draw(true);
}

function showQuote(q, meta, explicit) {
  st.idem.reset();
  st.quote = Object.assign({}, q, { expired: false });
  $('convert-quote').hidden = false;
  $('convert-pin-row').hidden = false;
  setSubmit('convert.confirm', false);
  drawQuote();
  clock.start(q.expires_at, meta);
  announce(t('convert.quoted', {
    pay: formatMinor(q.sell_amount, q.sell_currency), get: formatMinor(q.buy_amount, q.buy_currency), n: secondsLeft(),
  }));
  if (explicit) $('convert-pin').focus();
}

/** Asks for a quote of what is chosen and typed; answers it, or null when something changed
 * meanwhile. `explicit`: asked with a button (the loading bar shows, the PIN gets the focus). */
async function askQuote(explicit) {
  window.clearTimeout(st.debounce);
  const sell = $('convert-sell').value;
  const buy = $('convert-buy').value;
  if (!sell || !buy || sell === buy) throw localError('same_currency', $('convert-buy'));
  const amount = readAmount();
  clearQuote();
  const mine = st.seq;
  const meta = {};
  let q;
  try {
    q = await api('POST', '/v1/fx/quotes', {
      body: { sell_currency: sell, buy_currency: buy, sell_amount: amount }, meta, quiet: !explicit,
    });
  } catch (err) {
    if (mine !== st.seq) return null;
    // Refused as an amount when it is too small to buy one minor unit of the other currency.
    if (err.code === 'amount_invalid') { err.field = 'sell_amount'; err.input = $('convert-amount'); }
    throw err;
  }
  if (mine !== st.seq) return null;
  showQuote(q, meta, explicit);
  return q;
}

/** What was typed or chosen changed: the quote shown is for something else; a new one is asked
 * for once typing pauses (too many decimals are said at once, without asking). */
function amountChanged() {
  window.clearTimeout(st.debounce);
  clearQuote();
  showError('convert-error', null);
  const text = $('convert-amount').value.trim();
  if (!text || !st.currencies.length) return;
  if (typedDecimals(text) > exponentOf($('convert-sell').value)) {
    try { readAmount(); } catch (err) { showError('convert-error', err); }
    return;
  }
  st.debounce = window.setTimeout(() => {
    askQuote(false).catch((err) => showError('convert-error', err));
  }, DEBOUNCE_MS);
}

function currencyChanged(which) {
  const sell = $('convert-sell');
  const buy = $('convert-buy');
  // Picking the other side's currency swaps the two.
  if (sell.value === buy.value) {
    if (which === 'sell') buy.value = st.prev.sell;
    else sell.value = st.prev.buy;
  }
  st.prev = { sell: sell.value, buy: buy.value };
  drawAmountLabel();
  drawAvailable();
  amountChanged();
}

function swap() {
  const sell = $('convert-sell');
  const buy = $('convert-buy');
  [sell.value, buy.value] = [buy.value, sell.value];
  st.prev = { sell: sell.value, buy: buy.value };
  drawAmountLabel();
  drawAvailable();
  amountChanged();
}

async function refresh() {
  const b = $('convert-refresh');
  showError('convert-error', null);
  b.disabled = true;
  try {
    await askQuote(true);
  } catch (err) {
    reportError('convert-error', err);
    if (err.input) invalid(err.input);
  } finally {
    b.disabled = false;
  }
}

/** The form: the first submit asks for the quote; with a quote shown, the PIN converts. */
async function submit() {
  try {
    const q = st.quote;
    if (!q) { await askQuote(true); return; }
    if (q.expired || secondsLeft() === 0) {
      expire();
      throw codeError('quote_expired');
    }
    const pin = digits6('convert-pin');
    const what = () => t('stepup.what.convert', {
      sold: formatMinor(q.sell_amount, q.sell_currency), got: formatMinor(q.buy_amount, q.buy_currency),
    });
    let r;
    try {
      r = await moneyCall('/v1/fx/conversions', { quote_id: q.quote_id, pin }, st.idem, what);
    } catch (err) {
      if (['pin_incorrect', 'pin_invalid', 'pin_locked'].includes(err.code)) { $('convert-pin').value = ''; err.input = $('convert-pin'); }
      // Short of the currency sold: a top-up (yuan) helps only when that is yuan.
      if (err.code === 'insufficient_balance') {
        err.currency = q.sell_currency;
        if (q.sell_currency !== 'CNY') err.field = 'other_currency';
      }
      // Spent, expired or gone: this quote cannot be used again; a new one is a tap away.
      if (['quote_expired', 'quote_used', 'not_found'].includes(err.code) && st.quote === q) expire();
      throw err;
    }
    const sold = formatMinor(r.sell_amount, r.sell_currency);
    const got = formatMinor(r.buy_amount, r.buy_currency);
    $('convert-amount').value = '';
    clearQuote();
    $('convert-form').hidden = true;
    showResult('convert-result', {
      message: t('convert.done', { sold, got }),
      status: r.status, id: r.id, amount: r.buy_amount, currency: r.buy_currency,
      payee: t('convert.balance_of', { name: currencyName(r.buy_currency) }),
      method: t('convert.balance_of', { name: currencyName(r.sell_currency) }),
    });
    loadBalances().catch(() => {});
  } finally {
    // The form enables its buttons when this ends; an expired quote keeps confirm disabled.
    window.setTimeout(syncSubmit, 0);
  }
}

function leave() {
  window.clearTimeout(st.debounce);
  clearQuote();
}

async function enter() {
  state.leave = leave;
  hideResult('convert-result');
  showError('convert-error', null);
  clearQuote();
  const [currencies] = await Promise.all([enabledCurrencies(), loadBalances()]);
  st.currencies = currencies;
  const some = st.currencies.length > 1;
  $('convert-none').hidden = some;
  $('convert-form').hidden = !some;
  fillSelects();
  drawAmountLabel();
  drawAvailable();
  // An amount left typed (the screen shown again) is quoted again.
  if (some && $('convert-amount').value.trim()) amountChanged();
}

/** After a language switch: the lists, the label and the quote in the new language. */
function redraw() {
  if (!st.currencies.length) return;
  fillSelects();
  drawAmountLabel();
  drawAvailable();
  drawQuote();
}

export function wire() {
  $('convert-amount').addEventListener('input', amountChanged);
  $('convert-sell').addEventListener('change', () => currencyChanged('sell'));
  $('convert-buy').addEventListener('change', () => currencyChanged('buy'));
  $('convert-swap').addEventListener('click', swap);
  $('convert-refresh').addEventListener('click', () => { refresh(); });
  form('convert-form', submit);
}

export const screens = {
  // A live notification (the conversion's own) may have moved a balance.
  convert: { enter, onLang: redraw, onNotice: () => { loadBalances().catch(() => {}); } },
};
