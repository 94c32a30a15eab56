// Leaderboards on a phone in WeChat and in the console: the brand's backend defines a board of
// livestreams attended ("votes", an event type no other journey sends) and eleven members attend; a member opens 排行榜 from the portal's home,
// finds the board with "未上榜", votes once, and reads their rank, the top 10 with everyone else
// masked, their neighbours and what reaching the top 10 takes (the gap the API gives). In the
// console a marketer defines a weekly board of the same votes in the 排行榜 page's form, is
// shown a refusal at its field, saves it, opens it and sees the live standings once a member
// votes.
import { journey, newContext, env, check, sees, doesNotSee, watch, signIn, nav, clickAndLoad, shot } from './lib.mjs';
import { PHONE, SHOTS, api, mint } from './portal_lib.mjs';

const PROGRAM = env('PROGRAM_ID');
const HOME = `/portal/${PROGRAM}/`;
const VOTE = 'livestream_attended';
const BOARD = { id: 'browser-votes', name: '人气投票榜' };
const ME = { id: 'lb-journey-me', name: '郑小北' };

/** Taps something that loads a new page, as a thumb does, and waits for the page. */
async function tap(page, locator) {
  check((await locator.count()) >= 1, `nothing to tap on ${page.url()}: ${locator}`);
  await Promise.all([page.waitForEvent('load'), locator.first().tap()]);
}

let seq = 0;
async function vote(member) {
  seq += 1;
  await api('POST', '/v1/events', {
    id: `lb-journey-vote-${seq}`,
    type: VOTE,
    member,
    occurred_at: new Date().toISOString(),
    attributes: {},
  });
}

/** Member `n` of the eleven who vote. */
const other = (n) => `lb-journey-${String(n).padStart(2, '0')}`;

await journey(
  'a member reads their rank and the gap to the top 10',
  async (page) => {
    await api('PUT', `/v1/leaderboards/${BOARD.id}`, {
      name: BOARD.name,
      metric: { kind: 'events', type: VOTE },
      period: { kind: 'all_time' },
    });
    await api('PUT', `/v1/members/${ME.id}`, { name: ME.name });
    // Member n votes 12 - n times: ranks 1 to 11, rank 10 with 2 votes, rank 11 with 1.
    for (let n = 1; n <= 11; n += 1) {
      await api('PUT', `/v1/members/${other(n)}`, { name: `投票者${n}` });
      for (let v = 0; v < 12 - n; v += 1) await vote(other(n));
    }
    const w = watch(page);
    const res = await page.goto(await mint(ME.id, 'zh-CN'));
    check(res && res.status() === 200, `the portal link answered ${res && res.status()}`);

    await tap(page, page.locator('#leaderboards-link'));
    check(new URL(page.url()).pathname === `${HOME}leaderboards`, `the list's address: ${page.url()}`);
    await sees(page, BOARD.name, `#board-${BOARD.id}`);
    await sees(page, '未上榜', `#board-${BOARD.id}`);

    // One vote: level with rank 11 but reached later, so 12th.
    await vote(ME.id);
    const mine = await api('GET', `/v1/leaderboards/${BOARD.id}/members/${ME.id}?target=10`);
    check(mine.rank === 12, `ranked 12th: ${JSON.stringify(mine)}`);
    await page.reload();
    await sees(page, '第 12 名 · 1 次', `#board-${BOARD.id}`);
    await tap(page, page.locator(`#board-${BOARD.id} a`));
    await sees(page, '第 12 名 · 1 次', '#mine');
    await sees(page, `再得 ${mine.target.gap} 次即可进入前 10`, '#gap');
    const top = page.locator('#top ol.ranks li');
    check((await top.count()) === 10, `the top 10: ${await top.count()}`);
    const around = page.locator('#around li');
    check((await around.count()) === 3, `two above, the member, none below: ${await around.count()}`);
    await sees(page, '我', '#around li.me');
    await sees(page, '***y-01', '#top');
    for (let n = 1; n <= 11; n += 1) {
      await doesNotSee(page, other(n));
      await doesNotSee(page, `投票者${n}`);
    }
    await shot(page, 'leaderboard', SHOTS);
    w.clean();
  },
  PHONE,
);

await journey('a leaderboard defined in the console', async (page, browser) => {
  const w = watch(page);
  await signIn(page, env('MARKETER_EMAIL'), env('MARKETER_PASSWORD'), '/console/rules');
  await nav(page, '排行榜');
  check((await page.locator('nav.side a.active').innerText()).trim() === '排行榜', 'the leaderboards page is the active one');
  const form = page.locator('#define form');
  await form.locator('[name=id]').fill('browser-votes-week');
  // A metric the API does not know: refused, and the page says where.
  await form.locator('[name=definition]').fill(JSON.stringify({ name: '本周人气榜', metric: { kind: 'likes' }, period: { kind: 'week' } }));
  await clickAndLoad(page, page.locator('#save-leaderboard'));
  await sees(page, 'metric', '#leaderboard-error');
  await form.locator('[name=definition]').fill(JSON.stringify({
    name: '本周人气榜',
    metric: { kind: 'events', type: VOTE },
    period: { kind: 'week' },
    contest: { prizes: [{ from: 1, to: 3, points: 50 }] },
  }));
  await clickAndLoad(page, page.locator('#save-leaderboard'));
  check((await page.locator('#leaderboard-error').count()) === 0, 'the leaderboard was saved');
  await sees(page, '本周人气榜', '#leaderboard-browser-votes-week');

  // A vote after the board is defined, and the board's page shows it live.
  await vote(other(3));
  await clickAndLoad(page, page.locator('#leaderboard-browser-votes-week a').first());
  await sees(page, '实时排名', '#standings-kind');
  await sees(page, other(3), '#standings-table');
  await shot(page, 'leaderboard');
  w.clean();
  // The member's portal shows the same board too.
  const phone = await (await newContext(browser, PHONE)).newPage();
  await phone.goto(await mint(ME.id, 'zh-CN'));
  await tap(phone, phone.locator('#leaderboards-link'));
  await sees(phone, '本周人气榜', '#board-browser-votes-week');
});
