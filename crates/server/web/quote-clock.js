/* qianbao web — a quote's countdown, shared by the screens that show one (换汇 and paying an
 * order priced in another currency): the seconds left until the quote's `expires_at`, counted by
 * the server's clock (the answer's Date header, which http.js hands over in `meta`) so a phone
 * whose clock is wrong still counts the server's 30 s; written every second, said aloud only at
 * 10 s and at the end; at 0 the screen is told (it then disables its confirm button and offers
 * a new quote). */
import { $ } from './dom.js';
import { t } from './i18n.js';

/** The seconds left at which the countdown is said aloud (besides its end). */
const SAY_AT = 10;
/** The longest a quote is believed to live, whatever the clocks say. */
const LIFE_MAX_MS = 10 * 60 * 1000;

/**
 * How long a quote lives from when its answer came: its `expires_at` less the server's time, from
 * the answer's Date header (whole seconds, so one second is taken off to be safe). This device's
 * clock is used when the header is missing or far from the quote's end.
 */
export function lifetime(expiresAt, meta) {
  const end = Date.parse(expiresAt);
  const server = Date.parse((meta && meta.date) || '');
  let ms = Number.isFinite(server) ? end - server - 1000 : NaN;
  if (!(ms > -LIFE_MAX_MS && ms <= LIFE_MAX_MS)) ms = end - Date.now();
  if (!Number.isFinite(ms)) ms = 0;
  return Math.max(0, Math.min(ms, LIFE_MAX_MS));
}

/**
 * One countdown drawn into the element `box` (its text, `data-seconds`, and the classes
 * `countdown-low` in the last 10 s and `countdown-over` at 0), said in the polite live region
 * `live`. `onExpire()` runs once when it reaches 0 (or `expire()` is called). Texts by key:
 * `keys.left` ({n}), `keys.soon` ({n}) and `keys.over`.
 */
export class QuoteClock {
  constructor(box, live, keys, onExpire) {
    this.box = box;
    this.live = live;
    this.keys = keys;
    this.onExpire = onExpire;
    this.deadline = 0;
    this.expired = false;
    this.warned = false;
    this.shown = null;
    this.ticker = null;
    this.running = false;
  }

  /** Starts counting to `expiresAt` from an answer's `meta` ({date, receivedAt}). */
  start(expiresAt, meta) {
    this.stop();
    const at = meta && typeof meta.receivedAt === 'number' ? meta.receivedAt : performance.now();
    this.deadline = at + lifetime(expiresAt, meta);
    this.expired = false;
    this.warned = false;
    this.shown = null;
    this.running = true;
    this.draw(true);
    if (!this.expired) this.ticker = window.setInterval(() => this.draw(false), 250);
  }

  /** Stops counting and forgets the quote (nothing is said). */
  stop() {
    if (this.ticker) window.clearInterval(this.ticker);
    this.ticker = null;
    this.running = false;
    this.shown = null;
    $(this.live).textContent = '';
  }

  /** The whole seconds left (0 once expired or stopped). */
  secondsLeft() {
    if (!this.running || this.expired) return 0;
    return Math.max(0, Math.ceil((this.deadline - performance.now()) / 1000));
  }

  /** Writes the seconds left (when they changed, or always with `force`); says 10 s once. */
  draw(force) {
    if (!this.running) return;
    const n = this.secondsLeft();
    if (!force && n === this.shown) return;
    this.shown = n;
    const box = $(this.box);
    box.dataset.seconds = String(n);
    box.classList.toggle('countdown-low', n > 0 && n <= SAY_AT);
    box.classList.toggle('countdown-over', n === 0);
    box.textContent = n > 0 ? t(this.keys.left, { n }) : t(this.keys.over);
    if (n > 0 && n <= SAY_AT && !this.warned) {
      this.warned = true;
      $(this.live).textContent = t(this.keys.soon, { n });
    }
    if (n === 0 && !this.expired) this.expire();
  }

  /** The quote can no longer be used: the countdown shows 0, it is said, the screen is told. */
  expire() {
    if (!this.running || this.expired) return;
    this.expired = true;
    if (this.ticker) window.clearInterval(this.ticker);
    this.ticker = null;
    this.draw(true);
    $(this.live).textContent = t(this.keys.over);
    if (this.onExpire) this.onExpire();
  }
}
