// The voucher ladder preview, in Chinese: a marketer types a spend ladder (满 100 减 10, 满 200
// 减 30, 满 300 减 50) and a cart amount, and the sentence under it says what the cart gets and
// what spending a little more would get, as the amounts change; then saves the template.
import { journey, env, signIn, sees, check, nav, watch, clickAndLoad, shot } from './lib.mjs';

const EMAIL = env('MARKETER_EMAIL');
const PASSWORD = env('MARKETER_PASSWORD');

/** Types a cart amount and waits for the preview's sentence. */
async function cart(page, amount, wanted) {
  await page.locator('#cart').fill(String(amount));
  return sees(page, wanted, '#ladder-preview');
}

await journey('rewards', async (page) => {
  const w = watch(page);
  await signIn(page, EMAIL, PASSWORD, '/console/members');
  await nav(page, '奖励与券');
  await clickAndLoad(page, page.getByRole('link', { name: '新建券模板' }));

  const form = page.locator('#template-form');
  await form.locator('#id').fill('ladder-618');
  await form.locator('#title_zh').fill('618 满减券');
  await form.locator('#title_en').fill('6.18 spend more, save more');
  await form.locator('#kind').selectOption('ladder');
  const rungs = [
    [100, 10],
    [200, 30],
    [300, 50],
  ];
  for (const [i, [min, off]] of rungs.entries()) {
    await form.locator(`[name=rung_min_${i}]`).fill(String(min));
    await form.locator(`[name=rung_off_${i}]`).fill(String(off));
  }

  await cart(page, 250, /250(\.00)? 的订单：减 ¥30(\.00)?；再买 ¥50(\.00)? 可减 ¥50(\.00)?/);
  await cart(page, 350, /350(\.00)? 的订单：减 ¥50(\.00)?（已达最高档）/);
  await cart(page, 80, /80(\.00)? 的订单：暂无优惠；再买 ¥20(\.00)? 可减 ¥10(\.00)?/);
  await cart(page, 199.5, /199\.50 的订单：减 ¥10(\.00)?；再买 ¥0\.50 可减 ¥30(\.00)?/);
  await shot(page, 'reward_template');

  // Saved, the template is listed.
  await form.locator('#days').fill('30');
  await clickAndLoad(page, form.getByRole('button', { name: '保存', exact: true }));
  await sees(page, '已保存', '#toasts');
  await nav(page, '奖励与券');
  await sees(page, '618 满减券', 'main');
  w.clean();
});
