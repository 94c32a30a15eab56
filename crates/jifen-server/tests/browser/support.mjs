// A support agent finds a member by a phone number typed with spaces, adjusts the points with a
// reason, and finds the change in the audit log under the agent's name.
import { journey, env, signIn, sees, check, nav, watch, text, clickAndLoad } from './lib.mjs';

const EMAIL = env('SUPPORT_EMAIL');
const PASSWORD = env('SUPPORT_PASSWORD');
const NAME = env('SUPPORT_NAME');

/** The member's available points as the balance card shows them. */
async function available(page) {
  const stat = page.locator('#balance .stat', { hasText: '可用' }).first();
  check((await stat.count()) === 1, `no available-points figure on ${page.url()}`);
  return Number((await stat.locator('.value').innerText()).replace(/[^\d-]/g, ''));
}

await journey('support', async (page) => {
  const w = watch(page);
  await signIn(page, EMAIL, PASSWORD, '/console/members');
  await sees(page, '客服', 'header');

  // The phone as a caller reads it out, with spaces.
  await nav(page, '会员');
  await page.locator('#q').fill('138 0000 0002');
  await clickAndLoad(page, page.locator('form[role=search] button[type=submit]'));
  check(/\/console\/members\/m-1002/.test(page.url()), `one match opens the member's page, not ${page.url()}`);
  await sees(page, 'Wang Fang', 'h1');
  const before = await available(page);

  // Adjust with a reason.
  await page.locator('#adjust-points').fill('50');
  await page.locator('#adjust-reason').fill('补偿：6 月 3 日订单发货延误');
  await clickAndLoad(page, page.locator('#adjust-form button[type=submit]'));
  await sees(page, '积分已调整', '#toasts');
  check((await available(page)) === before + 50, `available points went from ${before} to ${await available(page)}, not +50`);
  await sees(page, '人工调整 +50 积分，原因：补偿：6 月 3 日订单发货延误');

  // The audit log names the agent and the member.
  await nav(page, '审计日志');
  const row = page.locator('table tbody tr', { hasText: 'm-1002' }).first();
  check((await row.count()) === 1, `no audit entry for m-1002:\n${(await text(page, 'main')).slice(0, 1500)}`);
  const line = await row.innerText();
  check(line.includes(NAME), `the audit entry names ${NAME}: ${line}`);
  w.clean();
});
