/* qianbao web — staff in the console: who has an account, their role and lock, adding someone (the
 * server answers a one-time set-up link to hand over), unlocking after five wrong tries, a role
 * change as a four-eyes command, and the roles with what each allows. */
import { $, el } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { form } from './common.js';
import { S, can } from './console-state.js';
import { actionButton, done, pill, put, required, table } from './console-ui.js';

let roles = [];

function staffActions(s) {
  if (!can('staff', 'manage') || (S.me && s.id === S.me.staff.id)) return '';
  const box = el('div', { class: 'actions' });
  if (s.locked) {
    box.append(actionButton('console.staff.unlock', 'staff-unlock-' + s.id, async () => {
      await api('POST', '/v1/console/staff/' + encodeURIComponent(s.id) + '/unlock');
      done('console.staff.unlocked');
      await showStaff();
    }, 'staff-error'));
  }
  const pick = el('select', { id: 'staff-role-' + s.id, 'aria-label': t('console.staff.role') },
    ...roles.filter((r) => r.name !== s.role).map((r) => el('option', { value: r.name, text: r.name })));
  box.append(pick, actionButton('console.staff.change_role', 'staff-change-' + s.id, async () => {
    const reason = required('staff-reason');
    await api('POST', '/v1/console/commands', { body: { command: { kind: 'role_change', staff_id: s.id, role: pick.value }, reason } });
    done('console.proposed');
  }, 'staff-error'));
  return box;
}

/** Every permission a custom role may hold: each group's view and manage. */
const GROUPS = ['holders', 'kyc', 'risk', 'money', 'merchants', 'policy', 'staff', 'audit'];

function permissionBoxes() {
  const box = $('role-permissions');
  if (box.querySelector('input')) return;
  for (const g of GROUPS) {
    for (const a of ['view', 'manage']) {
      const id = 'perm-' + g + '-' + a;
      box.append(el('label', { class: 'console-check', for: id },
        el('input', { type: 'checkbox', id, value: g + '.' + a }), ' ' + g + '.' + a));
    }
  }
}

/** Wires adding a staff member and defining a role. */
export function initStaff() {
  form('role-form', async () => {
    const name = required('role-name');
    const permissions = Array.from(document.querySelectorAll('#role-permissions input:checked'), (i) => i.value);
    await api('POST', '/v1/console/roles', { body: { name, permissions } });
    done('console.role.defined', { name });
    await showStaff();
  });
  form('staff-add-form', async () => {
    const phone = required('staff-phone');
    const name = required('staff-name');
    const role = $('staff-role').value;
    const added = await api('POST', '/v1/console/staff', { body: { phone, name, role } });
    const link = added.setup_link.startsWith('http') ? added.setup_link : location.origin + added.setup_link;
    put('staff-link', el('p', null, t('console.staff.link'), ' ', el('code', { id: 'staff-setup-link', class: 'break', text: link })));
    $('staff-link').hidden = false;
    await showStaff();
  });
}

/** The staff list and the roles. */
export async function showStaff() {
  $('staff-add-form').hidden = !can('staff', 'manage');
  $('role-form').hidden = !can('staff', 'manage');
  permissionBoxes();
  const [staff, roleList] = await Promise.all([api('GET', '/v1/console/staff'), api('GET', '/v1/console/roles')]);
  roles = roleList;
  put('staff-role', null).append(...roles.map((r) => el('option', { value: r.name, text: r.name })));
  const list = put('staff-list', el('div', { class: 'console-actions' },
    el('div', { class: 'field' }, el('label', { for: 'staff-reason', text: t('console.reason') }), el('input', { id: 'staff-reason', autocomplete: 'off' }))));
  list.append(table([
    { head: 'console.staff.name', cell: (s) => s.name },
    { head: 'console.col.phone', cell: (s) => s.phone },
    { head: 'console.staff.role', cell: (s) => s.role },
    { head: 'console.col.status', cell: (s) => s.locked ? pill('locked') : pill(s.status) },
    { head: 'console.col.decide', cell: staffActions },
  ], staff, { id: (s) => s.id, tableId: 'staff-table' }));
  put('roles-list', table([
    { head: 'console.staff.role', cell: (r) => r.name + (r.built_in ? ' ' + t('console.staff.built_in') : '') },
    { head: 'console.staff.permissions', cell: (r) => r.permissions.join(', ') },
  ], roles));
}
