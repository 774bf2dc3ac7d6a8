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
