// Referrals on a phone in WeChat and in the console: the brand's backend saves the "bring two
// friends" program; a member opens 邀请有礼 from the portal's home, reads the code, and the QR code
// on the screen scans to the link; the link opens the friend's landing page without a session,
// with the code to join with; a friend joins with it and buys; the member's page then counts the
// friend as rewarded. The owner finds the program's figures in the console's 邀请有礼 page.
import { journey, newContext, env, BASE, check, sees, watch, signIn, nav, text } from './lib.mjs';
import { PHONE, api, mint, readQr } from './portal_lib.mjs';

const PROGRAM = env('PROGRAM_ID');

/** Taps something that loads a new page, as a thumb does, and waits for the page. */
async function tap(page, locator) {
  check((await locator.count()) >= 1, `nothing to tap on ${page.url()}: ${locator}`);
  await Promise.all([page.waitForEvent('load'), locator.first().tap()]);
}

await journey(
  'referrals',
  async (page, browser) => {
    const w = watch(page);
    await api('PUT', '/v1/referral-program', {
      enabled: true,
      friend_reward: { points: 100 },
      referrer_reward: { points: 500 },
      min_purchase: 10000,
      within_days: 30,
      milestones: [{ friends: 2, factor: 2, days: 30 }],
      caps: { per_day: 5, total: 50 },
    });
    await api('PUT', '/v1/members/journey-ref-a', { name: '周婷' });

    // The member's page: code, link, QR code and share card.
    await page.goto(await mint('journey-ref-a'));
    await tap(page, page.locator('#referral-link'));
    await sees(page, '邀请好友', 'h2');
    await sees(page, '好友注册得 100 积分', '#offer');
    const code = (await page.locator('#code').innerText()).trim();
    check(/^[2-9A-HJ-NP-Z]{8}$/.test(code), `a code of 8 unambiguous characters: ${code}`);
    const link = await page.locator('input#referral-link').inputValue();
    check(link === `${BASE}/portal/${PROGRAM}/join/${code}`, `the link: ${link}`);
    const scanned = await readQr(page.locator('#qr svg'));
    check(scanned === link, `the QR code scans to the link, not ${scanned}`);
    await sees(page, '送你一份见面礼', '#share-card');
    await sees(page, '还没有好友通过您的邀请加入', '#friends');

    // The friend opens the link on another phone, without a session.
    const friend = await (await newContext(browser, PHONE)).newPage();
    await friend.goto(link);
    await sees(friend, code, '#join-code');
    await sees(friend, '注册会员即得 100 积分', '#join-offer');
    const title = await friend.locator('meta[property="og:title"]').getAttribute('content');
    check(title === '送你一份见面礼', `the share card's title: ${title}`);

    // The friend joins with the code (through the brand's backend) and buys for ¥128.
    const joined = await api('PUT', '/v1/members/journey-ref-b', { name: '吴昊', referral_code: code });
    check(joined.referral.status === 'pending', `attributed: ${JSON.stringify(joined.referral)}`);
    await api('POST', '/v1/events', {
      id: 'journey-ref-order', type: 'purchase', member: 'journey-ref-b',
      occurred_at: new Date().toISOString(), attributes: { order_id: 'journey-ref-o1', amount: 12800 },
    });
    await page.reload();
    await sees(page, '已获奖励', '#friends');
    w.clean();

    // The owner's console page shows the figures.
    const admin = await (await newContext(browser)).newPage();
    await signIn(admin, env('OWNER_EMAIL'), env('OWNER_PASSWORD'), '/console');
    await nav(admin, '邀请有礼');
    await sees(admin, '邀请有礼', 'h1');
    const rewarded = await admin.locator('td[data-status="rewarded"]').innerText();
    check(Number(rewarded) >= 1, `rewarded referrals: ${rewarded}\n${(await text(admin, 'main')).slice(0, 800)}`);
  },
  PHONE,
);
