/* qianbao web — the amount keypad, shared by the till and the app's amount screens: twelve keys
 * (digits, the point, delete) under an amount field, as a shop's card machine and Alipay's pay
 * screen have. The field stays the real input (typing, pasting and tests' fill() still work); the
 * keys only edit its text, through keypadPress(), which is pure so the unit checks can run it. */

import { el } from './dom.js';
import { t } from './i18n.js';

/** The longest amount the keypad types: twelve digits of yuan (the money parser's limit is 15 of fen). */
const MAX_WHOLE_DIGITS = 12;

/**
 * The field's text after pressing `key` ('0'–'9', '.', 'del') on `text`: at most `decimals`
 * decimals (two unless told: the currency's exponent; none and no point for yen) and one point,
 * no leading zeros before a digit, and nothing past twelve whole digits. A key that would make
 * the text invalid is ignored (the text comes back unchanged).
 */
export function keypadPress(text, key, decimals) {
  const places = decimals === undefined ? 2 : decimals;
  const s = String(text || '');
  if (key === 'del') return s.slice(0, -1);
  if (key === '.') {
    if (s.includes('.') || places === 0) return s;
    return (s === '' ? '0' : s) + '.';
  }
  if (!/^[0-9]$/.test(key)) return s;
  const [whole, frac] = s.split('.');
  if (frac !== undefined) return frac.length >= places ? s : s + key;
  if (whole === '0') return key;
  if (whole.length >= MAX_WHOLE_DIGITS) return s;
  return s + key;
}

const KEYS = ['1', '2', '3', '4', '5', '6', '7', '8', '9', '.', '0', 'del'];

/** The decimals the keypad of `input` allows: its `data-decimals` (set by keypadDecimals), else 2. */
function decimalsOf(input) {
  const n = parseInt(input.dataset.decimals || '', 10);
  return Number.isInteger(n) && n >= 0 ? n : 2;
}

/**
 * Sets how many decimals the amount in `input` may have (the currency's exponent): the keypad
 * takes no more, and its point key is disabled at 0. The text typed stays as it is (the form
 * says what is wrong with it).
 */
export function keypadDecimals(input, decimals) {
  if (!input) return;
  input.dataset.decimals = String(decimals);
  input.placeholder = decimals > 0 ? '0.' + '0'.repeat(decimals) : '0';
  const point = document.querySelector('#' + input.id + '-keypad [data-key="."]');
  if (point) point.disabled = decimals === 0;
}

/**
 * Puts a keypad under `input` (once). The system keyboard stays away on touch screens
 * (`inputmode="none"`); each key is a real button of at least 44 px, announced by its label.
 */
export function amountKeypad(input) {
  if (!input || input.dataset.keypad === 'on') return null;
  input.dataset.keypad = 'on';
  input.setAttribute('inputmode', 'none');
  // data-i18n-al: the language switch relabels the keys with the rest of the page.
  const pad = el('div', { class: 'keypad', role: 'group', 'aria-label': t('keypad.label'), 'data-i18n-al': 'keypad.label', id: input.id + '-keypad' });
  for (const key of KEYS) {
    const named = key === 'del' ? 'keypad.delete' : key === '.' ? 'keypad.point' : null;
    const button = el('button', {
      type: 'button', class: 'keypad-key' + (key === 'del' ? ' keypad-del' : ''), 'data-key': key,
      'aria-label': named ? t(named) : key, 'data-i18n-al': named, text: key === 'del' ? '⌫' : key,
    });
    button.addEventListener('click', () => {
      const next = keypadPress(input.value, key, decimalsOf(input));
      if (next === input.value) return;
      input.value = next;
      input.dispatchEvent(new Event('input', { bubbles: true }));
    });
    pad.append(button);
  }
  input.insertAdjacentElement('afterend', pad);
  return pad;
}
