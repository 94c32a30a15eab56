// A marketer, in English, creates a program from the alibaba-88 template in the gallery: they own
// it, the console switches to it, and its rules are the template's.
import { journey, env, BASE, signIn, sees, check, nav, watch, clickAndLoad, shot } from './lib.mjs';

const EMAIL = env('MARKETER_EMAIL');
const PASSWORD = env('MARKETER_PASSWORD');

await journey('gallery', async (page) => {
  const w = watch(page);
  await page.goto(BASE + '/console/login');
  await clickAndLoad(page, page.locator('#lang-switch'));
  await signIn(page, EMAIL, PASSWORD);
  await sees(page, 'Marketer', 'header');
  await nav(page, 'Templates');
  const card = page.locator('#template-alibaba-88');
  await card.locator('input[name=program_name]').fill('88 VIP 6.18');
  await clickAndLoad(page, card.getByRole('button', { name: 'Create a program from it' }));
  check(new URL(page.url()).pathname === '/console', `a new program opens on its dashboard, not ${page.url()}`);
  await sees(page, '88 VIP 6.18', 'header');
  await sees(page, 'Owner', 'header');
  await nav(page, 'Rules & campaigns');
  await sees(page, '1 point per yuan', '#rules');
  w.clean();
});
