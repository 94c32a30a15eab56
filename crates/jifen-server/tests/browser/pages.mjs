// Every main page, reached through the side navigation as a person would, in Chinese and in
// English: it answers, draws without a script error or a failing request, and is photographed
// for the docs (docs/screenshots/<page>.<lang>.png with UPDATE_SCREENSHOTS=1).
import { journey, env, BASE, signIn, signOut, sees, check, nav, shot, watch, clickAndLoad } from './lib.mjs';

const EMAIL = env('OWNER_EMAIL');
const PASSWORD = env('OWNER_PASSWORD');

const PAGES = [
  // [screenshot name, zh-CN label, English label]
  ['dashboard', '概览', 'Dashboard'],
  ['members', '会员', 'Members'],
  ['rules', '规则与活动', 'Rules & campaigns'],
  ['tiers', '等级', 'Tiers'],
  ['rewards', '奖励与券', 'Rewards & vouchers'],
  ['badges', '勋章', 'Badges'],
  ['templates', '模板', 'Templates'],
  ['settings', '设置', 'Settings'],
  ['audit', '审计日志', 'Audit log'],
];

async function walk(page, lang) {
  const i = lang === 'en' ? 2 : 1;
  for (const p of PAGES) {
    await nav(page, p[i]);
    check((await page.locator('nav.side a.active').innerText()).trim() === p[i], `"${p[i]}" is the active page`);
    await shot(page, p[0]);
    if (p[0] === 'members') {
      // A member of the demo (the portal's journeys add members of their own).
      const member = page.locator('#members tbody a', { hasText: /m-100\d/ }).first();
      check((await member.count()) === 1, 'the members page lists members');
      await clickAndLoad(page, member);
      await sees(page, /m-100\d/, 'h1');
      await shot(page, 'member');
    }
    if (p[0] === 'rules') {
      // The demo's only rule is built in (not editable): the editor is shown by "New rule".
      await clickAndLoad(page, page.getByRole('link', { name: lang === 'en' ? 'New rule' : '新建规则' }));
      check((await page.locator('#rule-form').count()) === 1, 'the owner sees the rule editor');
      await shot(page, 'rule_editor');
    }
  }
}

await journey('pages', async (page) => {
  const w = watch(page);
  await page.goto(BASE + '/console/login');
  await shot(page, 'login');
  await signIn(page, EMAIL, PASSWORD, '/console/members');
  await walk(page, 'zh-CN');

  await clickAndLoad(page, page.locator('#lang-switch'));
  check((await page.locator('html').getAttribute('lang')) === 'en', 'the header switch turns the console to English');
  await walk(page, 'en');
  await signOut(page);
  await shot(page, 'login');
  // Leave the browser's language as it was found: Chinese.
  await clickAndLoad(page, page.locator('#lang-switch'));
  w.clean();
});
