// A marketer, in English: adds a 6.18 double-points campaign and its rule, simulates an order
// before and after publishing the rule, tries a draft (triple points) in the simulator, and
// backtests the draft over the demo's orders while watching its progress.
import { journey, env, BASE, signIn, sees, check, nav, watch, clickAndLoad, shot } from './lib.mjs';

const EMAIL = env('MARKETER_EMAIL');
const PASSWORD = env('MARKETER_PASSWORD');

/** A datetime-local value in the program's zone (Asia/Shanghai), `days` from now. */
function local(days) {
  const t = new Date(Date.now() + days * 86400000);
  return t.toLocaleString('sv-SE', { timeZone: 'Asia/Shanghai' }).replace(' ', 'T').slice(0, 16);
}

/** Fills the simulator with a ¥199 order of m-1001 and returns the points it shows. */
async function simulate(page, draft = false) {
  const form = page.locator('#sim-form');
  await form.locator('[name=sim_type]').fill('purchase');
  await form.locator('[name=sim_member]').fill('m-1001');
  await form.locator('[name=sim_amount]').fill('199.00');
  await form.locator('[name=sim_order]').fill('o-618-check');
  const box = form.locator('[name=sim_draft]');
  if (draft) await box.check();
  else if (await box.count()) await box.uncheck();
  await page.locator('#sim-result').evaluate((e) => (e.innerHTML = ''));
  await form.getByRole('button', { name: 'Simulate' }).click();
  const answer = await sees(page, /Points earned: -?\d+/, '#sim-result');
  return Number(answer.match(/Points earned: (-?\d+)/)[1]);
}

await journey('marketer', async (page) => {
  const w = watch(page);
  await page.goto(BASE + '/console/login');
  await clickAndLoad(page, page.locator('#lang-switch'));
  await signIn(page, EMAIL, PASSWORD, '/console/rules');
  await sees(page, 'Marketer', 'header');

  // Before the campaign: a ¥199 order earns 199 points (one a yuan).
  await nav(page, 'Rules & campaigns');
  check((await simulate(page)) === 199, 'a ¥199 order earns 199 points before the campaign');

  // The campaign.
  await clickAndLoad(page, page.getByRole('link', { name: 'New campaign' }));
  const c = page.locator('#campaign-form');
  await c.locator('[name=campaign_id]').fill('618');
  await c.locator('[name=name]').fill('6.18 double points');
  await c.locator('[name=starts_at]').fill(local(-1));
  await c.locator('[name=ends_at]').fill(local(20));
  await c.locator('[name=budget]').fill('1000000');
  await clickAndLoad(page, c.getByRole('button', { name: 'Save', exact: true }));
  await sees(page, 'Saved', '#toasts');
  await sees(page, '6.18 double points', 'h1');

  // Its rule: double the points of every purchase, published on saving.
  await nav(page, 'Rules & campaigns');
  await clickAndLoad(page, page.getByRole('link', { name: 'New rule' }));
  const r = page.locator('#rule-form');
  await r.locator('[name=rule_id]').fill('618-double');
  await r.locator('[name=name]').fill('6.18 double points');
  await r.locator('[name=trigger_kind]').selectOption('event');
  await r.locator('[name=event_types]').fill('purchase');
  await r.locator('[name=effect_kind]').selectOption('multiplier');
  await r.locator('[name=factor]').fill('2');
  await r.locator('[name=campaign]').selectOption('618');
  await clickAndLoad(page, r.getByRole('button', { name: 'Save', exact: true }));
  await sees(page, 'Saved', '#toasts');
  await sees(page, 'Active', '#rule-status');
  await shot(page, 'rule_editor_618');

  // Published: the same order now earns double.
  check((await simulate(page)) === 398, 'the ¥199 order earns 398 points with the campaign');
  await sees(page, /618-double v1\s+Fired\s+\+199/, '#sim-result');

  // A draft, unsaved: triple points, tried in the simulator.
  await r.locator('[name=factor]').fill('3');
  check((await simulate(page, true)) === 597, 'the draft (triple points) would give 597 points');
  check((await simulate(page, false)) === 398, 'the saved rule still gives 398 points');

  // Backtest the draft and watch it run.
  await clickAndLoad(page, r.getByRole('button', { name: 'Backtest this draft' }));
  check(/\/console\/rules\/backtests\//.test(page.url()), `the backtest opens its page, not ${page.url()}`);
  const bt = page.locator('#backtest');
  const seen = new Set();
  const until = Date.now() + 60000;
  while ((await bt.getAttribute('data-status')) !== 'finished') {
    seen.add(await bt.locator('[role=progressbar]').getAttribute('aria-valuenow'));
    check(Date.now() < until, `the backtest did not finish within 60 s (progress seen: ${[...seen].join(', ')})`);
    await page.waitForTimeout(200);
  }
  await sees(page, 'Done', '#backtest');
  await sees(page, 'Report', '#backtest');
  check((await page.locator('#backtest [role=progressbar]').getAttribute('aria-valuenow')) === '100', 'a finished backtest shows 100%');
  const summary = await page.locator('#bt-summary').innerText();
  check(/Draft/.test(summary) && /Change/.test(summary), `the report compares actual and draft: ${summary}`);
  await shot(page, 'backtest');

  // The draft was not saved: the rule still doubles.
  await page.goto(BASE + '/console/rules/618-double');
  check((await page.locator('#rule-form [name=factor]').inputValue()) === '2', 'the backtested draft did not replace the rule');

  w.clean();
});
