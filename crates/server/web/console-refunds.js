/* qianbao web — refunds on behalf of a merchant: the same refund rules as the merchant's own (never
 * more than the payment less what was refunded); above the operator's threshold the server makes
 * it a four-eyes command instead of running it. */
import { $ } from './dom.js';
import { Idem, api } from './http.js';
import { t } from './i18n.js';
import { amountOf, form } from './common.js';
import { done, money, required } from './console-ui.js';

/** One key per refund the staff member means: kept while a retry may still be the same one. */
const idem = new Idem();

/** Wires the refund form. */
export function initRefunds() {
  form('refund-form', async () => {
    $('refund-result').hidden = true;
    const payment = required('refund-payment');
    const amount = amountOf('refund-amount');
    const reason = required('refund-reason');
    let answer;
    try {
      answer = await api('POST', '/v1/console/payments/' + encodeURIComponent(payment) + '/refund', { body: { amount, reason }, idem: idem.get() });
      idem.settle(null);
    } catch (err) {
      idem.settle(err);
      throw err;
    }
    const pending = answer && answer.status === 'pending' && answer.action;
    const key = pending ? 'console.refund.pending' : 'console.refund.done';
    $('refund-result').textContent = t(key, { amount: money(amount) });
    $('refund-result').hidden = false;
    done(key, { amount: money(amount) });
  });
}

/** Nothing to load: the form is the section. */
export async function showRefunds() {
  $('refund-payment').focus();
}
