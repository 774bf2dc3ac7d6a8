/* qianbao web — money as text, both ways. The server counts integer fen (1 yuan = 100 fen); the
 * pages show and read yuan. Conversion is string arithmetic, never floating point. Pure functions
 * (no DOM), so the browser test can check them directly. */

/** Integer fen → "¥1,234.56" (a minus sign before the ¥ when negative; another currency's code
 * instead of ¥). Empty for no value; a value that is not a safe integer is shown as it came. */
export function formatMoney(fen, currency) {
  if (fen === null || fen === undefined || fen === '') return '';
  const n = Number(fen);
  if (!Number.isSafeInteger(n)) return String(fen);
  const neg = n < 0;
  const digits = String(Math.abs(n)).padStart(3, '0');
  const whole = digits.slice(0, -2).replace(/\B(?=(\d{3})+(?!\d))/g, ',');
  const sym = !currency || currency === 'CNY' ? '¥' : currency + ' ';
  return (neg ? '-' : '') + sym + whole + '.' + digits.slice(-2);
}

/** Fen → "12.50", for an input's value (no symbol, no separators; amounts typed are positive). */
export function formatYuan(fen) {
  const digits = String(Math.abs(fen)).padStart(3, '0');
  return digits.slice(0, -2) + '.' + digits.slice(-2);
}

/**
 * What a person typed as yuan → integer fen; null when it is not an amount above zero.
 * Accepts "12.5", "0.05", ".5", "12.", "¥1,234.56", "￥5", spaces and commas (also "，") anywhere,
 * full-width digits and point ("１２．５"); at most two decimals and 15 digits in all.
 */
export function parseYuan(text) {
  if (text === null || text === undefined) return null;
  let s = String(text).trim().replace(/^[¥￥]/, '').replace(/[,，\s]/g, '');
  s = s.replace(/[０-９．]/g, (c) => (c === '．' ? '.' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
  const m = /^(\d*)(?:\.(\d{0,2}))?$/.exec(s);
  if (!m || (m[1] === '' && (m[2] === undefined || m[2] === ''))) return null;
  const whole = (m[1] || '0').replace(/^0+(?=\d)/, '');
  const frac = (m[2] || '').padEnd(2, '0');
  const all = (whole + frac).replace(/^0+(?=\d)/, '');
  if (all.length > 15) return null;
  const fen = parseInt(all, 10);
  return fen > 0 ? fen : null;
}

/* ---------------------------------------------------------------- any currency, by its exponent
 * The server counts every currency in integers of its minor unit: 10^-exponent of the unit (fen and
 * cents: 2; yen and won: 0). The pages know the platform's table (the ledger's ISO 4217 table) and
 * learn the enabled currencies from GET /v1/fx/rates; text ⇄ minor units is string arithmetic. */

/** Minor-unit exponents by ISO 4217 code: what the server's ledger table says. */
const EXPONENTS = { CNY: 2, HKD: 2, USD: 2, EUR: 2, JPY: 0, GBP: 2, SGD: 2, MOP: 2, KRW: 0, THB: 2 };

/** Remembers the exponents the server gives (`[{code, exponent}]` from GET /v1/fx/rates). */
export function learnExponents(currencies) {
  for (const c of currencies || []) {
    if (c && /^[A-Z]{3}$/.test(c.code) && Number.isInteger(c.exponent) && c.exponent >= 0 && c.exponent <= 4) EXPONENTS[c.code] = c.exponent;
  }
}

/** The digits after the point of `currency` (CNY when none is named; 2 for a code not known). */
export function exponentOf(currency) {
  const e = EXPONENTS[currency || 'CNY'];
  return e === undefined ? 2 : e;
}

/** Integer minor units → "1234.56" for `exponent` (no sign, no separators; "1200" at 0). */
export function minorToDecimal(minor, exponent) {
  const e = exponent === undefined ? 2 : exponent;
  const digits = String(Math.abs(minor)).padStart(e + 1, '0');
  return e === 0 ? digits : digits.slice(0, -e) + '.' + digits.slice(-e);
}

/**
 * Integer minor units of `currency` → text: "¥1,234.56" for CNY (as formatMoney), else the
 * amount then the code, "1,234.56 USD", "1,200 JPY" (no decimals at exponent 0); a minus sign first
 * when negative. `exponent` defaults to the currency's. Empty for no value; a value that is not a
 * safe integer is shown as it came.
 */
export function formatMinor(minor, currency, exponent) {
  if (minor === null || minor === undefined || minor === '') return '';
  const n = Number(minor);
  if (!Number.isSafeInteger(n)) return String(minor);
  const code = currency || 'CNY';
  const text = minorToDecimal(n, exponent === undefined ? exponentOf(code) : exponent);
  const [whole, frac] = text.split('.');
  const grouped = whole.replace(/\B(?=(\d{3})+(?!\d))/g, ',') + (frac === undefined ? '' : '.' + frac);
  const sign = n < 0 ? '-' : '';
  return code === 'CNY' ? sign + '¥' + grouped : sign + grouped + ' ' + code;
}

/** How many digits follow the point in what was typed (0 without a point); -1 when it is not
 * a plain amount at all. Full-width digits and point count as their ASCII twins. */
export function typedDecimals(text) {
  const s = normalizeTyped(text);
  const m = /^\d*(?:\.(\d*))?$/.exec(s);
  if (!m) return -1;
  return m[1] === undefined ? 0 : m[1].length;
}

function normalizeTyped(text) {
  let s = String(text === null || text === undefined ? '' : text).trim().replace(/^[¥￥$]/, '').replace(/[,，\s]/g, '');
  s = s.replace(/[０-９．]/g, (c) => (c === '．' ? '.' : String.fromCharCode(c.charCodeAt(0) - 0xfee0)));
  return s;
}

/**
 * What a person typed in major units of a currency with `exponent` decimals → integer minor
 * units; null when it is not an amount above zero, or has more decimals than the currency has
 * ("1.5" yen, "1.234" dollars). As parseYuan: commas and spaces anywhere, a leading ¥/￥/$,
 * full-width digits; at most 15 digits in all.
 */
export function parseMinor(text, exponent) {
  if (text === null || text === undefined) return null;
  const e = exponent === undefined ? 2 : exponent;
  const s = normalizeTyped(text);
  const m = /^(\d*)(?:\.(\d*))?$/.exec(s);
  if (!m || (m[1] === '' && !m[2])) return null;
  const frac = m[2] || '';
  if (frac.length > e) return null;
  const all = ((m[1] || '0') + frac.padEnd(e, '0')).replace(/^0+(?=\d)/, '');
  if (all.length > 15) return null;
  const minor = parseInt(all, 10);
  return minor > 0 ? minor : null;
}
