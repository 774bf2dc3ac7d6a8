/* qianbao web — six digit boxes for every `input.pin-input` (payment passwords, and the 6-digit
 * codes of the console). The real <input> stays the field: it keeps its id, label, name and
 * aria, and lies over the boxes with its own text made transparent, so a tap, the keyboard, paste,
 * autofill and a test's fill() all go to it. The boxes only draw what it holds (a dot per digit of a
 * password, the digit itself otherwise) and are hidden from screen readers. */

const SIZE = 6;

/** The `value` property every <input> has, so an enhanced one can still read and write it. */
const VALUE = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value');

/** Redraws the boxes of `input` from its value. */
function draw(input, boxes) {
  const v = VALUE.get.call(input);
  const secret = input.type === 'password';
  const focused = document.activeElement === input;
  boxes.forEach((box, i) => {
    box.textContent = i < v.length ? (secret ? '●' : v[i]) : '';
    box.classList.toggle('filled', i < v.length);
    box.classList.toggle('current', focused && i === Math.min(v.length, SIZE - 1));
  });
  const wrap = input.parentElement;
  wrap.classList.toggle('invalid', input.getAttribute('aria-invalid') === 'true');
  wrap.classList.toggle('disabled', input.disabled);
}

/** Keeps only digits, at most six, and the caret at the end (the boxes fill left to right). */
function clean(input) {
  const raw = VALUE.get.call(input);
  const v = raw.replace(/\D/g, '').slice(0, SIZE);
  if (v !== raw) VALUE.set.call(input, v);
  try { input.setSelectionRange(v.length, v.length); } catch (_) { /* not focusable yet */ }
}

/** Turns one input into six boxes (once). */
export function enhancePin(input) {
  if (input.dataset.pinBoxes) return;
  input.dataset.pinBoxes = '1';
  input.setAttribute('maxlength', String(SIZE));
  input.setAttribute('inputmode', 'numeric');
  if (!input.getAttribute('pattern')) input.setAttribute('pattern', '[0-9]{6}');
  const wrap = document.createElement('div');
  wrap.className = 'pin-boxes';
  const row = document.createElement('div');
  row.className = 'pin-box-row';
  row.setAttribute('aria-hidden', 'true');
  const boxes = [];
  for (let i = 0; i < SIZE; i++) {
    const box = document.createElement('span');
    box.className = 'pin-box';
    row.append(box);
    boxes.push(box);
  }
  input.parentNode.insertBefore(wrap, input);
  wrap.append(row, input);
  input.classList.add('pin-real');
  const redraw = () => draw(input, boxes);
  // A script that empties the field (after a wrong PIN, say) sets .value, which fires no event.
  Object.defineProperty(input, 'value', {
    configurable: true,
    get() { return VALUE.get.call(this); },
    set(v) { VALUE.set.call(this, v); redraw(); },
  });
  input.addEventListener('input', () => { clean(input); redraw(); });
  // A pasted code ("258 147", or a whole SMS) gives its digits, whatever the field's maxlength.
  input.addEventListener('paste', (ev) => {
    const text = ev.clipboardData ? ev.clipboardData.getData('text') : '';
    const got = text.replace(/\D/g, '');
    if (!got) return;
    ev.preventDefault();
    const now = VALUE.get.call(input);
    VALUE.set.call(input, (got.length >= SIZE ? got : now + got).slice(0, SIZE));
    input.dispatchEvent(new Event('input', { bubbles: true }));
  });
  input.addEventListener('focus', () => { clean(input); redraw(); });
  input.addEventListener('blur', redraw);
  // Clicking a box in the middle still types at the end.
  input.addEventListener('click', () => clean(input));
  input.addEventListener('keyup', () => clean(input));
  if (input.form) input.form.addEventListener('reset', () => window.setTimeout(redraw, 0));
  // aria-invalid and disabled are set by the error helpers and the loading state.
  new MutationObserver(redraw).observe(input, { attributes: true, attributeFilter: ['aria-invalid', 'disabled'] });
  redraw();
}

/** Enhances every `input.pin-input` under `root` (the whole page by default). */
export function enhancePins(root) {
  (root || document).querySelectorAll('input.pin-input').forEach(enhancePin);
}
