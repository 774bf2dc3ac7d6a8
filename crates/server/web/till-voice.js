/* qianbao web, merchant's till — the "到账" announcement: when the shop's toggle is on (kept in
 * localStorage.qb_till_voice), a payment that arrives is spoken with the browser's own speech
 * synthesis, as a shop's counter speaker says "钱包到账 12.50 元". Every utterance is also pushed
 * to window.__qbSpoken, so a test can read what would have been said without audio. */
import { $ } from './dom.js';
import { lang, t } from './i18n.js';
import { formatYuan } from './money.js';

const KEY = 'qb_till_voice';

/** Whether the shop turned the announcement on. */
export function voiceOn() {
  try { return localStorage.getItem(KEY) === '1'; } catch (_) { return false; }
}

/** Says that `fen` arrived, when the toggle is on. */
export function announceArrival(fen) {
  if (!voiceOn()) return;
  const text = t('till.voice_text', { amount: formatYuan(fen) });
  window.__qbSpoken = window.__qbSpoken || [];
  window.__qbSpoken.push(text);
  const synth = window.speechSynthesis;
  if (!synth || typeof window.SpeechSynthesisUtterance !== 'function') return;
  const u = new window.SpeechSynthesisUtterance(text);
  u.lang = lang() === 'zh' ? 'zh-CN' : 'en-US';
  try { synth.speak(u); } catch (_) { /* no voice on this device: the screen still shows it */ }
}

/** Wires the toggle `#till-voice` to localStorage. */
export function wireVoice() {
  const box = $('till-voice');
  box.checked = voiceOn();
  box.addEventListener('change', () => {
    try { localStorage.setItem(KEY, box.checked ? '1' : '0'); } catch (_) { /* private mode */ }
    // Browsers let a page speak only after a gesture: this click is one, so a short test line
    // both confirms the setting and unlocks speech for later payments.
    if (box.checked && window.speechSynthesis && typeof window.SpeechSynthesisUtterance === 'function') {
      const u = new window.SpeechSynthesisUtterance(t('till.voice_on'));
      u.lang = lang() === 'zh' ? 'zh-CN' : 'en-US';
      try { window.speechSynthesis.speak(u); } catch (_) { /* no voice */ }
    }
  });
}
