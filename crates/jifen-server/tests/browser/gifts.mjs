// A voucher given from the member portal, on phones in WeChat: member A opens a voucher from the
// wallet, taps "送给好友", writes a message and the name the friend sees, and gets the link with its
// share card. Member B opens the link on another phone (their own portal session), reads A's name
// and message, claims it and finds it in their wallet; A's wallet lists it under what was given.
// A phone without any session then sees the gift already claimed. With guest enrolment off, such
// a phone is asked to open the portal from the brand's app first; once the brand turns it on, the
// same phone claims another gift as a guest and lands in a wallet of its own. A gift taken back
// shows so on its link. Last, a member gives a voucher in English, and the friend reads the claim
// page in English through its language switch.
import { journey, newContext, env, BASE, check, sees, doesNotSee, text, watch, shot } from './lib.mjs';
import { PHONE, SHOTS, api, newMember, mint } from './portal_lib.mjs';

const PROGRAM = env('PROGRAM_ID');
const HOME = `/portal/${PROGRAM}/`;

/** The voucher template the journey's members give: giftable, as the brand sets it. */
const TEMPLATE = { id: 'gift-latte', title: { 'zh-CN': '拿铁券', en: 'Latte voucher' } };

/** The gift pages' words the journey reads (portal/i18n.rs). */
const WORDS = {
  'zh-CN': {
    sendAsGift: '送给好友',
    send: '生成赠送链接',
    sent: '赠送链接已生成，发给好友即可。',
    shareTitle: (from) => `${from}送你一张${TEMPLATE.title['zh-CN']}`,
    fromLabel: (from) => `来自：${from}`,
    open: '这份礼物等您领取。',
    claim: '领取',
    yours: '已领取，卡券已放入您的卡包。',
    claimed: '这份礼物已被领取。',
    appFirst: '请先从品牌 App 或小程序打开会员中心，再打开此链接领取。',
    takenBack: '已收回，卡券仍在您的卡包中。',
    takenBackPage: '赠送者已收回这份礼物。',
    given: '送给好友的卡券',
    waiting: '已赠送，等待好友领取',
    switchTo: 'English',
  },
  en: {
    sendAsGift: 'Send as a gift',
    send: 'Make the gift link',
    sent: 'Your gift link is ready: send it to your friend.',
    shareTitle: (from) => `${from} sent you a ${TEMPLATE.title.en}`,
    fromLabel: (from) => `From: ${from}`,
    open: 'This gift is waiting for you.',
    claim: 'Claim',
    yours: 'Claimed: the voucher is in your wallet.',
    switchTo: '中文',
  },
};

/** Taps something that loads a new page, as a thumb does, and waits for the page. */
async function tap(page, locator) {
  check((await locator.count()) >= 1, `nothing to tap on ${page.url()}: ${locator}`);
  await Promise.all([page.waitForEvent('load'), locator.first().tap()]);
}

/** A voucher of the template issued to `member` by the brand's backend; its code. */
async function issue(member, id) {
  const v = await api('POST', `/v1/members/${member}/vouchers`, { id, template: TEMPLATE.id });
  check(v.state === 'usable' && v.owner === member, `the voucher issued to ${member}: ${JSON.stringify(v)}`);
  return v.code;
}

/** A member's portal on a phone of their own, opened from a link the brand's app minted. */
async function phoneOf(browser, member, lang) {
  const context = await newContext(browser, PHONE);
  const page = await context.newPage();
  const res = await page.goto(await mint(member.id, lang));
  check(res && res.status() === 200, `${member.name}'s portal link answered ${res && res.status()}`);
  return page;
}

/** A phone that has never opened the portal: no session, as a friend who only has the link. */
async function strangerPhone(browser) {
  return (await newContext(browser, PHONE)).newPage();
}

/**
 * From the voucher's wallet page (opened first unless the page is on it), "送给好友", the form
 * filled in and sent. Returns the link read from the link page, after checking its share card.
 * `shots` takes the send form's and the link page's screenshots.
 */
async function give(page, lang, code, message, from, shots = false) {
  const W = WORDS[lang];
  const voucher = `${HOME}wallet/${code}`;
  if (new URL(page.url()).pathname !== voucher) await page.goto(BASE + voucher);
  await tap(page, page.locator('#send-gift-link', { hasText: W.sendAsGift }));
  check(new URL(page.url()).pathname === `${HOME}wallet/${code}/gift`, `"${W.sendAsGift}" opens the send form, not ${page.url()}`);
  await page.locator('#gift-message').fill(message);
  await page.locator('#gift-from').fill(from);
  if (shots) {
    await page.locator('#gift-from').blur();
    await shot(page, 'gift_send', SHOTS);
  }
  await tap(page, page.locator('#send-gift', { hasText: W.send }));
  await sees(page, W.sent, '#result');
  await sees(page, W.shareTitle(from), '#share-title');
  await sees(page, message, '#share-description');
  const link = await page.locator('#gift-link').inputValue();
  check(link.startsWith(`${BASE}${HOME}gifts/`), `the gift link points at the claim page of this server: ${link}`);
  check(!link.includes(encodeURIComponent(from)) && !link.includes(code), `the link names neither the sender nor the voucher: ${link}`);
  check((await page.locator('#copy-link').count()) === 1, 'the link page has a copy button');
  if (shots) await shot(page, 'gift_link', SHOTS);
  return link;
}

/** Opens a gift link and checks the page is in `state` (the section's id). */
async function openGift(page, link, state, status = 200) {
  const res = await page.goto(link);
  check(res && res.status() === status, `the gift link answered ${res && res.status()}, not ${status}`);
  check((await page.locator(`section#${state}`).count()) === 1, `the gift page is not #${state}:\n${await text(page, 'main')}`);
}

/** Taps "领取" on a gift page and lands on the page of the gift claimed, then in the wallet. */
async function claimAndFind(page, lang, code) {
  const W = WORDS[lang];
  await tap(page, page.locator('#claim-gift', { hasText: W.claim }));
  check((await page.locator('section#gift-yours').count()) === 1, `the claimed gift's page is not #gift-yours:\n${await text(page, 'main')}`);
  await sees(page, W.yours, '#gift-state');
  await tap(page, page.locator('#open-wallet'));
  check((await text(page, '#code')).trim() === code, `"open the voucher" shows ${await text(page, '#code')}, not ${code}`);
  await page.goto(`${BASE}${HOME}wallet`);
  check((await page.locator(`#usable [id="voucher-${code}"]`).count()) === 1, `the wallet does not list voucher ${code}:\n${await text(page, 'main')}`);
}

const a = { id: 'm-3001', name: '林晓', points: 0 };
const b = { id: 'm-3002', name: '王明', points: 0 };
const e = { id: 'm-3003', name: 'Jamie Lee', points: 0 };

await api('PUT', `/v1/voucher-templates/${TEMPLATE.id}`, {
  title: TEMPLATE.title,
  discount: { kind: 'amount', off: 2000 },
  giftable: true,
});
for (const m of [a, b, e]) await newMember(m.id, m.name, 10);
// Guest enrolment is the brand's choice; the journey starts with it off and turns it on later.
await api('PATCH', '/v1/program', { portal: { guests_may_enrol: false } });

await journey('a gift sent and claimed', async (pageA, browser) => {
  const wA = watch(pageA);
  const message = '生日快乐！请你喝杯拿铁';
  const from = '小林';
  const first = await issue(a.id, 'gift-journey-a-1');
  let res = await pageA.goto(await mint(a.id, 'zh-CN'));
  check(res && res.status() === 200, `A's portal link answered ${res && res.status()}`);

  // A: the voucher from the wallet, "送给好友", the form, the link and its share card.
  await pageA.goto(`${BASE}${HOME}wallet`);
  await tap(pageA, pageA.locator(`[id="voucher-${first}"] a`));
  const link = await give(pageA, 'zh-CN', first, message, from, true);
  await pageA.goto(`${BASE}${HOME}wallet/${first}`);
  await sees(pageA, WORDS['zh-CN'].waiting, '#gift-waiting');
  // A's own link: nothing to claim.
  await openGift(pageA, link, 'gift-own');
  check((await pageA.locator('#claim-gift').count()) === 0, "the sender's own gift has no claim button");

  // B, on another phone with their own session: A's name and message, "领取", the wallet.
  const pageB = await phoneOf(browser, b, 'zh-CN');
  const wB = watch(pageB);
  await openGift(pageB, link, 'gift-open');
  await sees(pageB, WORDS['zh-CN'].fromLabel(from), '#gift-from');
  await sees(pageB, message, '#gift-message');
  await sees(pageB, TEMPLATE.title['zh-CN'], '#gift-title');
  await sees(pageB, WORDS['zh-CN'].open, '#gift-state');
  await sees(pageB, b.name, '#claim-as');
  check(
    (await pageB.locator('meta[property="og:title"]').getAttribute('content')) === WORDS['zh-CN'].shareTitle(from),
    'the claim page carries the share card in its Open Graph tags',
  );
  await shot(pageB, 'gift_claim', SHOTS);
  await claimAndFind(pageB, 'zh-CN', first);
  wB.clean();

  // A's wallet: the voucher left the list and is under what was given; its page is A's no more.
  await pageA.goto(`${BASE}${HOME}wallet`);
  await sees(pageA, WORDS['zh-CN'].given, '#given');
  check((await pageA.locator(`#given [id="given-${first}"]`).count()) === 1, `A's wallet does not list ${first} as given:\n${await text(pageA, 'main')}`);
  check((await pageA.locator(`#usable [id="voucher-${first}"]`).count()) === 0, 'the given voucher is no longer among A\'s usable ones');
  wA.expected(404);
  res = await pageA.goto(`${BASE}${HOME}wallet/${first}`);
  check(res && res.status() === 404, `the given voucher's page answered ${res && res.status()} to its sender, not 404`);

  // C, a phone without any session: already claimed, and nothing of who claimed it.
  const pageC = await strangerPhone(browser);
  await openGift(pageC, link, 'gift-claimed');
  await sees(pageC, WORDS['zh-CN'].claimed, '#gift-state');
  await doesNotSee(pageC, b.name);
  check((await pageC.locator('#claim-gift, #open-wallet').count()) === 0, 'a claimed gift has no claim button and no wallet link');
  res = await pageC.request.post(link, { form: { csrf: 'x' }, failOnStatusCode: false });
  check(res.status() === 403, `a claim without the page's token answered ${res.status()}, not 403`);

  // Guests may not enrol: C is asked to open the portal from the app first, with no button.
  const second = await issue(a.id, 'gift-journey-a-2');
  const guestLink = await give(pageA, 'zh-CN', second, '送你一杯', from);
  await openGift(pageC, guestLink, 'gift-app-first');
  await sees(pageC, WORDS['zh-CN'].appFirst, '#gift-state');
  check((await pageC.locator('#claim-gift').count()) === 0, 'without guest enrolment a visitor with no session has no claim button');

  // The brand lets guests enrol: C gives a name, claims, and is a member with the voucher.
  await api('PATCH', '/v1/program', { portal: { guests_may_enrol: true } });
  await openGift(pageC, guestLink, 'gift-open');
  await pageC.locator('#guest-name').fill('小周');
  await claimAndFind(pageC, 'zh-CN', second);
  check((await pageC.context().cookies()).some((c) => c.name === 'jifen_portal'), 'the guest is signed in to the portal');
  const newest = (await api('GET', '/v1/members?limit=20')).data;
  check(
    newest.some((m) => /^guest-[0-9a-f]{24}$/.test(m.external_id) && m.name === '小周'),
    `the guest is a member with a guest- id and the name given: ${JSON.stringify(newest).slice(0, 800)}`,
  );

  // A gives a third voucher and takes it back: the link says so, to anyone.
  const third = await issue(a.id, 'gift-journey-a-3');
  const takenLink = await give(pageA, 'zh-CN', third, '下次再送', from);
  await tap(pageA, pageA.locator('#take-back'));
  await sees(pageA, WORDS['zh-CN'].takenBack, 'main');
  check((await text(pageA, '#code')).trim() === third, 'taking back stays on the voucher, which is A\'s again');
  check((await pageA.locator('#send-gift-link').count()) === 1, 'a voucher taken back can be given again');
  await openGift(pageC, takenLink, 'gift-taken-back');
  await sees(pageC, WORDS['zh-CN'].takenBackPage, '#gift-state');
  check((await pageC.locator('#claim-gift').count()) === 0, 'a gift taken back has no claim button');
  wA.clean();
}, PHONE);

await journey('a gift in English', async (pageE, browser) => {
  const wE = watch(pageE);
  const code = await issue(e.id, 'gift-journey-e-1');
  const res = await pageE.goto(await mint(e.id, 'en'));
  check(res && res.status() === 200, `the English portal link answered ${res && res.status()}`);
  const link = await give(pageE, 'en', code, 'Coffee is on me!', 'Jamie', true);
  wE.clean();

  // B opens it, reads the page in Chinese, switches to English, and claims it there.
  const pageB = await phoneOf(browser, b, 'zh-CN');
  await openGift(pageB, link, 'gift-open');
  await tap(pageB, pageB.locator('header a.lang', { hasText: WORDS['zh-CN'].switchTo }));
  check((await pageB.locator('html').getAttribute('lang')) === 'en', 'the switch shows the claim page in English');
  await sees(pageB, WORDS.en.fromLabel('Jamie'), '#gift-from');
  await sees(pageB, TEMPLATE.title.en, '#gift-title');
  await sees(pageB, WORDS.en.open, '#gift-state');
  await shot(pageB, 'gift_claim', SHOTS);
  await claimAndFind(pageB, 'en', code);
}, PHONE);
