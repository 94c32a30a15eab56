// The member portal on a phone in WeChat, in Chinese and in English: a member opens the link
// the brand's app mints, sees their points, checks in (the streak and the points earned), redeems
// a milk tea voucher with the confirmation, finds it in the wallet and shows its QR code (decoded
// here from the screen: it must scan as the code printed under it), and reads the history. Then
// the same link on another phone shows the "link used" page and nothing of the member; a session
// left idle past its 30 minutes shows the "session ended" page; and another member's voucher is
// not found.
//
// Each journey is one function of one member, so another (the gift journey: one member sends a
// gift, a second browser context claims it from the link) joins as one more `journey(...)` at the
// end, with the helpers of portal_lib.mjs.
import { journey, newContext, env, BASE, check, sees, doesNotSee, text, watch, shot } from './lib.mjs';
import { PHONE, SHOTS, WORDS, REWARD, setUpProgram, newMember, mint, ageSession, readQr, figure } from './portal_lib.mjs';

const PROGRAM = env('PROGRAM_ID');
const HOME = `/portal/${PROGRAM}/`;

/** Taps something that loads a new page, as a thumb does, and waits for the page. */
async function tap(page, locator) {
  check((await locator.count()) >= 1, `nothing to tap on ${page.url()}: ${locator}`);
  await Promise.all([page.waitForEvent('load'), locator.first().tap()]);
}

/** Taps a tab of the bottom bar by its label. */
async function tab(page, label) {
  await tap(page, page.locator('nav.tabs a', { hasText: label }));
  await sees(page, label, 'nav.tabs a[aria-current=page]');
}

/**
 * Opens `link` on `page` and walks the portal as `member` in `lang`: home, check-in, a
 * redemption, the voucher's QR code, the history. Returns the voucher's code.
 */
async function walk(page, lang, member, link) {
  const W = WORDS[lang];
  const w = watch(page);
  const res = await page.goto(link);
  check(res && res.status() === 200, `the link answered ${res && res.status()}`);
  check(new URL(page.url()).pathname === HOME && !page.url().includes('token'), `the link lands on the clean home page, not ${page.url()}`);
  check((await page.locator('html').getAttribute('lang')) === lang, `the portal opens in the link's language, ${lang}`);

  // Home: the points, and today not checked in yet.
  await sees(page, W.available, '#points');
  const start = await figure(page, '#available');
  check(start === member.points, `home shows ${start} points, not the member's ${member.points}`);
  await sees(page, W.notCheckedIn, '#today');

  // Check in from home's button: the points earned, the streak, the next bonus, today marked.
  await tap(page, page.locator('#today a.button', { hasText: W.checkInNow }));
  check(new URL(page.url()).pathname === `${HOME}check-in`, `"${W.checkInNow}" opens the check-in page, not ${page.url()}`);
  await tap(page, page.locator('#check-in button', { hasText: W.checkInButton }));
  await sees(page, W.earned(1), '#result');
  await sees(page, W.checkedIn, '#done');
  await sees(page, W.streak(1), '#streak');
  await sees(page, W.bonus(6, 7), '#bonus');
  check((await page.locator('#calendar td.today.on').count()) === 1, 'the calendar marks today as checked in');
  await shot(page, 'check_in', SHOTS);

  // Home again: one point more, checked in, the streak.
  await tab(page, W.tabs.home);
  check((await figure(page, '#available')) === start + 1, `home shows ${await text(page, '#available')} points after checking in, not ${start + 1}`);
  await sees(page, W.checkedIn, '#today');
  await sees(page, W.streak(1), '#today');
  await shot(page, 'home', SHOTS);

  // Rewards: the voucher can be redeemed now; its page says what is left after it; confirm.
  await tab(page, W.tabs.rewards);
  const item = page.locator(`#now [id="reward-${REWARD.id}"]`);
  check((await item.count()) === 1, `the milk tea voucher is not among what can be redeemed now:\n${await text(page, 'main')}`);
  await sees(page, W.reward, `#now [id="reward-${REWARD.id}"]`);
  await shot(page, 'rewards', SHOTS);
  await tap(page, item.locator('a'));
  const left = start + 1 - REWARD.cost;
  await sees(page, W.after(left), '#after');
  await tap(page, page.locator('#reward button[type=submit]', { hasText: W.confirm }));
  await sees(page, W.redeemed(W.reward), '#result');
  const code = (await text(page, '#vouchers code')).trim();
  check(code.length > 0, 'the redemption shows the voucher code');
  await shot(page, 'redeemed', SHOTS);

  // The wallet has it, usable; its page shows the code and a QR code that scans as it.
  await tap(page, page.locator('#to-wallet', { hasText: W.toWallet }));
  const card = page.locator(`[id="voucher-${code}"]`);
  check((await card.count()) === 1, `the wallet does not list voucher ${code}:\n${await text(page, 'main')}`);
  await sees(page, W.usable, `[id="voucher-${code}"]`);
  await shot(page, 'wallet', SHOTS);
  await tap(page, card.locator('a'));
  check((await text(page, '#code')).trim() === code, `the voucher page shows ${await text(page, '#code')}, not ${code}`);
  const scanned = await readQr(page.locator('#qr svg'));
  check(scanned === code, `the QR code scans as ${JSON.stringify(scanned)}, not the voucher's code ${code}`);
  check((await page.locator('#barcode svg').count()) === 1, 'the voucher page has a barcode too');
  await shot(page, 'voucher', SHOTS);

  // The history tells it in words: the redemption, the check-in's point, the welcome points.
  await tab(page, W.tabs.history);
  await sees(page, W.redeemedEntry(W.reward, REWARD.cost), 'main');
  await sees(page, W.earnedEntry(1), 'main');
  await sees(page, W.adjusted(member.points), 'main');
  await shot(page, 'history', SHOTS);

  await tab(page, W.tabs.home);
  check((await figure(page, '#available')) === left, `home shows ${await text(page, '#available')} points after the redemption, not ${left}`);
  w.clean();
  return code;
}

/** The same link on another phone: the "link used" page, in the link's language, and no member. */
async function linkUsedElsewhere(browser, lang, member, link) {
  const W = WORDS[lang];
  const other = await newContext(browser, PHONE);
  try {
    const page = await other.newPage();
    const res = await page.goto(link);
    check(res && res.status() === 410, `a used link answered ${res && res.status()}, not 410`);
    await sees(page, W.linkTitle, 'h1');
    await sees(page, W.linkSpent, 'main');
    await sees(page, W.reopen, '#reopen');
    await doesNotSee(page, member.name);
    await doesNotSee(page, W.available);
    check((await page.locator('nav.tabs, #available').count()) === 0, 'the used link page shows no tabs and no points');
    await shot(page, 'link_used', SHOTS);
    check(!(await other.cookies()).some((c) => c.name === 'jifen_portal'), 'a used link opens no session');
    const home = await page.goto(BASE + HOME);
    check(home && home.status() === 401, `home without a session answered ${home && home.status()}, not 401`);
  } finally {
    await other.close();
  }
}

/** A session idle past 30 minutes: the "session ended" page on the next tap, no member data. */
async function sessionEnds(page, lang, member) {
  const W = WORDS[lang];
  await ageSession(page.context());
  const res = await page.reload();
  check(res && res.status() === 401, `an expired session answered ${res && res.status()}, not 401`);
  await sees(page, W.sessionTitle, 'h1');
  await sees(page, W.reopen, '#reopen');
  await doesNotSee(page, W.available);
  check((await page.locator('nav.tabs, #available').count()) === 0, 'the expired session page shows no tabs and no points');
  const checkIn = await page.goto(BASE + HOME + 'check-in');
  check(checkIn && checkIn.status() === 401, `the check-in page of an expired session answered ${checkIn && checkIn.status()}`);
  await shot(page, 'session_ended', SHOTS);
}

await setUpProgram();
const zh = { id: 'm-2001', name: '陈晨', points: 500 };
const en = { id: 'm-2002', name: 'Alex Morgan', points: 300 };
await newMember(zh.id, zh.name, zh.points);
await newMember(en.id, en.name, en.points);
let zhCode = '';

await journey('portal in Chinese', async (page, browser) => {
  const link = await mint(zh.id, 'zh-CN');
  zhCode = await walk(page, 'zh-CN', zh, link);
  // The header's switch: English, and back.
  await tap(page, page.locator('header a.lang', { hasText: WORDS['zh-CN'].switchTo }));
  await sees(page, WORDS.en.available, '#points');
  await tap(page, page.locator('header a.lang', { hasText: WORDS.en.switchTo }));
  await sees(page, WORDS['zh-CN'].available, '#points');
  await linkUsedElsewhere(browser, 'zh-CN', zh, link);
  await sessionEnds(page, 'zh-CN', zh);
}, PHONE);

await journey('portal in English', async (page, browser) => {
  const link = await mint(en.id, 'en');
  await walk(page, 'en', en, link);
  // Another member's voucher, by its code: not found, nothing of it shown.
  check(zhCode !== '', 'the Chinese journey redeemed a voucher first');
  const res = await page.goto(`${BASE}${HOME}wallet/${encodeURIComponent(zhCode)}`);
  check(res && res.status() === 404, `another member's voucher answered ${res && res.status()}, not 404`);
  await sees(page, WORDS.en.notFound, 'main');
  await doesNotSee(page, zhCode);
  check((await page.locator('#qr, #code').count()) === 0, "another member's voucher shows no code");
  await linkUsedElsewhere(browser, 'en', en, link);
  await sessionEnds(page, 'en', en);
}, PHONE);
