/* qianbao web, holder's app — notifications: the #/notices list, the unread badges, and the live
 * stream (EventSource on /v1/me/notifications/stream) that shows a toast and tells the shown
 * screen, while signed in. Alerts show in the page's language (title_en/body_en in English). */
import { $, el, clear, toast } from './dom.js';
import { api } from './http.js';
import { t, lang } from './i18n.js';
import { showError } from './errors.js';
import { dateTime } from './dates.js';
import { state, loadMe } from './app-state.js';
import { currentScreen, route } from './app-router.js';
import { onNotice as onPendingCharge } from './app-pending-charge.js';

let cursor = null;
let unread = 0;
let stream = null;

function seenKey() { return 'qb_seen_' + (state.me ? state.me.wallet_id : ''); }
function lastSeen() { try { return parseInt(localStorage.getItem(seenKey()) || '0', 10) || 0; } catch (_) { return 0; } }
function markSeen(id) { try { if (id > lastSeen()) localStorage.setItem(seenKey(), String(id)); } catch (_) { /* off */ } }

/** Shows `n` unread on the bell and in the menu (hidden at 0). */
export function setBadge(n) {
  unread = n;
  for (const id of ['notice-badge', 'nav-notices-count']) {
    const b = $(id);
    b.textContent = n > 99 ? '99+' : String(n);
    b.hidden = n <= 0;
  }
  $('nav-notices-top').setAttribute('aria-label', t('nav.notices') + (n > 0 ? ' (' + n + ')' : ''));
}

/** Counts the notifications newer than the last one seen in this browser. */
export async function refreshBadge() {
  if (!state.me) return;
  try {
    const r = await api('GET', '/v1/me/notifications', { query: { limit: 50 } });
    const seen = lastSeen();
    setBadge((r.items || []).filter((n) => n.id > seen).length);
  } catch (_) { /* a badge is not worth an error */ }
}

// An alert in the page's language; older alerts were kept in Chinese only.
function noticeText(n) {
  const en = lang() === 'en' && n.title_en;
  return { title: en ? n.title_en : n.title, body: en ? n.body_en : n.body };
}

function noticeItem(n) {
  const shown = noticeText(n);
  return el('li', { class: 'list-item notice', id: 'notice-' + n.id, dataset: { kind: n.kind } },
    el('div', { class: 'li-main' },
      el('strong', { text: shown.title }),
      el('span', { class: 'block', text: shown.body }),
      el('span', { class: 'muted small block', text: dateTime(n.created_at) })));
}

async function loadNotices(more) {
  if (!more) { cursor = null; clear('notices-list'); }
  const r = await api('GET', '/v1/me/notifications', { query: { cursor: more ? cursor : undefined } });
  const list = $('notices-list');
  for (const n of r.items || []) list.append(noticeItem(n));
  cursor = r.next_cursor || null;
  $('notices-more').hidden = !cursor;
  $('notices-empty').hidden = list.children.length > 0;
  if (!more && r.items && r.items.length) markSeen(r.items[0].id);
  setBadge(0);
}

/** Opens the live stream while signed in (once; it reconnects by itself). */
export function startStream() {
  if (stream || !state.me || typeof EventSource === 'undefined') return;
  const es = new EventSource('/v1/me/notifications/stream');
  stream = es;
  es.addEventListener('notification', (ev) => {
    let n;
    try { n = JSON.parse(ev.data); } catch (_) { return; }
    const shown = noticeText(n);
    toast(shown.title || t('notices.new'), shown.body || '', 'info');
    if (state.screen === 'notices') {
      const list = $('notices-list');
      if (!$('notice-' + n.id)) list.prepend(noticeItem(n));
      $('notices-empty').hidden = true;
      markSeen(n.id);
    } else if (n.id > lastSeen()) {
      setBadge(unread + 1);
    }
    const screen = currentScreen();
    if (screen && screen.onNotice) screen.onNotice(n);
    // A shop's charge waiting for the holder asks at once, whatever the screen.
    onPendingCharge(n);
  });
  es.addEventListener('error', () => {
    // EventSource reconnects by itself (with Last-Event-ID); if the session is gone, stop.
    if (es.readyState === EventSource.CLOSED) {
      stream = null;
      window.setTimeout(() => { if (state.me) loadMe().then((me) => { if (me) startStream(); }); }, 5000);
    }
  });
}

export function stopStream() {
  if (stream) { stream.close(); stream = null; }
}

export function wire() {
  $('notices-more').addEventListener('click', () => loadNotices(true).catch((e) => showError('notices-error', e)));
}

export const screens = {
  // Opening it clears the badges.
  notices: { enter: () => loadNotices(false), onLang: route },
};
