// Signing in: a wrong password is refused with a message, the right one opens the console, and
// five wrong passwords lock the account (the right password is then refused too).
import { journey, env, BASE, signIn, signOut, sees, doesNotSee, check, shot, text, visit } from './lib.mjs';

const OWNER_EMAIL = env('OWNER_EMAIL');
const OWNER_PASSWORD = env('OWNER_PASSWORD');
const LOCKED_EMAIL = env('LOCKED_EMAIL');
const LOCKED_PASSWORD = env('LOCKED_PASSWORD');

async function submit(page, email, password) {
  await page.locator('#email').fill(email);
  await page.locator('#password').fill(password);
  await Promise.all([page.waitForEvent('load'), page.locator('form button[type=submit]').click()]);
}

await journey('sign_in', async (page) => {
  // Chinese is the console's first language.
  await page.goto(BASE + '/console/login');
  check((await page.locator('html').getAttribute('lang')) === 'zh-CN', 'the sign-in page is in Chinese by default');
  await sees(page, '登录');
  await shot(page, 'login');

  // A wrong password: the error, and the email kept in the form.
  await submit(page, OWNER_EMAIL, 'not-the-password-at-all');
  await sees(page, '邮箱或密码不正确', '#login-error');
  check((await page.locator('#email').inputValue()) === OWNER_EMAIL, 'the email stays in the form after a wrong password');

  // The right password opens the console as the owner.
  await signIn(page, OWNER_EMAIL, OWNER_PASSWORD, '/console/account');
  await sees(page, OWNER_EMAIL, 'main');
  await sees(page, '所有者', 'header');

  // Signing out ends the session: the account page asks to sign in again.
  await signOut(page);
  await sees(page, '您已退出登录');
  await page.goto(BASE + '/console/account');
  check(page.url().includes('/console/login'), `a signed-out browser is sent to sign in, not to ${page.url()}`);

  // Five wrong passwords lock the account.
  await page.goto(BASE + '/console/login');
  for (let i = 1; i <= 5; i++) {
    await submit(page, LOCKED_EMAIL, `wrong-password-${i}`);
    await sees(page, '邮箱或密码不正确', '#login-error');
  }
  await submit(page, LOCKED_EMAIL, LOCKED_PASSWORD);
  await sees(page, '该账户登录失败次数过多，已暂时锁定', '#login-error');
  await sees(page, /请于 \d{2}:\d{2}（约 1[45] 分钟）\s?后再试/, '#login-error');
  check(page.url().includes('/console/login'), 'a locked account stays on the sign-in page');
  // Still locked on the next try, with the right password.
  await submit(page, LOCKED_EMAIL, LOCKED_PASSWORD);
  await sees(page, '已暂时锁定', '#login-error');
  await doesNotSee(page, LOCKED_EMAIL, 'header');

  // The lock is the account's, not the address's: the owner still signs in from here.
  await signIn(page, OWNER_EMAIL, OWNER_PASSWORD, '/console/account');
  await sees(page, OWNER_EMAIL, 'main');
  check(!(await text(page)).includes('锁定'), 'the owner is not locked out by another account');
  await visit(page, '/console/account');
});
