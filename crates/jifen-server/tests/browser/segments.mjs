// Segments in the console: a marketer opens 人群, types a condition and watches the count of
// members it admits follow the typing (the API's own preview, its errors with line and column),
// saves the segment, opens its members and downloads them as CSV; a purchase moves a member in
// and the list counts them.
import { journey, env, check, sees, watch, signIn, nav, clickAndLoad, shot } from './lib.mjs';
import { api } from './portal_lib.mjs';

await journey('a segment defined with a live count, its members listed and exported', async (page) => {
  const w = watch(page);
  await signIn(page, env('MARKETER_EMAIL'), env('MARKETER_PASSWORD'), '/console/rules');
  await nav(page, '人群');
  check((await page.locator('nav.side a.active').innerText()).trim() === '人群', 'the segments page is the active one');
  const form = page.locator('#define form');
  const condition = form.locator('[name=condition]');
  // A condition that does not compile: the count's place says where.
  await condition.fill('monetary_365d >');
  await sees(page, 'line 1', '#segment-preview');
  // The demo's members spent ¥358, ¥558 and ¥758: two spent ¥500 or more.
  await condition.fill('monetary_365d >= 50000');
  await sees(page, '2', '#segment-count');
  await condition.fill('monetary_365d >= 70000');
  await sees(page, '1', '#segment-count');
  await form.locator('[name=slug]').fill('browser-big-spenders');
  await form.locator('[name=name]').fill('大客户');
  await shot(page, 'segments');
  await clickAndLoad(page, page.locator('#save-segment'));
  check((await page.locator('#segment-error').count()) === 0, 'the segment was saved');
  await sees(page, '大客户', '#segment-browser-big-spenders');

  // The refresh the definition started puts m-1003 in; the members page lists them.
  let size = '';
  for (let i = 0; i < 50 && size !== '1'; i++) {
    await page.goto(new URL('/console/segments/browser-big-spenders', page.url()).href);
    size = (await page.locator('#segment-size').innerText()).trim();
    if (size !== '1') await new Promise((r) => setTimeout(r, 200));
  }
  check(size === '1', `the segment has one member, not ${size}`);
  await sees(page, 'm-1003', '#members');

  // A purchase of ¥200 by m-1002 (¥558 before) moves them in at once.
  await api('POST', '/v1/events', {
    id: 'segment-journey-purchase',
    type: 'purchase',
    member: 'm-1002',
    occurred_at: new Date().toISOString(),
    attributes: { order_id: 'segment-journey-order', amount: 20000 },
  });
  await page.reload();
  await sees(page, 'm-1002', '#members');
  check((await page.locator('#segment-size').innerText()).trim() === '2', 'the purchase moved m-1002 in');

  // The export: the link's CSV, read with the page's own session.
  const href = await page.locator('#segment-export').getAttribute('href');
  const res = await page.request.get(new URL(href, page.url()).href);
  check(res.status() === 200, `the export answered ${res.status()}`);
  check((res.headers()['content-type'] || '').startsWith('text/csv'), `the export's type: ${res.headers()['content-type']}`);
  const text = await res.text();
  check(text.startsWith('external_id,since\n'), `the CSV's header: ${text}`);
  check(text.includes('m-1002,') && text.includes('m-1003,'), `the CSV lists both: ${text}`);
  w.clean();
});
