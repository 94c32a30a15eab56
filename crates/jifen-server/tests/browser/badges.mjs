// Badges in the member portal, on phones in WeChat: a member opens the portal from the brand's
// app, finds "我的勋章" on the home page and an empty wall with the progress towards the first
// level; checks in, and the wall shows the badge; taps it and lands on its share page, whose
// Open Graph card and QR code name the page's own absolute address (the QR code is read off the
// screen) and which shows nothing of the member. A phone without any session opens the shared
// link and sees the same badge; its language switch shows it in English. In the console, a
// marketer defines a badge in the badges page's form, is shown a refusal at its field, saves it,
// and reads how many members earned each level.
import { journey, newContext, env, BASE, check, sees, doesNotSee, watch, signIn, nav, clickAndLoad } from './lib.mjs';
import { PHONE, api, newMember, mint, readQr } from './portal_lib.mjs';

const PROGRAM = env('PROGRAM_ID');
const HOME = `/portal/${PROGRAM}/`;

/** The badge the journey earns: one check-in reaches its first level. */
const BADGE = { id: 'browser-first-check-in', name: '初次签到', level: '铜' };

/** Taps something that loads a new page, as a thumb does, and waits for the page. */
async function tap(page, locator) {
  check((await locator.count()) >= 1, `nothing to tap on ${page.url()}: ${locator}`);
  await Promise.all([page.waitForEvent('load'), locator.first().tap()]);
}

await journey('a badge earned, on the wall and shared', async (page, browser) => {
  await api('PUT', `/v1/badges/${BADGE.id}`, {
    name: BADGE.name,
    description: 'Check in once',
    levels: [
      { name: BADGE.level, progress: 'member.counts.check_in', target: 1 },
      { name: '银', progress: 'member.counts.check_in', target: 30 },
    ],
  });
  const member = { id: 'badge-journey', name: '周小美' };
  await newMember(member.id, member.name, 10);
  const w = watch(page);
  const res = await page.goto(await mint(member.id, 'zh-CN'));
  check(res && res.status() === 200, `the portal link answered ${res && res.status()}`);

  // Home → 我的勋章: nothing earned yet, and how far the first level is.
  await tap(page, page.locator('#badges-link'));
  check(new URL(page.url()).pathname === `${HOME}badges`, `the wall's address: ${page.url()}`);
  await sees(page, '还没有勋章', '#no-badges');
  await sees(page, `${BADGE.name}·${BADGE.level}：0 / 1`, '#badge-progress');

  // A check-in from the brand's app; the wall shows the badge, and the next level's progress.
  await api('POST', '/v1/events', {
    id: 'badge-journey-check-in',
    type: 'check_in',
    member: member.id,
    occurred_at: new Date().toISOString(),
    attributes: {},
  });
  await page.reload();
  await sees(page, BADGE.name, '#badge-wall');
  await sees(page, `${BADGE.name}·银：1 / 30`, '#badge-progress');

  // The badge's share page: its card, its QR code, nothing of the member.
  await tap(page, page.locator('#badge-wall ul.badges a'));
  const shareUrl = page.url();
  check(new URL(shareUrl).pathname.startsWith(`${HOME}badges/`), `the share page's address: ${shareUrl}`);
  await sees(page, BADGE.name, '#badge-name');
  await sees(page, BADGE.level, '#badge-level');
  const og = async (p, prop) => p.locator(`meta[property="og:${prop}"]`).getAttribute('content');
  check((await og(page, 'url')) === shareUrl, `og:url is the page's absolute address: ${await og(page, 'url')}`);
  check((await og(page, 'title')).includes(BADGE.name), `og:title names the badge: ${await og(page, 'title')}`);
  check((await og(page, 'image')).startsWith('http'), `og:image is absolute: ${await og(page, 'image')}`);
  const scanned = await readQr(page.locator('#badge-qr svg'));
  check(scanned === shareUrl, `the QR code scans as the page's address, not ${scanned}`);
  await doesNotSee(page, member.name);
  await doesNotSee(page, member.id);
  w.clean();

  // Shared: a phone with no session opens the link, and reads it in English.
  const stranger = await (await newContext(browser, PHONE)).newPage();
  const res2 = await stranger.goto(shareUrl);
  check(res2 && res2.status() === 200, `the shared link answered ${res2 && res2.status()} without a session`);
  await sees(stranger, BADGE.name, '#badge-name');
  await tap(stranger, stranger.locator('header a.lang'));
  await sees(stranger, 'Earned on', '#badge-earned');
  await doesNotSee(stranger, member.name);
}, PHONE);

await journey('badges defined in the console', async (page) => {
  const w = watch(page);
  await signIn(page, env('MARKETER_EMAIL'), env('MARKETER_PASSWORD'), '/console/rules');
  await nav(page, '勋章');
  check((await page.locator('nav.side a.active').innerText()).trim() === '勋章', 'the badges page is the active one');
  const form = page.locator('#define form');
  await form.locator('[name=id]').fill('browser-reviewer');
  // A target without a progress: the API refuses, and the page says where.
  await form.locator('[name=definition]').fill(JSON.stringify({ name: '点评达人', levels: [{ name: '铜', target: 3 }] }));
  await clickAndLoad(page, page.locator('#save-badge'));
  await sees(page, 'levels[0].progress', '#badge-error');
  await form.locator('[name=definition]').fill(JSON.stringify({
    name: '点评达人',
    levels: [{ name: '铜', progress: 'member.counts.review', target: 1 }],
  }));
  await clickAndLoad(page, page.locator('#save-badge'));
  check((await page.locator('#badge-error').count()) === 0, 'the badge was saved');
  await sees(page, '点评达人', '#badge-browser-reviewer');
  const members = page.locator('[data-level-members="browser-reviewer-1"]');
  check((await members.innerText()).trim() === '0', 'no member holds the new badge yet');
  // A member's review earns it, and the page counts them.
  await api('PUT', '/v1/members/badge-reviewer', { name: '评论者' });
  await api('POST', '/v1/events', {
    id: 'badge-journey-review',
    type: 'review',
    member: 'badge-reviewer',
    occurred_at: new Date().toISOString(),
    attributes: {},
  });
  await nav(page, '勋章');
  check((await members.innerText()).trim() === '1', 'the member who reviewed is counted');
  w.clean();
});
