/* qianbao web — currencies in words, shared by the app and the till: a currency's name in the
 * page's language, the enabled currencies (GET /v1/fx/rates: their codes and exponents, which
 * money.js then reads and writes by), and rates as people read them. Rates are exact decimals
 * from the server; they are cut and divided here by string and integer arithmetic, never in
 * floating point. */
import { api } from './http.js';
import { t, hasText } from './i18n.js';
import { learnExponents } from './money.js';

/** A currency's name in the page's language ("美元"), or its code when the strings lack it. */
export function currencyName(code) { return hasText('ccy.' + code) ? t('ccy.' + code) : code; }

/** The currencies the operator enabled, `[{code, exponent}]`, CNY first (as the server lists
 * them); money.js learns their exponents. `quiet`: no loading bar. */
export async function enabledCurrencies(quiet) {
  const fx = await api('GET', '/v1/fx/rates', { quiet: !!quiet });
  learnExponents(fx && fx.currencies);
  return ((fx && fx.currencies) || []).filter((c) => c && c.code);
}

/** Significant digits of a rate shown (the amounts are exact whatever the rate shows). */
const RATE_DIGITS = 6;

/**
 * A rate as the server wrote it (an exact decimal), cut to six significant digits by string
 * arithmetic: {text: "0.140382", exact: false} for "0.140382401662", {text: "7.1234", exact: true}
 * for "7.1234".
 */
export function rateText(rate) {
  const s = String(rate || '').trim();
  if (!/^\d+(\.\d+)?$/.test(s)) return { text: s, exact: true };
  const [whole, frac = ''] = s.split('.');
  const zeros = whole === '0' ? /^0*/.exec(frac)[0].length : 0;
  const keep = whole === '0' ? zeros + RATE_DIGITS : Math.max(0, RATE_DIGITS - whole.replace(/^0+/, '').length);
  const cut = frac.slice(0, keep).replace(/0+$/, '');
  return { text: cut ? whole + '.' + cut : whole, exact: frac.replace(/0+$/, '').length <= keep };
}

/** Decimals kept when one amount is divided by another, before rateText cuts them. */
const RATIO_DECIMALS = 12;

/**
 * How much of one currency one unit of another cost, from two amounts in minor units:
 * `paid` (with `paidExponent` decimals) for `price` (with `priceExponent`), as a decimal string
 * (truncated at 12 decimals; for rateText). 7,158 fen for 1,000 cents → "7.158". Null when the
 * price is not above zero.
 */
export function perUnit(paid, paidExponent, price, priceExponent) {
  let num;
  let den;
  try {
    // paid / 10^pe ÷ (price / 10^qe) = paid · 10^qe / (price · 10^pe)
    num = BigInt(paid) * 10n ** BigInt(priceExponent + RATIO_DECIMALS);
    den = BigInt(price) * 10n ** BigInt(paidExponent);
  } catch (_) {
    return null;
  }
  if (den <= 0n || num < 0n) return null;
  const digits = (num / den).toString().padStart(RATIO_DECIMALS + 1, '0');
  const whole = digits.slice(0, -RATIO_DECIMALS);
  const frac = digits.slice(-RATIO_DECIMALS).replace(/0+$/, '');
  return frac ? whole + '.' + frac : whole;
}
