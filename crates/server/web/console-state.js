/* qianbao web — what the console knows of who is signed in: the staff member and their
 * permissions, read once from /v1/console/me. The server checks every call again. */

/** The console's state: `me` from /v1/console/me, its permissions as a set, the section shown. */
export const S = { me: null, permissions: new Set(), section: null, setupToken: null, names: new Map() };

/** Whether the role holds `group.access` (managing a group includes viewing it). */
export function can(group, access) {
  if (S.permissions.has(group + '.' + access)) return true;
  return access === 'view' && S.permissions.has(group + '.manage');
}

/** A staff member's name for their id, when the role may list staff; else the id. */
export function staffName(id) {
  if (S.me && id === S.me.staff.id) return S.me.staff.name;
  return S.names.get(id) || id;
}
