/* qianbao web — four eyes in the console: the commands staff have proposed, with their exact
 * payload and reason, and approve or reject for a checker. The server refuses the maker's own
 * approval whatever this page shows; the page only says so before anyone clicks. */
import { $, el } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { dateTime } from './dates.js';
import { S, can, staffName } from './console-state.js';
import { actionButton, done, entityId, money, pill, put, required, table } from './console-ui.js';

let filter = 'pending';

/** What a command does, in a line: the amount of an adjustment or refund, the role of a change. */
export function summary(c) {
  const p = c.command || {};
  switch (c.action) {
    case 'adjustment': return (p.amount > 0 ? '+' : '') + money(p.amount, p.currency) + (p.case_id ? ' · ' + t('console.cmd.case', { id: p.case_id }) : '');
    case 'refund': return money(p.amount) + ' · ' + (p.payment_id || '');
    case 'role_change': return p.role || '';
    case 'close_account': return t('console.cmd.sweep_to', { card: p.card_id || '' });
    case 'policy_change': return JSON.stringify(p.policy || {});
    default: return '';
  }
}

function entityLink(entity) {
  if (entity && entity.startsWith('holder:')) return el('a', { href: '#/holders/' + entityId(entity), text: entity });
  return entity;
}

function decide(c, errorId) {
  if (c.status !== 'pending') return c.checker ? t('console.cmd.by', { who: staffName(c.checker) }) : '';
  if (S.me && c.maker === S.me.staff.id) return el('span', { class: 'muted small', text: t('console.cmd.own') });
  return el('div', { class: 'actions' },
    actionButton('console.approve', 'approve-' + c.id, async () => {
      const after = await api('POST', '/v1/console/commands/' + c.id + '/approve');
      done(after.status === 'done' ? 'console.cmd.done' : 'console.cmd.failed', { outcome: after.outcome });
      await showCommands();
    }, errorId, 'primary'),
    actionButton('console.reject', 'reject-' + c.id, async () => {
      const reason = required('commands-reason');
      await api('POST', '/v1/console/commands/' + c.id + '/reject', { body: { reason } });
      done('console.cmd.rejected');
      await showCommands();
    }, errorId));
}

/** The table of commands, for this section and for a holder's profile. */
export function commandsTable(rows, errorId) {
  return table([
    { head: 'console.col.action', cell: (c) => t('console.action.' + c.action) },
    { head: 'console.col.entity', cell: (c) => entityLink(c.entity) },
    { head: 'console.col.what', cell: (c) => summary(c) },
    { head: 'console.reason', cell: (c) => c.reason },
    { head: 'console.col.maker', cell: (c) => staffName(c.maker) },
    { head: 'console.col.status', cell: (c) => pill(c.status) },
    { head: 'console.col.outcome', cell: (c) => c.outcome },
    { head: 'console.col.expires', cell: (c) => dateTime(c.expires_at) },
    { head: 'console.col.decide', cell: (c) => decide(c, errorId) },
  ], rows, { id: (c) => c.id, empty: 'console.cmd.none', tableId: 'commands-table' });
}

/** Wires the pending / all switch. */
export function initCommands() {
  for (const b of document.querySelectorAll('#commands-filter button')) {
    b.addEventListener('click', () => { filter = b.dataset.status; showCommands(); });
  }
}

/** Lists the commands this role may see. */
export async function showCommands() {
  for (const b of document.querySelectorAll('#commands-filter button')) {
    b.setAttribute('aria-pressed', String(b.dataset.status === filter));
  }
  const [rows, staff] = await Promise.all([
    api('GET', '/v1/console/commands', { query: { status: filter } }),
    can('staff', 'view') ? api('GET', '/v1/console/staff').catch(() => []) : [],
  ]);
  for (const s of staff) S.names.set(s.id, s.name);
  const reason = el('div', { class: 'console-actions' },
    el('div', { class: 'field' }, el('label', { for: 'commands-reason', text: t('console.cmd.reject_reason') }),
      el('input', { id: 'commands-reason', autocomplete: 'off' })));
  const list = put('commands-list', reason);
  list.append(commandsTable(rows, 'commands-error'));
  $('commands-error').hidden = true;
}
