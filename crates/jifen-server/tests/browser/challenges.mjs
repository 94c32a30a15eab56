// Challenges on a phone in WeChat and in the console: the brand's backend defines an opt-in
// "share three times this month" challenge with a step; a member opens 挑战 from the portal's
// home, finds it not joined, joins it with the button, shares (through the brand's backend),
// and reads the step reached, then the challenge completed with a full progress bar. In the
// console a marketer defines a second challenge in the 挑战 page's form, is shown a refusal at
// its field first, saves it, and reads the preview of who would have completed it.
import { journey, env, check, sees, watch, signIn, nav, clickAndLoad, shot } from './lib.mjs';
import { PHONE, SHOTS, api, mint } from './portal_lib.mjs';

const PROGRAM = env('PROGRAM_ID');
const HOME = `/portal/${PROGRAM}/`;
const CHALLENGE = { id: 'browser-shares', name: '本月分享3次' };
const ME = { id: 'ch-journey-me', name: '钱小满' };

/** Taps something that loads a new page, as a thumb does, and waits for the page. */
async function tap(page, locator) {
  check((await locator.count()) >= 1, `nothing to tap on ${page.url()}: ${locator}`);
  await Promise.all([page.waitForEvent('load'), locator.first().tap()]);
}

let seq = 0;
async function share(member) {
  seq += 1;
  await api('POST', '/v1/events', {
    id: `ch-journey-share-${seq}`,
    type: 'share',
    member,
    occurred_at: new Date().toISOString(),
    attributes: {},
  });
}

/** The card's progress bar value, 0–100. */
async function percent(page) {
  const bar = page.locator(`#challenge-${CHALLENGE.id} [role=progressbar]`);
  return Number(await bar.getAttribute('aria-valuenow'));
}

await journey(
  'a member joins a challenge and completes it',
  async (page) => {
    await api('PUT', `/v1/challenges/${CHALLENGE.id}`, {
      name: CHALLENGE.name,
      description: '分享给好友，完成挑战得 30 积分',
      period: { kind: 'month' },
      enrollment: 'opt_in',
      goal: { measure: 'count', types: ['share'], target: 3 },
      steps: [{ target: 1, name: '第一次分享', reward: { points: 5 } }],
      reward: { points: 30 },
    });
    await api('PUT', `/v1/members/${ME.id}`, { name: ME.name });
    const w = watch(page);
    const res = await page.goto(await mint(ME.id, 'zh-CN'));
    check(res && res.status() === 200, `the portal link answered ${res && res.status()}`);

    await tap(page, page.locator('#challenges-link'));
    check(new URL(page.url()).pathname === `${HOME}challenges`, `the page's address: ${page.url()}`);
    const card = `#challenge-${CHALLENGE.id}`;
    await sees(page, CHALLENGE.name, card);
    await sees(page, '未参加', `${card} .challenge-status`);

    // A share before joining does not count for an opt-in challenge.
    await share(ME.id);
    await tap(page, page.locator(`${card} button.join`));
    await sees(page, '已参加挑战', '#challenge-result');
    await sees(page, '进行中', `${card} .challenge-status`);
    await sees(page, '0 / 3', card);
    check((await percent(page)) === 0, `nothing counted yet: ${await percent(page)}`);

    await share(ME.id);
    // The page after the join is the answer to its form: open the challenges again.
    const again = new URL(`${HOME}challenges`, page.url()).toString();
    await page.goto(again);
    await sees(page, '1 / 3', card);
    await sees(page, '✓ 阶段 第一次分享', card);
    await share(ME.id);
    await share(ME.id);
    await page.goto(again);
    await sees(page, '已完成', `${card} .challenge-status`);
    check((await percent(page)) === 100, `a full bar: ${await percent(page)}`);
    // What the page shows is what the API keeps: the step's and the completion's points.
    const mine = await api('GET', `/v1/members/${ME.id}/challenges`);
    const c = mine.data.find((x) => x.challenge === CHALLENGE.id);
    check(c && c.status === 'completed', `completed through the API: ${JSON.stringify(mine)}`);
    await shot(page, 'challenges', SHOTS);
    w.clean();
  },
  PHONE,
);

await journey('a challenge defined in the console, with its preview', async (page) => {
  const w = watch(page);
  await signIn(page, env('MARKETER_EMAIL'), env('MARKETER_PASSWORD'), '/console/rules');
  await nav(page, '挑战');
  check((await page.locator('nav.side a.active').innerText()).trim() === '挑战', 'the challenges page is the active one');
  const form = page.locator('#define form');
  await form.locator('[name=id]').fill('browser-sharers');
  // A measure the API does not know: refused, and the page says where.
  await form.locator('[name=definition]').fill(JSON.stringify({
    name: '分享达人', period: { kind: 'month' }, goal: { measure: 'likes', target: 2 },
  }));
  await clickAndLoad(page, page.locator('#save-challenge'));
  await sees(page, 'goal', '#challenge-error');
  await form.locator('[name=definition]').fill(JSON.stringify({
    name: '分享达人',
    period: { kind: 'month' },
    goal: { measure: 'count', types: ['share'], target: 2 },
    reward: { points: 20 },
  }));
  await clickAndLoad(page, page.locator('#save-challenge'));
  check((await page.locator('#challenge-error').count()) === 0, 'the challenge was saved');
  await sees(page, '分享达人', '#challenge-browser-sharers');
  // Who would have completed it over the events stored: the member of the first journey
  // shared four times this month.
  await page.goto(new URL(`/console/challenges?preview=browser-sharers`, page.url()).toString());
  await sees(page, 'browser-sharers', '#preview');
  const completed = Number((await page.locator('#preview-completed').innerText()).trim());
  check(completed >= 1, `the preview counts the member who shared: ${completed}`);
  await shot(page, 'challenges');
  w.clean();
});
