/* qianbao web, holder's app — this browser as a device of the holder: its name and the device id
 * the server gave it (kept in localStorage.qb_device_id, so a later sign-in needs no code), and
 * what follows a sign-in (the holder, the live stream, the badge). */
import { state, loadMe } from './app-state.js';
import { startStream, refreshBadge } from './app-notices.js';

const DEVICE_KEY = 'qb_device_id';

/** "Chrome · Android": how the holder's list of signed-in devices names this one. */
export function deviceName() {
  const ua = navigator.userAgent;
  const browser = /Edg\//.test(ua) ? 'Edge' : /Chrome\//.test(ua) ? 'Chrome' : /Firefox\//.test(ua) ? 'Firefox' : /Safari\//.test(ua) ? 'Safari' : 'Browser';
  const os = /Android/.test(ua) ? 'Android' : /iPhone|iPad/.test(ua) ? 'iOS' : /Windows/.test(ua) ? 'Windows' : /Mac OS/.test(ua) ? 'macOS' : /Linux/.test(ua) ? 'Linux' : '';
  return (browser + (os ? ' · ' + os : '')).slice(0, 60);
}

export function rememberDevice(id) { try { if (id) localStorage.setItem(DEVICE_KEY, id); } catch (_) { /* off */ } }
export function knownDevice() { try { return localStorage.getItem(DEVICE_KEY) || undefined; } catch (_) { return undefined; } }

/** After a sign-up or sign-in: load the holder, open the live stream, count the unread. */
export async function signedIn() {
  await loadMe();
  if (state.me) { startStream(); refreshBadge(); }
}
