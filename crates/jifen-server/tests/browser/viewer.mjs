// A viewer reads every page but finds no control to change anything, and a write forced from the
// page (its own CSRF token, a hand-made request) is refused with 403 and changes nothing.
import { journey, env, BASE, signIn, sees, doesNotSee, check, nav, visit, watch } from './lib.mjs';

const EMAIL = env('VIEWER_EMAIL');
const PASSWORD = env('VIEWER_PASSWORD');

/** A POST from the page as a script would send it: the session cookie and the page's token. */
async function forcedPost(page, path, fields) {
  return page.evaluate(
    async ({ path, fields }) => {
      const csrf = document.querySelector('meta[name="csrf-token"]').content;
      const body = new URLSearchParams({ csrf, ...fields });
      const res = await fetch(path, { method: 'POST', body, headers: { 'x-csrf-token': csrf }, redirect: 'manual' });
      return { status: res.status, text: await res.text() };
    },
    { path, fields },
  );
}

await journey('viewer', async (page) => {
  const w = watch(page);
  w.expected(403);
  await signIn(page, EMAIL, PASSWORD, '/console/members');
  await sees(page, '只读', 'header');

  // The member page shows the figures, without the forms that change them.
  await visit(page, '/console/members/m-1001');
  await sees(page, 'Li Wei', 'h1');
  const figures = () => page.locator('#balance .stat').allInnerTexts();
  const balance = JSON.stringify(await figures());
  check((await page.locator('#actions').count()) === 0, 'a viewer sees no member actions');
  check((await page.locator('#adjust-form, #voucher-form, #tier-form, #status-form').count()) === 0, 'a viewer sees no member forms');

  // Rules: no "new" buttons, no editor.
  await nav(page, '规则与活动');
  check((await page.locator('a[href="/console/rules/new"], a[href="/console/campaigns/new"]').count()) === 0, 'a viewer sees no button to create rules or campaigns');
  const rule = page.locator('#rules a[href^="/console/rules/"]').first();
  if (await rule.count()) {
    await Promise.all([page.waitForNavigation(), rule.click()]);
    check((await page.locator('#rule-form').count()) === 0, 'a viewer sees no rule editor');
    check((await page.locator('#status-actions').count()) === 0, 'a viewer sees no pause or archive');
  }

  // No POST form anywhere on the main pages, except signing out and the account's own.
  for (const label of ['概览', '会员', '规则与活动', '等级', '奖励与券', '勋章', '模板', '设置', '审计日志']) {
    await nav(page, label);
    // Simulations and previews are POST forms that write nothing: every role may use them.
    // A form may show its fields read-only; what matters is a button that sends it.
    const writes = await page.locator('main form button, main form input[type=submit]').evaluateAll((bs) =>
      bs
        .filter((b) => b.type === 'submit' && b.offsetParent !== null)
        .filter((b) => (b.getAttribute('formmethod') || b.form.method).toLowerCase() === 'post')
        // (a button's formAction is the page's address when it has no formaction of its own)
        .map((b) => [new URL(b.getAttribute('formaction') || b.form.getAttribute('action') || '', location.href).pathname, b.innerText || b.value])
        .filter(([a]) => !/\/(simulate|validate|preview)$/.test(a))
        .map(([a, label]) => `${a} ("${label}")`));
    check(writes.length === 0, `a viewer can send forms that write on ${page.url()}: ${writes.join(', ')}`);
    await doesNotSee(page, '保存', 'main button');
  }

  // Forced writes, with the page's own token: refused.
  await visit(page, '/console/members/m-1001');
  const adjust = await forcedPost(page, '/console/members/m-1001/adjust', { points: '1000', reason: 'forced' });
  check(adjust.status === 403, `a viewer's forced adjustment answered ${adjust.status}, not 403`);
  const rule403 = await forcedPost(page, '/console/rules', { rule_id: 'forced', name: 'forced', mode: 'form' });
  check(rule403.status === 403, `a viewer's forced rule answered ${rule403.status}, not 403`);
  await visit(page, '/console/members/m-1001');
  check(JSON.stringify(await figures()) === balance, 'the refused writes changed nothing');
  w.clean();
});
