/* qianbao web — the audit log in the console: search by who, what and which entity, newest first,
 * with each line's place in the hash chain; the same search as CSV. */
import { $, el } from './dom.js';
import { api } from './http.js';
import { form } from './common.js';
import { dateTime } from './dates.js';
import { put, table } from './console-ui.js';

function filters() {
  const q = {};
  for (const key of ['actor', 'action', 'entity']) {
    const v = $('audit-' + key).value.trim();
    if (v) q[key] = v;
  }
  return q;
}

async function search() {
  const q = filters();
  const lines = await api('GET', '/v1/console/audit', { query: q });
  $('audit-export').href = '/v1/console/audit.csv' + (Object.keys(q).length ? '?' + new URLSearchParams(q) : '');
  put('audit-list', table([
    { head: 'console.col.seq', cell: (a) => String(a.seq), num: true },
    { head: 'console.col.time', cell: (a) => dateTime(a.at) },
    { head: 'console.audit.actor', cell: (a) => a.actor },
    { head: 'console.audit.action', cell: (a) => a.action },
    { head: 'console.audit.entity', cell: (a) => a.entity },
    { head: 'console.col.outcome', cell: (a) => a.outcome },
    { head: 'console.reason', cell: (a) => a.reason },
    { head: 'console.col.hash', cell: (a) => el('span', { class: 'hash', title: a.hash, text: a.hash.slice(0, 12) }) },
  ], lines, { id: (a) => String(a.seq), empty: 'console.audit.none', tableId: 'audit-table' }));
}

/** Wires the search form. */
export function initAudit() {
  form('audit-form', search);
}

/** The newest lines, with whatever filters are typed. */
export async function showAudit() {
  await search();
}
