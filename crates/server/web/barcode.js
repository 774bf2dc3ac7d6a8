/* qianbao web — a Code 128 barcode of a digit string (the payment code), drawn as an SVG with
 * DOM calls only. Digits go two at a time in code set C (a symbol per pair, so 18 digits are nine
 * symbols); an odd last digit switches to code set B. Our own encoder: a till's scanner reads
 * the bars, so the symbol table and the check symbol must be exactly the standard's (ISO/IEC 15417),
 * and units.js checks them against a published vector. */

/** Bar and space widths (in modules) of every symbol value 0–105; 106 is the stop (7 elements). */
const PATTERNS = [
  '212222', '222122', '222221', '121223', '121322', '131222', '122213', '122312', '132212', '221213',
  '221312', '231212', '112232', '122132', '122231', '113222', '123122', '123221', '223211', '221132',
  '221231', '213212', '223112', '312131', '311222', '321122', '321221', '312212', '322112', '322211',
  '212123', '212321', '232121', '111323', '131123', '131321', '112313', '132113', '132311', '211313',
  '231113', '231311', '112133', '112331', '132131', '113123', '113321', '133121', '313121', '211331',
  '231131', '213113', '213311', '213131', '311123', '311321', '331121', '312113', '312311', '332111',
  '314111', '221411', '431111', '111224', '111422', '121124', '121421', '141122', '141221', '112214',
  '112412', '122114', '122411', '142112', '142211', '241211', '221114', '413111', '241112', '134111',
  '111242', '121142', '121241', '114212', '124112', '124211', '411212', '421112', '421211', '212141',
  '214121', '412121', '111143', '111341', '131141', '114113', '114311', '411113', '411311', '113141',
  '114131', '311141', '411131', '211412', '211214', '211232', '2331112',
];

const START_C = 105;
const CODE_B = 100;
const STOP = 106;

/**
 * The symbol values for `digits`: start C, a value per pair, (code B and the last digit when the
 * count is odd), the check symbol, stop. The check is the start value plus each data symbol times
 * its position (1, 2, …), modulo 103.
 */
export function code128Symbols(digits) {
  if (!/^\d+$/.test(digits)) throw new Error('code128: digits only');
  const data = [];
  let i = 0;
  for (; i + 1 < digits.length; i += 2) data.push(Number(digits.slice(i, i + 2)));
  if (i < digits.length) data.push(CODE_B, Number(digits[i]) + 16); // '0' is 16 in code set B
  const check = data.reduce((sum, v, k) => sum + v * (k + 1), START_C) % 103;
  return [START_C, ...data, check, STOP];
}

/** The barcode as modules: '1' a bar, '0' a space, left to right (without the quiet zones). */
export function code128Modules(digits) {
  let out = '';
  for (const v of code128Symbols(digits)) {
    [...PATTERNS[v]].forEach((w, k) => { out += (k % 2 ? '0' : '1').repeat(Number(w)); });
  }
  return out;
}

/**
 * An <svg> of the barcode, `height` modules tall, with 10-module quiet zones; it scales to its
 * box (crisp edges). `label` is its accessible name.
 */
export function barcodeSvg(digits, label, height) {
  const NS = 'http://www.w3.org/2000/svg';
  const modules = code128Modules(digits);
  const quiet = 10;
  const h = height || 50;
  const width = modules.length + 2 * quiet;
  const root = document.createElementNS(NS, 'svg');
  root.setAttribute('viewBox', '0 0 ' + width + ' ' + h);
  root.setAttribute('preserveAspectRatio', 'none');
  root.setAttribute('shape-rendering', 'crispEdges');
  root.setAttribute('role', 'img');
  root.setAttribute('aria-label', label || '');
  root.dataset.modules = modules;
  const bg = document.createElementNS(NS, 'rect');
  bg.setAttribute('width', String(width));
  bg.setAttribute('height', String(h));
  bg.setAttribute('fill', '#fff');
  root.append(bg);
  // One path of rectangles, a run of bars at a time.
  let d = '';
  for (let x = 0; x < modules.length;) {
    if (modules[x] === '0') { x += 1; continue; }
    let run = 1;
    while (modules[x + run] === '1') run += 1;
    d += 'M' + (x + quiet) + ' 0h' + run + 'v' + h + 'h-' + run + 'z';
    x += run;
  }
  const path = document.createElementNS(NS, 'path');
  path.setAttribute('d', d);
  path.setAttribute('fill', '#000');
  root.append(path);
  return root;
}
