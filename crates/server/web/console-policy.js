/* qianbao web — the operator's policy in the console: what is in force now, the versions before
 * it, and a change proposed as a four-eyes command (only the keys that change, in the policy
 * file's shape; the server checks it as it checks the file); and the exchange rates in force, one
 * set at once with a reason (audited with the rate it replaced). */
import { $ } from './dom.js';
import { api } from './http.js';
import { t } from './i18n.js';
import { form } from './common.js';
import { localError } from './errors.js';
import { can } from './console-state.js';
import { done, put, required, table } from './console-ui.js';
import { dateTime } from './dates.js';

/** Wires the change form. */
export function initPolicy() {
  form('policy-form', async () => {
    let policy;
    try {
      policy = JSON.parse($('policy-change').value);
    } catch (_) {
      throw localError('json', $('policy-change'));
    }
    if (!policy || typeof policy !== 'object' || Array.isArray(policy)) throw localError('json', $('policy-change'));
    const reason = required('policy-reason');
    await api('POST', '/v1/console/commands', { body: { command: { kind: 'policy_change', policy }, reason } });
    done('console.proposed');
  });
  form('fx-form', async () => {
    const pair = required('fx-pair');
    const rate = required('fx-rate');
    const reason = required('fx-reason');
    const set = await api('PUT', '/v1/console/fx/rates', { body: { pair, rate, reason } });
    done('console.fx.done', { pair: set.pair, rate: set.rate });
    $('fx-rate').value = '';
    $('fx-reason').value = '';
    await showRates();
  });
}

/** The exchange rates in force. */
async function showRates() {
  const r = await api('GET', '/v1/console/fx/rates').catch(() => ({ rates: [] }));
  put('fx-rates', table([
    { head: 'console.col.pair', cell: (x) => x.pair },
    { head: 'console.col.rate', cell: (x) => x.rate },
    { head: 'console.col.source', cell: (x) => x.source },
    { head: 'console.col.time', cell: (x) => dateTime(x.set_at) },
  ], r.rates || [], { empty: 'console.fx.none' }));
}

/** The policy in force and its history. */
export async function showPolicy() {
  $('policy-form').hidden = !can('policy', 'manage');
  $('fx-form').hidden = !can('policy', 'manage');
  showRates();
  const [current, versions] = await Promise.all([
    api('GET', '/v1/console/policy'),
    api('GET', '/v1/console/policy/versions').catch(() => []),
  ]);
  $('policy-current').textContent = JSON.stringify(current, null, 2);
  put('policy-versions', table([
    { head: 'console.col.version', cell: (v) => String(v.version) },
    { head: 'console.col.time', cell: (v) => dateTime(v.created_at || v.approved_at) },
    { head: 'console.col.maker', cell: (v) => v.maker || v.proposed_by || '' },
    { head: 'console.col.checker', cell: (v) => v.checker || v.approved_by || '' },
    { head: 'console.reason', cell: (v) => v.reason || '' },
  ], versions, { empty: 'console.policy.no_versions' }));
}
