/* qianbao web, holder's app — the second-factor sheet every money screen shares: when a money
 * call answers 401 step_up_required, moneyCall() asks for the authenticator's code or an SMS code
 * and sends the same call again, same body and Idempotency-Key, with second_factor added. */
import { $, announce } from './dom.js';
import { api } from './http.js';
import { t, onLang } from './i18n.js';
import { serverText, showError } from './errors.js';
import { codeButton, digits6, form, maskedPhone } from './common.js';
import { state } from './app-state.js';

/**
 * The call waiting for a second factor, while the sheet is open: the problem the server answered
 * (reason, methods), send(factor) to repeat the call, its Idem, what() it does as a sentence, the
 * promise's resolve/reject, and the element to give focus back to.
 */
let waiting = null;

/** Answers the sheet keeps to itself: the code was wrong, late or locked — try again here. */
const SHEET_ERRORS = ['otp_invalid', 'otp_expired', 'otp_rate_limited', 'totp_invalid', 'totp_locked',
  'step_up_required', 'network', 'idempotency_in_progress', 'rate_limited', 'too_many_requests'];

function staysInSheet(err) {
  if (!err) return false;
  if (err.network || SHEET_ERRORS.includes(err.code)) return true;
  return err.field === 'second_factor';
}

/** The methods the server offers, in the order the sheet shows them (the app first). */
function methodsOf(problem) {
  const m = Array.isArray(problem.methods) ? problem.methods.filter((x) => x === 'totp' || x === 'sms') : [];
  return m.length ? m : ['sms'];
}

function chosenMethod() {
  const m = waiting.methods;
  if (m.includes('totp') && m.includes('sms')) return $('stepup-use-sms').checked ? 'sms' : 'totp';
  return m.includes('totp') ? 'totp' : 'sms';
}

function showMethod() {
  const method = chosenMethod();
  $('stepup-totp-row').hidden = method !== 'totp';
  $('stepup-sms-row').hidden = method !== 'sms';
}

/** Fills the sheet for the call waiting, in the page's language. */
function drawSheet() {
  const w = waiting;
  const reason = $('stepup-reason');
  reason.textContent = serverText(w.problem) || t('stepup.why');
  reason.dataset.reason = w.problem.reason || '';
  const what = $('stepup-what');
  what.textContent = w.what ? w.what() : '';
  what.hidden = !w.what;
  $('stepup-methods').hidden = !(w.methods.includes('totp') && w.methods.includes('sms'));
  $('stepup-sms-to').textContent = t('stepup.sms_to', { phone: maskedPhone(state.me && state.me.phone) });
  showMethod();
}

function focusCode() {
  if (chosenMethod() === 'totp') { $('stepup-totp').focus(); return; }
  const send = $('stepup-send-code');
  (send.disabled ? $('stepup-otp') : send).focus();
}

/** Hides the sheet and gives the page back; answers the call that was waiting. */
function closeSheet() {
  const w = waiting;
  waiting = null;
  $('stepup-sheet').hidden = true;
  $('main').inert = false;
  document.querySelector('.topbar').inert = false;
  if (w && w.opener && typeof w.opener.focus === 'function') w.opener.focus();
  return w;
}

/** The holder closed the sheet: nothing was sent with a code, nothing moved. */
function cancelSheet() {
  const w = closeSheet();
  if (!w) return;
  w.idem.reset();
  w.reject(Object.assign(new Error('step_up_cancelled'), { code: 'step_up_cancelled' }));
}

function askSecondFactor(problem, send, idem, what) {
  if (waiting) cancelSheet();
  return new Promise((resolve, reject) => {
    waiting = { problem, methods: methodsOf(problem), send, idem, what, resolve, reject, opener: document.activeElement };
    $('stepup-totp').value = '';
    $('stepup-otp').value = '';
    $('stepup-use-totp').checked = true;
    $('stepup-use-sms').checked = false;
    showError('stepup-error', null);
    drawSheet();
    $('stepup-sheet').hidden = false;
    // The page behind waits: only the sheet (and the sandbox panel) can be used.
    $('main').inert = true;
    document.querySelector('.topbar').inert = true;
    focusCode();
    announce(t('stepup.title') + ' ' + $('stepup-reason').textContent);
  });
}

/**
 * A money call: POST `body` to `path` under `idem`'s Idempotency-Key. When risk control asks for
 * a second factor (401 step_up_required), the sheet shows why and asks for a code, then sends
 * the same call — same body, same key — with `second_factor` added, until it is answered. Answers
 * the server's reply (201, or 202 held_for_review); throws what the screen shows: any other
 * refusal, or `step_up_cancelled` when the holder closes the sheet. `what()` says in a sentence
 * what the call does, for the sheet.
 */
export async function moneyCall(path, body, idem, what) {
  const key = idem.get();
  const send = (factor) => api('POST', path, {
    body: factor ? Object.assign({}, body, { second_factor: factor }) : body,
    idem: key,
  });
  let first;
  try {
    const r = await send(null);
    idem.settle(null);
    return r;
  } catch (err) {
    if (err.code !== 'step_up_required') { idem.settle(err); throw err; }
    first = err;
  }
  return askSecondFactor(first, send, idem, what);
}

export function wireSheet() {
  codeButton('stepup-send-code', () => state.me.phone, 'step_up', 'stepup-error');
  for (const id of ['stepup-use-totp', 'stepup-use-sms']) {
    $(id).addEventListener('change', () => { showError('stepup-error', null); showMethod(); focusCode(); });
  }
  $('stepup-cancel').addEventListener('click', cancelSheet);
  $('stepup-sheet').addEventListener('keydown', (ev) => { if (ev.key === 'Escape') { ev.preventDefault(); cancelSheet(); } });
  // Another screen shown (the back button, a sign-out): the call is dropped.
  window.addEventListener('hashchange', () => { if (waiting) cancelSheet(); });
  onLang(() => { if (waiting) drawSheet(); });
  form('stepup-form', async () => {
    const w = waiting;
    if (!w) return;
    const method = chosenMethod();
    const input = $(method === 'totp' ? 'stepup-totp' : 'stepup-otp');
    const code = digits6(input.id, method === 'totp' ? 'totp' : 'otp');
    let r;
    try {
      r = await w.send(method === 'totp' ? { totp: code } : { otp: code });
    } catch (err) {
      if (waiting !== w) return;
      if (staysInSheet(err)) {
        if (err.code === 'step_up_required') { w.problem = err; w.methods = methodsOf(err); drawSheet(); }
        input.value = '';
        err.input = input;
        throw err;
      }
      closeSheet();
      w.idem.settle(err);
      w.reject(err);
      return;
    }
    if (waiting !== w) return;
    closeSheet();
    w.idem.settle(null);
    w.resolve(r);
  }, { errorBox: 'stepup-error' });
}
