/* qianbao web, holder's app — red packets (红包). #/redpackets: send one to a holder by phone
 * (one share, at most ¥200) or to a group (N shares, 拼手气 random or even), with the PIN
 * (POST /v1/red-packets), and the list of packets sent, received or claimed from
 * (GET /v1/me/red-packets). #/redpacket/<id>: a packet's page (GET /v1/red-packets/{id}): the
 * greeting, who got how much, the claim button (POST …/claim), its QR code and link to share,
 * and once finished or expired the revealed shares and salt, checked here in the browser against
 * the commitment shown when it was sent: sha256(salt + ":" + shares joined by ","). */
import { $, announce, clear, el, qrImg } from './dom.js';
import { Idem, api } from './http.js';
import { t } from './i18n.js';
import { showError } from './errors.js';
import { amountOf, digits6, form, phoneOf } from './common.js';
import { formatMoney } from './money.js';
import { dateTime } from './dates.js';
import { moneyCall } from './app-second-factor.js';
import { go } from './app-router.js';

/** The send form's Idempotency-Key: one packet per press, the same on a retry. */
const idem = new Idem();

/** The packet a payload (scanned, or a link) names, or null. */
export function packetIdOf(text) {
  const m = /^qianbao:\/\/red-packet\/([0-9a-f-]{36})$/.exec(String(text || '').trim());
  return m ? m[1] : null;
}

function packetHref(id) { return '#/redpacket/' + encodeURIComponent(id); }

/** The packet the location names (#/redpacket/<id>). */
function shownId() {
  const m = /^#\/redpacket\/([0-9a-f-]{36})$/.exec(location.hash);
  return m ? m[1] : null;
}

function oneToOne() { return $('rp-kind-one').checked; }

/** Shows the fields the chosen kind takes: a phone for one holder, shares and split for a group. */
function drawKind() {
  const one = oneToOne();
  $('rp-phone-row').hidden = !one;
  $('rp-shares-row').hidden = one;
  $('rp-split-row').hidden = one;
  $('rp-amount-hint').textContent = t(one ? 'rp.hint_one' : 'rp.hint_group');
}

async function loadList() {
  const r = await api('GET', '/v1/me/red-packets');
  const list = clear('rp-list');
  for (const p of r.items || []) {
    const sub = p.mine
      ? t('rp.sent_line', { n: p.claimed_shares, total: p.shares, status: t('rp.status.' + p.status) })
      : (p.my_amount ? t('rp.got_line', { amount: formatMoney(p.my_amount), name: p.sender }) : t('rp.from', { name: p.sender }));
    list.append(el('li', { class: 'list-item', id: 'rp-item-' + p.id, dataset: { status: p.status } },
      el('a', { href: packetHref(p.id), class: 'li-main' },
        el('strong', { text: formatMoney(p.amount) + ' · ' + p.memo }),
        el('span', { class: 'muted small block', text: dateTime(p.created_at) + ' · ' + sub }))));
  }
  $('rp-list-empty').hidden = (r.items || []).length > 0;
}

function enterList() {
  showError('rp-error', null);
  drawKind();
  loadList().catch((err) => showError('rp-error', err));
}

/** sha256 of `text` in lowercase hex, by the browser's own digest. */
async function sha256Hex(text) {
  const bytes = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(text));
  return Array.from(new Uint8Array(bytes), (b) => b.toString(16).padStart(2, '0')).join('');
}

/** Draws the revealed split and whether it checks against the commitment. */
async function drawReveal(p) {
  const box = $('rp-reveal');
  box.hidden = !p.revealed;
  if (!p.revealed) return;
  $('rp-salt').textContent = p.revealed.salt;
  $('rp-shares').textContent = p.revealed.shares.join(',');
  const verdict = $('rp-verdict');
  verdict.textContent = '';
  if (!(window.crypto && crypto.subtle)) { verdict.textContent = t('rp.check_unavailable'); return; }
  const hex = await sha256Hex(p.revealed.salt + ':' + p.revealed.shares.join(','));
  const ok = hex === p.commitment;
  verdict.dataset.ok = ok ? '1' : '0';
  verdict.className = ok ? 'success' : 'error';
  verdict.textContent = t(ok ? 'rp.check_ok' : 'rp.check_bad');
}

/** Draws the packet `p` (the API's view). */
async function drawPacket(p) {
  $('rp-page').dataset.id = p.id;
  $('rp-page').dataset.status = p.status;
  $('rp-page-memo').textContent = p.memo;
  $('rp-page-from').textContent = t('rp.from', { name: p.sender });
  $('rp-page-amount').textContent = formatMoney(p.amount);
  $('rp-page-progress').textContent = t('rp.progress', {
    n: p.claimed_shares, total: p.shares, amount: formatMoney(p.claimed_amount), status: t('rp.status.' + p.status),
  });
  const mine = $('rp-page-mine');
  // Just claimed, the claim's own line says it already.
  mine.hidden = !p.my_amount || !$('rp-page-got').hidden;
  if (p.my_amount) mine.textContent = t('rp.you_got', { amount: formatMoney(p.my_amount) });
  // The claim button: an open packet the holder has not claimed from, and not their own
  // one-to-one packet.
  const claim = $('rp-claim');
  claim.hidden = p.status !== 'open' || !!p.my_amount || (p.mine && p.kind === 'one_to_one');
  const share = $('rp-share');
  share.hidden = !(p.mine && p.kind === 'group' && p.status === 'open');
  if (!share.hidden) {
    $('rp-link').value = location.origin + '/' + packetHref(p.id);
    if (p.qr_svg) qrImg($('rp-qr'), p.qr_svg, t('rp.qr_alt'));
  }
  $('rp-commitment').textContent = p.commitment;
  const list = clear('rp-claims');
  for (const c of p.claims) {
    list.append(el('li', { class: 'list-item' + (c.mine ? ' list-item-mine' : ''), dataset: { index: String(c.index) } },
      el('div', { class: 'li-main' },
        el('strong', { text: c.name + (c.mine ? ' ' + t('rp.me') : '') }),
        el('span', { class: 'muted small block', text: dateTime(c.claimed_at) })),
      el('span', { class: 'li-amount', text: formatMoney(c.amount) })));
  }
  $('rp-claims-empty').hidden = p.claims.length > 0;
  await drawReveal(p);
}

async function enterPacket() {
  showError('rp-page-error', null);
  $('rp-page-got').hidden = true;
  const id = shownId();
  if (!id) { go('#/redpackets'); return; }
  await drawPacket(await api('GET', '/v1/red-packets/' + encodeURIComponent(id)));
}

export function wire() {
  for (const id of ['rp-kind-one', 'rp-kind-group']) $(id).addEventListener('change', drawKind);
  form('rp-form', async () => {
    const one = oneToOne();
    const amount = amountOf('rp-amount');
    const body = { amount, shares: one ? 1 : parseInt($('rp-count').value, 10), split: one ? 'even' : $('rp-split').value };
    if (one) body.to_phone = phoneOf('rp-phone');
    const memo = $('rp-memo').value.trim();
    if (memo) body.memo = memo;
    body.pin = digits6('rp-pin');
    let r;
    try {
      r = await moneyCall('/v1/red-packets', body, idem, () => t('rp.what', { amount: formatMoney(amount) }));
    } catch (err) {
      if (['pin_incorrect', 'pin_invalid', 'pin_locked'].includes(err.code)) { $('rp-pin').value = ''; err.input = $('rp-pin'); }
      if (['insufficient_balance', 'limit_exceeded', 'amount_invalid'].includes(err.code)) err.input = $('rp-amount');
      if (err.code === 'invalid_request' && err.field === 'shares') err.input = $('rp-count');
      throw err;
    }
    $('rp-pin').value = '';
    $('rp-amount').value = '';
    $('rp-memo').value = '';
    announce(t('rp.sent', { amount: formatMoney(amount) }));
    go(packetHref(r.id));
  });
  $('rp-claim').addEventListener('click', async () => {
    const button = $('rp-claim');
    if (button.disabled) return;
    button.disabled = true;
    showError('rp-page-error', null);
    try {
      const id = $('rp-page').dataset.id;
      const r = await api('POST', '/v1/red-packets/' + encodeURIComponent(id) + '/claim', { body: {} });
      const got = $('rp-page-got');
      got.textContent = t('rp.claimed', { amount: formatMoney(r.amount) });
      got.hidden = false;
      announce(got.textContent);
      await drawPacket(await api('GET', '/v1/red-packets/' + encodeURIComponent(id)));
    } catch (err) {
      showError('rp-page-error', err);
      // Empty, expired or claimed already: the page shows how it stands now.
      api('GET', '/v1/red-packets/' + encodeURIComponent($('rp-page').dataset.id)).then(drawPacket).catch(() => {});
    } finally {
      button.disabled = false;
    }
  });
  $('rp-copy').addEventListener('click', async () => {
    const link = $('rp-link');
    link.select();
    try { await navigator.clipboard.writeText(link.value); } catch (_) { /* selected for a manual copy */ }
    announce(t('rp.copied'));
  });
}

export const screens = { redpackets: { enter: enterList }, redpacket: { enter: enterPacket } };
