/* qianbao web, holder's app — the sandbox developer panel (#sms-panel, only when the server runs
 * with --sandbox): every 2 s the SMS outbox of the phones in use, newest first, with the latest
 * code and a button that fills a code into the visible empty code field. */
import { $, clear, el } from './dom.js';
import { api } from './http.js';
import { t, lang } from './i18n.js';
import { dateTime } from './dates.js';
import { state, normalizePhone } from './app-state.js';

/** The fields whose phones the panel polls, besides the signed-in holder's. */
const PHONE_FIELDS = ['signup-phone', 'login-phone', 'reset-phone', 'card-phone', 'lost-phone'];

function fillCode(code) {
  // While the second-factor sheet is open, its code field is the one waiting.
  const sheet = $('stepup-sheet');
  const scope = sheet && !sheet.hidden ? sheet : document;
  const inputs = Array.from(scope.querySelectorAll('input[data-otp]')).filter((i) => i.offsetParent !== null && !i.disabled);
  const target = inputs.find((i) => !i.value) || inputs[0];
  if (target) { target.value = code; target.focus(); target.dispatchEvent(new Event('input', { bubbles: true })); }
}

/** Shows the panel and starts polling. */
export function start() {
  const panel = $('sms-panel');
  panel.hidden = false;
  let last = '';
  async function poll() {
    const phones = new Set();
    if (state.me) phones.add(normalizePhone(state.me.phone));
    for (const id of PHONE_FIELDS) {
      const p = normalizePhone($(id).value);
      if (p) phones.add(p);
    }
    phones.delete('');
    $('sms-phones').textContent = Array.from(phones).join(', ') || '—';
    if (!phones.size || !panel.open) return;
    const all = [];
    await Promise.all(Array.from(phones).map(async (phone) => {
      try {
        const r = await api('GET', '/v1/sandbox/sms', { query: { phone }, quiet: true });
        for (const m of (r && r.items) || []) all.push(m);
      } catch (_) { /* ignore */ }
    }));
    all.sort((a, b) => (a.sent_at < b.sent_at ? 1 : a.sent_at > b.sent_at ? -1 : 0));
    const top = all.slice(0, 8);
    const sig = JSON.stringify(top) + lang();
    if (sig === last) return;
    last = sig;
    const list = clear('sms-list');
    top.forEach((m, i) => {
      list.append(el('li', { class: 'sms', id: 'sms-' + i, dataset: { code: m.code || '' } },
        el('span', { class: 'muted small block', text: m.to + ' · ' + dateTime(m.sent_at) }),
        el('span', { class: 'block', text: m.text }),
        m.code ? el('span', { class: 'sms-code-row' },
          el('code', { class: 'sms-code', text: m.code }),
          el('button', { type: 'button', class: 'btn btn-small', text: t('dev.fill'), on: { click: () => fillCode(m.code) } })) : null));
    });
    $('sms-empty').hidden = top.length > 0;
    const latest = top.find((m) => m.code);
    $('sms-latest-code').textContent = latest ? latest.code : '';
  }
  poll();
  window.setInterval(poll, 2000);
  panel.addEventListener('toggle', poll);
}
