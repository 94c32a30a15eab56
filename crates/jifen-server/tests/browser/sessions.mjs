// Sessions: the account page lists the current session; a session opened elsewhere can be
// revoked from here, and that browser is sent back to sign in.
import { journey, env, BASE, signIn, signOut, sees, check, newContext, visit } from './lib.mjs';

const EMAIL = env('SESSIONS_EMAIL');
const PASSWORD = env('SESSIONS_PASSWORD');

await journey('sessions', async (page, browser) => {
  await signIn(page, EMAIL, PASSWORD, '/console/account');
  await sees(page, '登录会话', 'main');
  const rows = page.locator('#sessions tbody tr');
  check((await rows.count()) === 1, `one session listed after one sign-in, not ${await rows.count()}`);
  await sees(page, '当前会话', '#sessions');

  // A second browser (its own cookies) signs in as the same person.
  const other = await (await newContext(browser)).newPage();
  await signIn(other, EMAIL, PASSWORD, '/console/account');
  await sees(other, '当前会话', '#sessions');

  // The first sees both and revokes the other.
  await visit(page, '/console/account');
  check((await rows.count()) === 2, `two sessions listed after two sign-ins, not ${await rows.count()}`);
  const otherRow = page.locator('#sessions tbody tr', { hasNot: page.locator('.badge.ok') });
  check((await otherRow.count()) === 1, 'exactly one session other than this one');
  await Promise.all([page.waitForEvent('load'), otherRow.locator('button', { hasText: '撤销' }).click()]);
  await sees(page, '会话已撤销');
  check((await rows.count()) === 1, `one session left after revoking, not ${await rows.count()}`);
  await sees(page, '当前会话', '#sessions');

  // The revoked browser is sent to sign in at its next page.
  await other.goto(BASE + '/console/account');
  check(other.url().includes('/console/login'), `the revoked browser is sent to sign in, not to ${other.url()}`);
  await sees(other, '登录');

  // This one is still signed in, until it signs out.
  await visit(page, '/console/account');
  await sees(page, EMAIL, 'main');
  await signOut(page);
  await page.goto(BASE + '/console/account');
  check(page.url().includes('/console/login'), 'signed out, the account page asks to sign in');
});
