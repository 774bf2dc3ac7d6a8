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
