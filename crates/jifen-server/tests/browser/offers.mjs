// Personal offers on a phone in WeChat and in the console: a member who buys tea opens the
// portal; its home shows three offers picked for them, the tea tumbler first with the reason
// "常买茶饮", and a cake they cannot afford yet with how many points are missing; a tap opens the
// reward. The owner opens the member in the console and reads the same offers with their scores
// and the parts each score came from.
import { journey, newContext, env, check, sees, watch, signIn, shot, text } from './lib.mjs';
import { PHONE, SHOTS, api, mint } from './portal_lib.mjs';

/** Taps something that loads a new page, as a thumb does, and waits for the page. */
async function tap(page, locator) {
  check((await locator.count()) >= 1, `nothing to tap on ${page.url()}: ${locator}`);
  await Promise.all([page.waitForEvent('load'), locator.first().tap()]);
}

const MEMBER = 'journey-offers-a';

await journey(
  'offers',
  async (page, browser) => {
    const w = watch(page);
    // The brand's catalog: a tumbler and a tasting for tea drinkers, a cake for those who buy
    // desserts, each with the categories it suits and what it costs the brand.
    await api('PUT', '/v1/rewards/journey-tea-tumbler', {
      kind: 'physical', title: { 'zh-CN': '茶饮随行杯', en: 'Tea tumbler' }, cost: 100,
      categories: ['茶饮'], brand_cost: 1500,
    });
    await api('PUT', '/v1/rewards/journey-cheesecake', {
      kind: 'physical', title: { 'zh-CN': '芝士蛋糕', en: 'Cheesecake' }, cost: 10000,
      categories: ['甜点'], brand_cost: 2500,
    });
    await api('PUT', '/v1/rewards/journey-tea-tasting', {
      kind: 'physical', title: { 'zh-CN': '新品试饮', en: 'New tea tasting' }, cost: 50,
      categories: ['茶饮'], brand_cost: 2000,
    });
    await api('PUT', `/v1/members/${MEMBER}`, { name: '周茗' });
    // Mostly tea: ¥60 of milk tea and ¥8 of dessert.
    await api('POST', '/v1/events', {
      id: `${MEMBER}-order-1`, type: 'purchase', member: MEMBER, occurred_at: new Date().toISOString(),
      attributes: {
        order_id: `${MEMBER}-o1`, amount: 6800,
        lines: [
          { sku: 'milk-tea', category: '茶饮', quantity: 3, amount: 6000 },
          { sku: 'mochi', category: '甜点', quantity: 1, amount: 800 },
        ],
      },
    });
    await api('POST', `/v1/members/${MEMBER}/adjustments`, { id: `${MEMBER}-adj`, points: 200, reason: '活动补发' });
    const offers = await api('GET', `/v1/members/${MEMBER}/offers?limit=3`);
    check(offers.data.length === 3, `three offers: ${JSON.stringify(offers)}`);
    check(offers.data[0].id === 'journey-tea-tumbler', `the tumbler first: ${JSON.stringify(offers.data)}`);

    // The member's home: three offers, each with its reason.
    await page.goto(await mint(MEMBER));
    await sees(page, '为你推荐', '#offers');
    const items = page.locator('#offers li.offer');
    check((await items.count()) === 3, `the home shows three offers, not ${await items.count()}`);
    const first = await items.first().innerText();
    check(first.includes('茶饮随行杯') && first.includes('常买茶饮'), `the first offer and its reason: ${first}`);
    const all = await text(page, '#offers');
    for (const o of offers.data) {
      check(all.includes(o.title) && all.includes(o.reason), `the home shows ${o.title} with "${o.reason}": ${all}`);
    }
    await shot(page, 'offers', SHOTS);
    await tap(page, items.first().locator('a'));
    await sees(page, '茶饮随行杯', 'main');
    w.clean();

    // The owner reads the member's offers in the console, with scores and parts.
    const admin = await (await newContext(browser)).newPage();
    const aw = watch(admin);
    await signIn(admin, env('OWNER_EMAIL'), env('OWNER_PASSWORD'), '/console');
    await admin.goto(new URL(`/console/members/${MEMBER}`, admin.url()).href);
    await sees(admin, '个性化推荐', '#offers');
    const row = admin.locator('#offers tr.offer').first();
    const cells = await row.innerText();
    check(cells.includes('茶饮随行杯') && cells.includes('常买茶饮') && cells.includes('affinity'),
      `the console's first offer, its reason and parts: ${cells}`);
    check(cells.includes(String(offers.data[0].score)), `the console shows the API's score ${offers.data[0].score}: ${cells}`);
    await admin.locator('#offers').scrollIntoViewIfNeeded();
    await shot(admin, 'member-offers');
    aw.clean();
  },
  PHONE,
);
