// Reminders on a phone in WeChat and in the console: a member opens 消息提醒 from the portal's
// home, turns birthday SMS off and saves; the page shows the choice kept, and the API reads it
// with the portal as its source. The owner opens the console's 提醒 page, types settings with a
// mistake, reads the refusal naming the field, fixes it, saves, and reads tomorrow's preview.
import { journey, newContext, env, check, sees, watch, signIn, nav, shot, text } from './lib.mjs';
import { PHONE, SHOTS, api, mint } from './portal_lib.mjs';

/** Taps something that loads a new page, as a thumb does, and waits for the page. */
async function tap(page, locator) {
  check((await locator.count()) >= 1, `nothing to tap on ${page.url()}: ${locator}`);
  await Promise.all([page.waitForEvent('load'), locator.first().tap()]);
}

await journey(
  'reminders',
  async (page, browser) => {
    const w = watch(page);
    await api('PUT', '/v1/members/journey-remind-a', { name: '林晓' });

    // The member's page: every kind on every channel, checked.
    await page.goto(await mint('journey-remind-a'));
    await tap(page, page.locator('#notifications-link'));
    await sees(page, '消息提醒', 'h2');
    await sees(page, '生日祝福与礼物', '#kind-birthday');
    const box = page.locator('input[name="birthday.sms"]');
    check(await box.isChecked(), 'birthday by SMS is on until the member turns it off');
    await box.tap();
    check(!(await box.isChecked()), 'the box is unchecked');
    await shot(page, 'notifications', SHOTS);
    await tap(page, page.locator('#save-notifications'));
    await sees(page, '已保存您的提醒设置', '#result');
    check(!(await page.locator('input[name="birthday.sms"]').isChecked()), 'the choice is kept');
    check(await page.locator('input[name="birthday.wechat"]').isChecked(), 'WeChat stays on');
    const prefs = await api('GET', '/v1/members/journey-remind-a/notification-preferences');
    const sms = prefs.preferences.find((p) => p.kind === 'birthday' && p.channel === 'sms');
    check(sms.enabled === false && sms.source === 'portal', `saved from the portal: ${JSON.stringify(sms)}`);
    w.clean();

    // The owner's console page: settings refused, then saved; tomorrow's preview.
    const admin = await (await newContext(browser)).newPage();
    const aw = watch(admin);
    await signIn(admin, env('OWNER_EMAIL'), env('OWNER_PASSWORD'), '/console');
    await nav(admin, '提醒');
    await sees(admin, '提醒', 'h1');
    await sees(admin, '明日预览', '#reminder-preview');
    const raw = admin.locator('#raw');
    await raw.fill(JSON.stringify({ birthday: { enabled: true, days_ahead: 1 } }, null, 2));
    await Promise.all([admin.waitForEvent('load'), admin.locator('#reminder-settings button[type=submit]').click()]);
    await sees(admin, 'birthday.templates', '#error-raw');
    await raw.fill(JSON.stringify({
      points_expiring: { enabled: true, days_ahead: 7, templates: { wechat: 'wx_points_expiring', sms: 'SMS_20261207' } },
      birthday: { enabled: true, days_ahead: 1, gift: '生日蛋糕券', templates: { push: 'birthday_soon' } },
      quiet_hours: { start: '22:00', end: '08:00' },
      caps: { per_day: 2, per_week: 6 },
    }, null, 2));
    await Promise.all([admin.waitForEvent('load'), admin.locator('#reminder-settings button[type=submit]').click()]);
    await sees(admin, '已保存', 'body');
    await sees(admin, '积分即将过期', '#reminders-enabled');
    const total = Number((await admin.locator('#preview-total').innerText()).trim());
    const preview = await api('GET', '/v1/reminders/preview');
    check(total === preview.total, `the page's total ${total} is the API's ${preview.total}\n${(await text(admin, 'main')).slice(0, 600)}`);
    await shot(admin, 'reminders');
    aw.clean();
  },
  PHONE,
);
