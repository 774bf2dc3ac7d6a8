/* qianbao web — checking the journal log's proofs in the browser (docs/proofs.md), with nothing
 * but the page's own crypto.subtle: the operator's verifier key (C2SP vkey), a checkpoint's
 * Ed25519 signature over its note, RFC 9162 inclusion (§2.1.3.2) and consistency (§2.1.4.2)
 * proofs. Pure: no DOM and no calls to the server, so the same file runs under node for the
 * tests (crates/server/tests/browser/ledger_check.rs). */

/** Standard base64 → bytes. Throws on bad input. */
export function b64(s) {
  const bin = atob(String(s));
  const out = new Uint8Array(bin.length);
  for (let i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
  return out;
}

export function hex(bytes) {
  return Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
}

function concat(...parts) {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let at = 0;
  for (const p of parts) { out.set(p, at); at += p.length; }
  return out;
}

export function equal(a, b) {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i] ^ b[i];
  return d === 0;
}

export async function sha256(bytes) {
  return new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
}

/** RFC 6962 leaf hash: SHA-256(0x00 ‖ leaf). */
export function leafHash(leaf) { return sha256(concat([0], leaf)); }

/** RFC 6962 interior node: SHA-256(0x01 ‖ left ‖ right). */
export function nodeHash(left, right) { return sha256(concat([1], left, right)); }

/** RFC 9162 §2.1.3.2: does `path` take leaf `index`'s hash to `root` in a tree of `size`? */
export async function verifyInclusion(index, size, leafH, path, root) {
  if (!(index < size)) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafH;
  for (const p of path) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = await nodeHash(p, r);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      r = await nodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(r, root);
}

/** RFC 9162 §2.1.4.2: is the tree of `second` leaves (`secondRoot`) an extension of the tree
 * of `first` leaves (`firstRoot`), by `path`? */
export async function verifyConsistency(first, second, firstRoot, secondRoot, path) {
  if (first === second) return path.length === 0 && equal(firstRoot, secondRoot);
  if (first === 0 || first > second || path.length === 0) return false;
  // A power of two: the old root is itself the first node of the path.
  if ((first & (first - 1)) === 0) path = [firstRoot, ...path];
  let fn = first - 1;
  let sn = second - 1;
  while (fn % 2 === 1) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
  let fr = path[0];
  let sr = path[0];
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = await nodeHash(c, fr);
      sr = await nodeHash(c, sr);
      while (fn % 2 === 0 && fn !== 0) { fn = Math.floor(fn / 2); sn = Math.floor(sn / 2); }
    } else {
      sr = await nodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && equal(fr, firstRoot) && equal(sr, secondRoot);
}

/** A C2SP verifier key `<name>+<8 hex key hash>+<base64(0x01 ‖ 32-byte key)>` → {name, key},
 * after checking that the key hash is SHA-256(name ‖ "\n" ‖ 0x01 ‖ key)'s first 4 bytes. Throws
 * on a malformed key. */
export async function parseVkey(vkey) {
  // The base64 part may itself hold '+': the name and key hash are the first two fields.
  const m = /^([^+]+)\+([0-9a-f]{8})\+([A-Za-z0-9+/]+=*)$/.exec(String(vkey).trim());
  if (!m) throw new Error('malformed key');
  const parts = m.slice(1);
  const raw = b64(parts[2]);
  if (raw.length !== 33 || raw[0] !== 1) throw new Error('not an Ed25519 key');
  const id = await sha256(concat(new TextEncoder().encode(parts[0] + '\n'), raw));
  if (hex(id.slice(0, 4)) !== parts[1]) throw new Error('key hash differs');
  return { name: parts[0], key: raw.slice(1) };
}

/** Whether this browser's crypto.subtle does Ed25519 (current Chromium, Firefox, Safari, node). */
export async function ed25519Available() {
  try {
    await crypto.subtle.importKey('raw', new Uint8Array(32), { name: 'Ed25519' }, false, ['verify']);
    return true;
  } catch (_) {
    return false;
  }
}

/**
 * Checks a checkpoint answer ({origin, size, root_hash, note, signature}) with the verifier key
 * ({name, key}): its note's text must say the same origin, size and root, and `signature` (bare
 * 64 bytes, or with the 4-byte key hash in front) must be the key's Ed25519 signature over that
 * text. Answers {ok, reason, signatureChecked, size, root}; reason 'checkpoint' or 'signature'.
 * Without Ed25519 in this browser the signature is left unchecked (signatureChecked false).
 */
export async function checkCheckpoint(cp, vkey) {
  const fail = (reason) => ({ ok: false, reason, signatureChecked: false });
  const note = String(cp.note || '');
  const end = note.indexOf('\n\n');
  if (end < 0) return fail('checkpoint');
  const body = note.slice(0, end + 1);
  const lines = body.split('\n');
  if (lines[0] !== cp.origin || lines[1] !== String(cp.size) || lines[2] !== cp.root_hash) return fail('checkpoint');
  if (cp.origin !== vkey.name) return fail('checkpoint');
  let root;
  try { root = b64(cp.root_hash); } catch (_) { return fail('checkpoint'); }
  if (root.length !== 32 || !Number.isSafeInteger(cp.size) || cp.size < 0) return fail('checkpoint');
  let sig;
  try { sig = b64(cp.signature); } catch (_) { return fail('signature'); }
  if (sig.length === 68) sig = sig.slice(4);
  if (sig.length !== 64) return fail('signature');
  let key;
  try {
    key = await crypto.subtle.importKey('raw', vkey.key, { name: 'Ed25519' }, false, ['verify']);
  } catch (_) {
    return { ok: true, reason: null, signatureChecked: false, size: cp.size, root };
  }
  const good = await crypto.subtle.verify({ name: 'Ed25519' }, key, sig, new TextEncoder().encode(body));
  if (!good) return fail('signature');
  return { ok: true, reason: null, signatureChecked: true, size: cp.size, root };
}

/**
 * Checks an inclusion answer ({leaf_index, leaf, tree_size, root_hash, proof, accounts}) against
 * a checked checkpoint ({size, root}): at its size and root, the leaf's path reaches the root,
 * and every commitment handed back as the holder's is one the leaf names. Answers true or false.
 */
export async function checkInclusion(p, cp) {
  try {
    if (p.tree_size !== cp.size || !equal(b64(p.root_hash), cp.root)) return false;
    const leaf = b64(p.leaf);
    const path = (p.proof || []).map(b64);
    if (path.some((h) => h.length !== 32)) return false;
    if (!(await verifyInclusion(p.leaf_index, cp.size, await leafHash(leaf), path, cp.root))) return false;
    const text = new TextDecoder().decode(leaf);
    return (p.accounts || []).every((a) => text.includes('posting ' + hex(b64(a.commitment)) + ' '));
  } catch (_) {
    return false;
  }
}

/** Checks a consistency answer ({from, to, proof}) between an older ({size, root}) and a newer
 * checked checkpoint. Answers true or false. */
export async function checkConsistency(c, older, newer) {
  try {
    if (c.from !== older.size || c.to !== newer.size) return false;
    const path = (c.proof || []).map(b64);
    if (path.some((h) => h.length !== 32)) return false;
    return await verifyConsistency(older.size, newer.size, older.root, newer.root, path);
  } catch (_) {
    return false;
  }
}

/* ---------------------------------------------------------------- proof of liabilities
 * The holder's leaf in the daily snapshot's Merkle sum tree, its path to the root, and the
 * snapshot's leaf in the journal's log (docs/proofs.md, "Proof of liabilities"; the byte formats
 * are crates/proofs/src/sum_tree.rs's and liability.rs's, and sum_tree::verify_path is the
 * reference this follows). */

/** The domain tag of an account commitment, with its terminating NUL (crates/proofs commitment.rs). */
const COMMITMENT_TAG = 'qianbao-account-v1\0';

/** The first line of a snapshot's log leaf. */
const SNAPSHOT_TAG = 'qianbao-liability-snapshot-v1';

/** A sums map ({CNY: 1200}) checked and with its zero entries dropped, or null when a code is not
 * three ASCII capitals, or an amount is negative or not a safe integer: a negative entry could
 * cancel another holder's liability, and an amount past 2^53 cannot be added exactly here. */
function checkedSums(map) {
  if (!map || typeof map !== 'object' || Array.isArray(map)) return null;
  const out = {};
  for (const [code, amount] of Object.entries(map)) {
    if (!/^[A-Z]{3}$/.test(code) || !Number.isSafeInteger(amount) || amount < 0) return null;
    if (amount !== 0) out[code] = amount;
  }
  return out;
}

/** The canonical sums encoding: the count of non-zero entries (4 bytes big-endian), then per
 * entry in ascending code order its 3 ASCII letters and its amount as an 8-byte big-endian i64. */
function encodeSums(sums) {
  const codes = Object.keys(sums).filter((c) => sums[c] !== 0).sort();
  const out = new Uint8Array(4 + codes.length * 11);
  const view = new DataView(out.buffer);
  view.setUint32(0, codes.length);
  codes.forEach((c, i) => {
    const at = 4 + i * 11;
    for (let k = 0; k < 3; k++) out[at + k] = c.charCodeAt(k);
    view.setBigInt64(at + 3, BigInt(sums[c]));
  });
  return out;
}

/** Two checked sums maps (zeros already dropped) hold the same entries. */
function sameSums(a, b) {
  const ka = Object.keys(a).sort();
  const kb = Object.keys(b).sort();
  return ka.length === kb.length && ka.every((k, i) => k === kb[i] && a[k] === b[k]);
}

/** A canonical decimal (no plus, no leading zeros, no "-0") that is a safe integer, or null. */
function canonicalNumber(text) {
  if (!/^-?(0|[1-9][0-9]*)$/.test(text) || text === '-0') return null;
  const n = Number(text);
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * Reads a snapshot's log leaf strictly, as crates/proofs liability.rs SnapshotHead::parse does:
 * the tag first, then `snapshot`, `taken-at`, `journal-seq`, `leaves` and `root` once each and in
 * that order, then `sum <code> <amount>` lines non-zero and ascending, every line ending in "\n"
 * and nothing else. Answers {id, takenMs, journalSeq, leaves, rootHex, sums} or null.
 */
export function parseSnapshotLeaf(bytes) {
  let text;
  try { text = new TextDecoder('utf-8', { fatal: true }).decode(bytes); } catch (_) { return null; }
  if (!text.endsWith('\n')) return null;
  const lines = text.slice(0, -1).split('\n');
  if (lines.shift() !== SNAPSHOT_TAG) return null;
  const field = (name) => {
    const line = lines.shift();
    return line !== undefined && line.startsWith(name + ' ') ? line.slice(name.length + 1) : null;
  };
  const id = field('snapshot');
  const takenMs = canonicalNumber(field('taken-at') ?? '');
  const journalSeq = canonicalNumber(field('journal-seq') ?? '');
  const leaves = canonicalNumber(field('leaves') ?? '');
  const rootHex = field('root');
  if (!id || id.includes(' ') || takenMs === null || journalSeq === null || leaves === null || leaves < 0) return null;
  if (!/^[0-9a-f]{64}$/.test(rootHex || '')) return null;
  const sums = {};
  let last = '';
  for (const line of lines) {
    const m = /^sum ([^ ]+) ([^ ]+)$/.exec(line);
    const amount = m && canonicalNumber(m[2]);
    if (!m || amount === null || amount === 0 || m[1] <= last) return null;
    sums[m[1]] = amount;
    last = m[1];
  }
  return { id, takenMs, journalSeq, leaves, rootHex, sums };
}

/**
 * Checks a liability proof (GET /v1/me/liability-proof: {snapshot_id, taken_at, leaf: {salt,
 * commitment, balances, id}, path: [{side, hash, sums}], root: {hash, sums}, log: {leaf_index,
 * leaf, tree_size, root_hash, proof}}) against a checked checkpoint ({size, root}) of the same
 * size as the proof's log part:
 * - the commitment is SHA-256("qianbao-account-v1\0" ‖ salt ‖ id) over the holder's own id;
 * - from the leaf hash SHA-256(0x00 ‖ salt ‖ commitment ‖ sums(balances)), each step's node
 *   SHA-256(0x01 ‖ left ‖ sums(left) ‖ right ‖ sums(right)) with the sums added up, refusing
 *   any negative or inexact amount, reaches the root's hash and totals;
 * - the snapshot's log leaf names this snapshot, this root hash and these totals, and is in the
 *   signed log (RFC 6962 inclusion at its index under the checkpoint).
 * Answers {ok, reason, balances, totals, snapshotId, takenAt}; reason is one of 'malformed',
 * 'negative' (a negative, inexact or badly named amount), 'commitment', 'root_hash',
 * 'root_sums', 'log_leaf' (the log leaf does not read), 'log_snapshot', 'log_root', 'log_sums',
 * 'log_inclusion'. takenAt (ISO) is the log leaf's, the one the signed log vouches for.
 */
export async function checkLiability(p, cp) {
  const fail = (reason) => ({ ok: false, reason });
  try {
    const leaf = p.leaf || {};
    const salt = b64(leaf.salt);
    const commitment = b64(leaf.commitment);
    const rootHash = b64(p.root && p.root.hash);
    if (salt.length !== 32 || commitment.length !== 32 || rootHash.length !== 32) return fail('malformed');
    if (typeof leaf.id !== 'string' || !Array.isArray(p.path) || p.path.length > 64 || !p.log) return fail('malformed');
    const enc = new TextEncoder();
    if (!equal(await sha256(concat(enc.encode(COMMITMENT_TAG), salt, enc.encode(leaf.id))), commitment)) return fail('commitment');

    const balances = checkedSums(leaf.balances);
    if (!balances) return fail('negative');
    let sums = balances;
    let hash = await sha256(concat([0], salt, commitment, encodeSums(sums)));
    for (const step of p.path) {
      const sibling = checkedSums(step && step.sums);
      if (!sibling) return fail('negative');
      const siblingHash = b64(step.hash);
      if (siblingHash.length !== 32 || (step.side !== 'left' && step.side !== 'right')) return fail('malformed');
      // "left": the sibling is the left child, the node climbed from is the right one.
      const [l, r] = step.side === 'left' ? [[siblingHash, sibling], [hash, sums]] : [[hash, sums], [siblingHash, sibling]];
      hash = await sha256(concat([1], l[0], encodeSums(l[1]), r[0], encodeSums(r[1])));
      const up = { ...sums };
      for (const [c, amount] of Object.entries(sibling)) {
        up[c] = (up[c] || 0) + amount;
        if (!Number.isSafeInteger(up[c])) return fail('negative');
      }
      sums = up;
    }
    const totals = checkedSums(p.root.sums);
    if (!totals) return fail('negative');
    if (!equal(hash, rootHash)) return fail('root_hash');
    if (!sameSums(sums, totals)) return fail('root_sums');

    // The snapshot's leaf in the journal's log: what the signed log says this snapshot is.
    const logLeaf = b64(p.log.leaf);
    const head = parseSnapshotLeaf(logLeaf);
    if (!head) return fail('log_leaf');
    if (head.id !== p.snapshot_id) return fail('log_snapshot');
    if (head.rootHex !== hex(rootHash)) return fail('log_root');
    if (!sameSums(head.sums, totals)) return fail('log_sums');
    const logged = { leaf_index: p.log.leaf_index, leaf: p.log.leaf, tree_size: p.log.tree_size, root_hash: p.log.root_hash, proof: p.log.proof, accounts: [] };
    if (!(await checkInclusion(logged, cp))) return fail('log_inclusion');
    return {
      ok: true,
      reason: null,
      balances,
      totals,
      snapshotId: head.id,
      takenAt: new Date(head.takenMs).toISOString(),
    };
  } catch (_) {
    return fail('malformed');
  }
}
