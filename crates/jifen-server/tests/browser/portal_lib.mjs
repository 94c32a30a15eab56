// What the member portal's journeys share: a phone in WeChat, the brand's backend (the API with
// the demo's key: members, the check-in rules, a reward, one-time links), the portal's words in
// both languages, and reading a QR code off the screen.

import { BASE, env, check, pinned } from './lib.mjs';

const jsQR = pinned('jsqr');

/**
 * A phone in WeChat: 390 x 844 CSS pixels at twice the density, touch, and the user agent of
 * WeChat's built-in browser on Android (Chromium-based, as the Chromium driving it).
 */
export const PHONE = {
  viewport: { width: 390, height: 844 },
  deviceScaleFactor: 2,
  isMobile: true,
  hasTouch: true,
  userAgent:
    'Mozilla/5.0 (Linux; Android 14; Pixel 8 Build/AP2A.240805.005; wv) AppleWebKit/537.36 ' +
    '(KHTML, like Gecko) Version/4.0 Chrome/126.0.6478.188 Mobile Safari/537.36 XWEB/1260117 ' +
    'MMWEBSDK/20240501 MMWEBID/2247 MicroMessenger/8.0.50.2701(0x28003234) WeChat/arm64 Weixin ' +
    'NetType/WIFI Language/zh_CN ABI/arm64',
};

/** Where the portal's screenshots go with UPDATE_SCREENSHOTS=1. */
export const SHOTS = 'docs/portal';

/** The portal's words the journeys read, as a member sees them (portal/i18n.rs). */
/** "point" or "points", as the portal's English says a count of them. */
const points = (n) => (Math.abs(Number(n)) === 1 ? 'point' : 'points');

export const WORDS = {
  'zh-CN': {
    switchTo: 'English',
    available: '可用积分',
    notCheckedIn: '今天还没有签到',
    checkInNow: '去签到',
    checkInButton: '签到',
    earned: (n) => `签到成功，获得 ${n} 积分`,
    streak: (n) => `已连续签到 ${n} 天`,
    checkedIn: '今日已签到',
    bonus: (n, p) => `再签到 ${n} 天得 ${p} 积分`,
    tabs: { home: '首页', checkIn: '签到', rewards: '积分商城', wallet: '卡包', history: '明细' },
    confirm: '确认兑换',
    after: (n) => `兑换后剩余 ${n} 积分`,
    redeemed: (t) => `已兑换 ${t}`,
    toWallet: '查看卡包',
    usable: '可使用',
    reward: '门店奶茶券',
    adjusted: (n) => `积分调整 +${n}`,
    earnedEntry: (n) => `获得 ${n} 积分`,
    redeemedEntry: (t, n) => `兑换 ${t} -${n} 积分`,
    linkTitle: '链接已失效',
    linkSpent: '此链接已使用或已过期',
    sessionTitle: '登录已过期',
    reopen: '请回到品牌的 App 或小程序，重新打开会员中心。',
    notFound: '页面不存在。',
  },
  en: {
    switchTo: '中文',
    available: 'Points available',
    notCheckedIn: 'You have not checked in today',
    checkInNow: 'Check in',
    checkInButton: 'Check in',
    earned: (n) => `Checked in: you earned ${n} ${points(n)}`,
    streak: (n) => `${n}-day streak`,
    checkedIn: 'Checked in today',
    bonus: (n, p) => `Check in ${n} more ${n === 1 ? 'day' : 'days'} to get ${p} ${points(p)}`,
    tabs: { home: 'Home', checkIn: 'Check in', rewards: 'Rewards', wallet: 'Wallet', history: 'History' },
    confirm: 'Confirm',
    after: (n) => `${n} ${points(n)} left after this`,
    redeemed: (t) => `You redeemed ${t}`,
    toWallet: 'Open the wallet',
    usable: 'Ready to use',
    reward: 'Milk tea voucher',
    adjusted: (n) => `Adjustment +${n} ${points(n)}`,
    earnedEntry: (n) => `Earned ${n} ${points(n)}`,
    redeemedEntry: (t, n) => `Redeemed ${t}: -${n} ${points(n)}`,
    linkTitle: 'This link has expired',
    linkSpent: 'This link was used already or has expired',
    sessionTitle: 'Your session has ended',
    reopen: "Go back to the brand's app or mini-program and open the member portal again.",
    notFound: 'There is no such page.',
  },
};

/** The reward the journeys redeem, and its price in points. */
export const REWARD = { id: 'portal-milk-tea', cost: 100 };

/** A call to the API as the brand's backend, with the demo's key; fails on an error answer. */
export async function api(method, p, body) {
  const res = await fetch(BASE + p, {
    method,
    headers: { authorization: `Bearer ${env('API_KEY')}`, 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  check(res.ok, `${method} ${p} answered ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/**
 * What the brand sets up once (idempotent, so each journey file can call it): the README's
 * check-in rules (1 point a day, 7 more for 7 days in a row) and a milk tea voucher in the
 * catalog for REWARD.cost points.
 */
export async function setUpProgram() {
  await api('PUT', '/v1/rules/daily-check-in', {
    name: '1 point a day',
    trigger: { kind: 'event', types: ['check_in'] },
    effects: [{ kind: 'award_points', points: 1 }],
    limits: [{ per: 'day', count: 1 }],
  });
  await api('PUT', '/v1/rules/streak-7', {
    name: '7 days in a row',
    trigger: { kind: 'event', types: ['check_in'] },
    condition: 'member.streak("check_in") % 7 == 0',
    effects: [{ kind: 'award_points', points: 7 }],
    limits: [{ per: 'day', count: 1 }],
  });
  const title = { 'zh-CN': WORDS['zh-CN'].reward, en: WORDS.en.reward };
  await api('PUT', `/v1/voucher-templates/${REWARD.id}`, { title, discount: { kind: 'amount', off: 1500 } });
  await api('PUT', `/v1/rewards/${REWARD.id}`, { kind: 'voucher', template: REWARD.id, title, cost: REWARD.cost });
}

/**
 * A member of the journeys' own, with `points` given by an adjustment: the console's journeys
 * use the demo's members, and their figures must not move under them.
 */
export async function newMember(id, name, points) {
  await api('PUT', `/v1/members/${id}`, { name });
  await api('POST', `/v1/members/${id}/adjustments`, { id: `${id}-welcome`, points, reason: 'welcome' });
}

/** A one-time link for `member`, as the brand's backend mints it. */
export async function mint(member, lang = 'zh-CN') {
  const link = await api('POST', `/v1/members/${member}/portal-links`, { lang });
  check(link.url.startsWith(BASE + '/portal/'), `the link points at this server: ${link.url}`);
  return link.url;
}

/**
 * Makes a session end as 30 idle minutes end it: the harness (SESSION_AGER) moves its last use
 * back in the server's database, and the server's own check then finds it expired.
 */
export async function ageSession(context) {
  const cookie = (await context.cookies()).find((c) => c.name === 'jifen_portal');
  check(cookie, 'the portal set its session cookie');
  const res = await fetch(env('SESSION_AGER'), { method: 'POST', body: cookie.value });
  check(res.status === 204, `ageing the session answered ${res.status}`);
}

/**
 * The text a QR code on the screen holds: a screenshot of `locator` (what the member's phone
 * shows a scanner), drawn on a white canvas in a blank page of the same browser, its pixels
 * decoded with jsQR. Null when no code can be read.
 */
export async function readQr(locator) {
  const png = await locator.screenshot({ animations: 'disabled' });
  const scratch = await locator.page().context().newPage();
  try {
    const image = await scratch.evaluate(async (b64) => {
      const blob = await (await fetch(`data:image/png;base64,${b64}`)).blob();
      const bitmap = await createImageBitmap(blob);
      // A white margin: the quiet zone a scanner needs around the code.
      const margin = 32;
      const canvas = new OffscreenCanvas(bitmap.width + 2 * margin, bitmap.height + 2 * margin);
      const g = canvas.getContext('2d');
      g.fillStyle = '#fff';
      g.fillRect(0, 0, canvas.width, canvas.height);
      g.drawImage(bitmap, margin, margin);
      const { data, width, height } = g.getImageData(0, 0, canvas.width, canvas.height);
      let bytes = '';
      for (let i = 0; i < data.length; i += 0x8000) {
        bytes += String.fromCharCode.apply(null, data.subarray(i, i + 0x8000));
      }
      return { width, height, rgba: btoa(bytes) };
    }, png.toString('base64'));
    const rgba = new Uint8ClampedArray(Buffer.from(image.rgba, 'base64'));
    const code = jsQR(rgba, image.width, image.height);
    return code ? code.data : null;
  } finally {
    await scratch.close();
  }
}

/** The number a selector shows (its digits), e.g. the available points. */
export async function figure(page, selector) {
  const t = await page.locator(selector).first().innerText();
  const n = Number(t.replace(/[^\d-]/g, ''));
  check(Number.isFinite(n) && /\d/.test(t), `${selector} shows no number: ${t}`);
  return n;
}
