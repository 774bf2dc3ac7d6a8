/* qianbao web — dates as the pages show and send them: a time in the page's language, and the
 * server's "day" (China time, UTC+8) for filters and today's takings. */
import { lang } from './i18n.js';

/** An ISO time → "2024/05/01 14:03" (zh) or "01/05/2024, 14:03" (en), in the browser's zone. */
export function dateTime(iso) {
  if (!iso) return '';
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  return d.toLocaleString(lang() === 'zh' ? 'zh-CN' : 'en-GB', {
    year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit',
  });
}

/** A YYYY-MM-DD day in China time (the server's "day" for filters); today without a date. */
export function chinaDay(date) {
  const ms = (date ? date.getTime() : Date.now()) + 8 * 3600 * 1000;
  return new Date(ms).toISOString().slice(0, 10);
}
