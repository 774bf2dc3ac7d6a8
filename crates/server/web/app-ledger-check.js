/* qianbao web, holder's app — the ledger check (issue 23, docs/proofs.md "In the app"): at random
 * moments (so the operator cannot tell who will check, or when), and on "Check now", the app
 * fetches the operator's key and the signed checkpoint, checks the signature, checks a few of the
 * holder's recent transactions are in the signed log, and that the log only grew since the
 * checkpoint it last saw (kept in this browser per log origin and holder), and that their balance
 * is counted in the operator's newest proof-of-liabilities snapshot. Home shows
 * "账本已验证 · <date>" or a red alarm naming what failed, which stays until a check passes;
 * #/ledger shows what was checked. The proofs are checked by ledger-verify.js. */
import { $, clear, el } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { showError } from './errors.js';
import { dateTime } from './dates.js';
import { state } from './app-state.js';
import { formatMinor, formatMoney } from './money.js';
import { b64, checkCheckpoint, checkConsistency, checkInclusion, checkLiability, hex, parseVkey } from './ledger-verify.js';

/** The first check comes uniformly 5–120 s after the app opens, the next ones 2–20 min apart. */
const FIRST = [5e3, 120e3];
const LATER = [120e3, 1200e3];
/** How many of the holder's recent transactions each check picks at random. */
const PICK = 3;

/** What this browser remembers, per log origin and holder: the newest checkpoint verified
 * ({vkey, size, root_hash}) and the last check's outcome (shown again after a reload). */
const cpKey = (origin) => 'qb_ledger_cp:' + origin + ':' + state.me.user_id;
const resultKey = () => 'qb_ledger_result:' + state.me.user_id;

function load(key) {
  try { return JSON.parse(localStorage.getItem(key) || 'null'); } catch (_) { return null; }
}
function save(key, value) {
  try { localStorage.setItem(key, JSON.stringify(value)); } catch (_) { /* storage off: this page only */ }
}

/** A random whole number in [lo, hi), from the browser's CSPRNG. */
function randomIn(lo, hi) {
  const b = new Uint32Array(1);
  crypto.getRandomValues(b);
  return lo + Math.floor((b[0] / 2 ** 32) * (hi - lo));
}

/** Up to n of `items`, chosen at random. */
function pick(items, n) {
  const a = items.slice();
  for (let i = a.length - 1; i > 0; i--) {
    const j = randomIn(0, i + 1);
    [a[i], a[j]] = [a[j], a[i]];
  }
  return a.slice(0, n);
}

/** An answer, or null when the server says 404 (a call that is not there, or a line not logged). */
async function getOrNull(path, opts) {
  try { return await api('GET', path, { quiet: true, ...(opts || {}) }); } catch (e) {
    if (e.status === 404 || e.code === 'not_found' || e.code === 'not_logged') return null;
    throw e;
  }
}

/**
 * One check. Answers the result shown: {ok, at, size, root, signatureChecked, txs: [{id, index,
 * ok}], consistency: {from, to, ok} | {first: true} | null, reason (on failure), liability}.
 * A failed call is thrown (not an alarm: the server may just be unreachable).
 */
async function runCheck() {
  const me = state.me;
  if (!me) return null;
  const at = new Date().toISOString();
  const out = { ok: false, at, txs: [], consistency: null, liability: null };
  const fail = (reason) => Object.assign(out, { ok: false, reason });

  const keyReply = await api('GET', '/v1/proofs/key', { quiet: true });
  const cpReply = await api('GET', '/v1/proofs/checkpoint', { quiet: true });
  let vkey;
  try { vkey = await parseVkey(keyReply.vkey); } catch (_) { return fail('key'); }
  const remembered = load(cpKey(keyReply.origin));
  if (remembered && remembered.vkey !== keyReply.vkey) return fail('key_changed');
  const cp = await checkCheckpoint(cpReply, vkey);
  if (!cp.ok) return fail(cp.reason);
  Object.assign(out, { size: cp.size, root: hex(cp.root), signatureChecked: cp.signatureChecked });

  // The log only grew since the checkpoint this browser last verified.
  if (remembered) {
    const older = { size: remembered.size, root: b64(remembered.root_hash) };
    if (older.size > cp.size) {
      out.consistency = { from: older.size, to: cp.size, ok: false };
      return fail('rewritten');
    }
    let ok;
    if (older.size === 0) ok = true;
    else {
      const c = await api('GET', '/v1/proofs/consistency', { quiet: true, query: { from: older.size, to: cp.size } });
      ok = await checkConsistency(c, older, cp);
    }
    out.consistency = { from: older.size, to: cp.size, ok };
    if (!ok) return fail('rewritten');
  } else {
    out.consistency = { first: true, to: cp.size };
  }

  // A few of the holder's own recent lines are in the signed log. A transaction logged after
  // this checkpoint (422) or never logged (404 not_logged: nothing moved yet) is skipped.
  const list = await api('GET', '/v1/me/transactions', { quiet: true, query: { limit: 20 } });
  for (const tx of pick((list && list.items) || [], PICK)) {
    let p;
    try {
      p = await getOrNull('/v1/me/transactions/' + encodeURIComponent(tx.id) + '/proof', { query: { size: cp.size } });
    } catch (e) {
      if (e.status === 422 || e.code === 'invalid_request') continue;
      throw e;
    }
    if (!p) continue;
    const ok = await checkInclusion(p, cp);
    // Shown as the journal line's number (leaf i is line i + 1), as the size counts lines.
    out.txs.push({ id: tx.id, index: p.leaf_index + 1, ok });
    if (!ok) return fail('inclusion');
  }

  // The holder's balance is counted in the newest liability snapshot, whose leaf is in the log.
  const logCp = await checkLiabilityNow(vkey, { ...cp, rootB64: cpReply.root_hash }, out);
  if (!logCp) return out;

  save(cpKey(keyReply.origin), { vkey: keyReply.vkey, size: logCp.size, root_hash: logCp.rootB64 });
  out.ok = true;
  out.reason = null;
  return out;
}

/** The liability proof, or {skipped: 'no_snapshot' | 'not_in_snapshot'} when there is none for
 * this holder yet (before the first snapshot, or a wallet opened after the newest one): nothing
 * to check, so no alarm. */
async function liabilityProof() {
  try { return { proof: await api('GET', '/v1/me/liability-proof', { quiet: true }) }; } catch (e) {
    if (e.status === 404) return { skipped: e.code === 'not_in_snapshot' ? 'not_in_snapshot' : 'no_snapshot' };
    throw e;
  }
}

/**
 * The liability part of a check, after the transactions were checked under `cp` ({size, root,
 * rootB64}, its signature checked). The proof's log inclusion is under the latest checkpoint
 * when the server answers, which is newer than `cp` when the log grew meanwhile (a snapshot is
 * itself a log leaf, and the server signs a new checkpoint on demand): then that checkpoint is
 * fetched and its signature checked, it must extend `cp` (else history was rewritten), and the
 * inclusion is checked under it, never under a root only the proof names. Fills out.liability
 * ({state: 'ok' | 'bad' | 'no_snapshot' | 'not_in_snapshot', ...}); answers the newest
 * checkpoint verified, to remember, or null when the check failed (out holds why).
 */
async function checkLiabilityNow(vkey, cp, out) {
  const fail = (reason) => { Object.assign(out, { ok: false, reason }); return null; };
  const bad = (reason) => { out.liability = { state: 'bad', reason }; return fail('liability'); };
  let logCp = cp;
  let answer = await liabilityProof();
  for (let tries = 0; ; tries++) {
    const size = answer.proof && answer.proof.log && answer.proof.log.tree_size;
    // A size that is not a number is left to checkLiability, which refuses it.
    if (!answer.proof || !Number.isSafeInteger(size) || size === logCp.size) break;
    // Asked for after `cp` was signed, the proof cannot be under an older checkpoint.
    if (size < logCp.size && logCp === cp) return bad('log_size');
    // A log growing between the calls each time is a busy server, not an alarm.
    if (tries === 3) throw new Error('the log kept growing during the check');
    // The log grew again after the newer checkpoint below was fetched: ask for the proof again.
    if (size < logCp.size) { answer = await liabilityProof(); continue; }
    const reply = await api('GET', '/v1/proofs/checkpoint', { quiet: true });
    const newer = await checkCheckpoint(reply, vkey);
    if (!newer.ok) return fail(newer.reason);
    if (newer.size < logCp.size) return fail('rewritten');
    if (newer.size > logCp.size) {
      const c = await api('GET', '/v1/proofs/consistency', { quiet: true, query: { from: logCp.size, to: newer.size } });
      if (!(await checkConsistency(c, logCp, newer))) {
        out.consistency = { from: logCp.size, to: newer.size, ok: false };
        return fail('rewritten');
      }
    }
    // The server signs the latest checkpoint before it answers: a proof past the newest one
    // is under a tree nobody signed.
    if (size > newer.size) return bad('log_size');
    logCp = { size: newer.size, root: newer.root, rootB64: reply.root_hash };
  }
  if (!answer.proof) {
    out.liability = { state: answer.skipped };
    return logCp;
  }
  const r = await checkLiability(answer.proof, logCp);
  if (!r.ok) return bad(r.reason);
  out.liability = { state: 'ok', snapshotId: r.snapshotId, takenAt: r.takenAt, balances: r.balances, totals: r.totals, logSize: logCp.size };
  return logCp;
}

/** The check running now, so a timer and a button never run two at once. */
let running = null;

/** Runs a check (after the one in progress, if any), remembers and draws its outcome. */
export async function checkNow() {
  while (running) { try { await running; } catch (_) { /* its own caller saw it */ } }
  running = (async () => {
    const result = await runCheck();
    if (!result || !state.me) return result;
    save(resultKey(), result);
    draw();
    return result;
  })();
  try { return await running; } finally { running = null; }
}

/** The mark's text for a result: verified with the date and size, or the alarm naming why. */
function markText(r) {
  if (r.ok) return t('ledger.verified', { date: dateTime(r.at), size: r.size });
  return t('ledger.failed', { why: t('ledger.why.' + r.reason) });
}

/** Draws the last outcome on home's mark and on #/ledger (nothing before a first check). */
function draw() {
  if (!state.me) return;
  const r = load(resultKey());
  for (const prefix of ['home-ledger', 'ledger']) {
    const ok = $(prefix + '-ok');
    const alarm = $(prefix + '-alarm');
    ok.hidden = !(r && r.ok);
    alarm.hidden = !(r && !r.ok);
    ok.textContent = r && r.ok ? markText(r) : '';
    alarm.textContent = r && !r.ok ? markText(r) : '';
  }
  $('home-ledger').hidden = !r;
  drawDetails(r);
}

function drawDetails(r) {
  $('ledger-never').hidden = !!r;
  $('ledger-details').hidden = !r || r.size === undefined;
  if (!r || r.size === undefined) return;
  $('ledger-size').textContent = String(r.size);
  $('ledger-root').textContent = r.root.slice(0, 16) + '…';
  $('ledger-root').title = r.root;
  $('ledger-at').textContent = dateTime(r.at);
  $('ledger-signature').textContent = t(r.signatureChecked ? 'ledger.sig_ok' : 'ledger.sig_unchecked');
  const c = r.consistency;
  let cText = '';
  if (c && c.first) cText = t('ledger.cons_first', { size: c.to });
  else if (c) cText = t(c.ok ? 'ledger.cons_ok' : 'ledger.cons_bad', { from: c.from, to: c.to });
  $('ledger-consistency').textContent = cText;
  const list = clear('ledger-txs');
  for (const x of r.txs || []) {
    list.append(el('li', { dataset: { ok: x.ok ? '1' : '0' } },
      // The id's end: ids begin with their time, so three of a day's share their first digits.
      el('code', { text: '…' + String(x.id).slice(-8), title: String(x.id) }),
      ' ' + t(x.ok ? 'ledger.tx_ok' : 'ledger.tx_bad', { index: x.index })));
  }
  // A check stopped before the transactions (a bad signature, a rewritten history) checked none.
  const stoppedEarly = !r.ok && r.reason !== 'inclusion' && r.reason !== 'liability';
  $('ledger-txs-box').hidden = stoppedEarly;
  $('ledger-txs-none').hidden = (r.txs || []).length > 0;
  drawLiability(r.liability);
}

/** Amounts per currency as the app shows money: ¥ for fen, points as points, others by code. */
function amounts(map) {
  const codes = Object.keys(map || {}).sort((a, b) => (a === 'CNY' ? -1 : b === 'CNY' ? 1 : a < b ? -1 : 1));
  if (codes.length === 0) return formatMoney(0);
  return codes.map((c) => (c === 'CNY' ? formatMoney(map[c]) : c === 'PTS' ? t('pts.n', { n: map[c] })
    : formatMinor(map[c], c))).join(t('ledger.liab_and'));
}

/** #/ledger's liability part: counted (with the snapshot's date, the holder's balance and the
 * operator's totals), no snapshot yet, in the next one, or failed. Results saved before the
 * liability check was written ({present: true}) show nothing. */
function drawLiability(l) {
  const known = !!l && ['ok', 'bad', 'no_snapshot', 'not_in_snapshot'].includes(l.state);
  $('ledger-liab-box').hidden = !known;
  if (!known) return;
  const stateEl = $('ledger-liab-state');
  stateEl.dataset.state = l.state;
  // The page's own classes: green with a tick when counted, red when not, muted when skipped.
  stateEl.className = l.state === 'ok' ? 'ledger-ok' : l.state === 'bad' ? 'error' : 'muted small';
  stateEl.textContent = l.state === 'ok' ? t('ledger.liab_ok', { balance: amounts(l.balances) })
    : l.state === 'bad' ? t('ledger.liab_bad') : t('ledger.liab_' + l.state);
  $('ledger-liab-facts').hidden = l.state !== 'ok';
  if (l.state !== 'ok') return;
  $('ledger-liab-date').textContent = dateTime(l.takenAt);
  $('ledger-liab-totals').textContent = amounts(l.totals);
}

/** The random moments: a check, then the next one at another random delay. */
function schedule(range) {
  setTimeout(async () => {
    if (state.me) { try { await checkNow(); } catch (_) { /* unreachable now: try again later */ } }
    schedule(LATER);
  }, randomIn(range[0], range[1]));
}

async function pressed() {
  const button = $('ledger-check');
  button.disabled = true;
  showError('ledger-error', null);
  try { await checkNow(); } catch (e) { showError('ledger-error', e); } finally { button.disabled = false; }
}

export function wire() {
  $('ledger-check').addEventListener('click', pressed);
  schedule(FIRST);
}

export const screens = {
  ledger: { enter: () => { showError('ledger-error', null); draw(); }, onLang: draw },
};

/** Home's mark, drawn when home is shown (app-home.js). */
export { draw as drawMark };
