// The language switch: Chinese first, English on request, remembered across pages and a new
// sign-in, and back to Chinese.
import { journey, env, BASE, signIn, signOut, sees, check, clickAndLoad, visit } from './lib.mjs';

const EMAIL = env('VIEWER_EMAIL');
const PASSWORD = env('VIEWER_PASSWORD');

const langOfPage = (page) => page.locator('html').getAttribute('lang');

await journey('language', async (page) => {
  await page.goto(BASE + '/console/login');
  check((await langOfPage(page)) === 'zh-CN', 'the sign-in page starts in Chinese');
  await sees(page, '登录');

  // Switch to English on the sign-in page.
  await sees(page, 'English', '#lang-switch');
  await clickAndLoad(page, page.locator('#lang-switch'));
  check((await langOfPage(page)) === 'en', 'the switch turns the sign-in page to English');
  await sees(page, 'Sign in');
  await sees(page, 'Email');

  // Signed in, the console is in English on every page.
  await signIn(page, EMAIL, PASSWORD, '/console/account');
  check((await langOfPage(page)) === 'en', 'the console opens in English after the switch');
  await sees(page, 'My account', 'main');
  await sees(page, 'Sessions', 'main');
  await sees(page, 'Viewer', 'header');
  await sees(page, 'Sign out', 'header');

  // Remembered across a new sign-in.
  await visit(page, '/console/account');
  await signOut(page);
  await sees(page, 'You are signed out');
  await signIn(page, EMAIL, PASSWORD, '/console/account');
  check((await langOfPage(page)) === 'en', 'English is remembered across a new sign-in');

  // And back to Chinese from the header, staying on the same page.
  await sees(page, '中文', '#lang-switch');
  await clickAndLoad(page, page.locator('#lang-switch'));
  check((await langOfPage(page)) === 'zh-CN', 'the header switch turns the console back to Chinese');
  check(page.url().endsWith('/console/account'), `the switch stays on the page, not ${page.url()}`);
  await sees(page, '我的账户', 'main');
  await sees(page, '只读', 'header');
});
