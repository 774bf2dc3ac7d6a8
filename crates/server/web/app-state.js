/* qianbao web, holder's app — the state the screens share: who is signed in (GET /v1/me), which
 * screen is shown, and what the opening steps have gathered so far. Everything else a screen
 * needs lives in that screen's module. */
import { $ } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';

export const state = {
  /** The signed-in holder (GET /v1/me), or null. */
  me: null,
  /** Whether the server runs with --sandbox (GET /web/config). */
  sandbox: false,
  /** The route shown now ('home', 'open', …). */
  screen: null,
  /** What the opening steps gathered: the step shown, and what later steps pre-fill. */
  onboard: { step: 0, phone: '', otp: '', name: '', idNumber: '' },
  /** The shown screen's clean-up (timers), run before another screen is shown. */
  leave: null,
};

/** Reloads the signed-in holder; null when signed out (and the offline banner when unreachable). */
export async function loadMe() {
  try {
    state.me = await api('GET', '/v1/me');
    $('offline-banner').hidden = true;
  } catch (e) {
    state.me = null;
    if (e.network) $('offline-banner').hidden = false;
  }
  return state.me;
}

/** A typed or stored phone as 11 digits ("+86 138…" → "138…"), or '' when it is not one. */
export function normalizePhone(v) {
  const d = String(v || '').replace(/[^\d]/g, '');
  if (/^861\d{10}$/.test(d)) return d.slice(2);
  return /^1\d{10}$/.test(d) ? d : '';
}

/** The name of a real-name level (0–3). */
export function levelText(level) { return t('level.' + Math.max(0, Math.min(3, level | 0))); }
