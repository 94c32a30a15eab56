// Webhooks in the console: the owner adds an endpoint (a receiver this journey starts on
// 127.0.0.1, which the demo's operator setting allows), reads its secret once, sees a purchase's
// message delivered with its status, response code and latency, checks the signature the
// receiver got with that secret (Standard Webhooks: HMAC-SHA256 over id.timestamp.body), and
// replays the delivery: the receiver gets the same message, with the same id, again.
import http from 'node:http';
import crypto from 'node:crypto';
import { journey, env, check, sees, watch, signIn, nav, clickAndLoad, shot } from './lib.mjs';
import { api } from './portal_lib.mjs';

const received = [];
const receiver = http.createServer((req, res) => {
  let body = '';
  req.on('data', (c) => (body += c));
  req.on('end', () => {
    received.push({ id: req.headers['webhook-id'], timestamp: req.headers['webhook-timestamp'],
      signature: req.headers['webhook-signature'], body });
    res.statusCode = 204;
    res.end();
  });
});
await new Promise((resolve) => receiver.listen(0, '127.0.0.1', resolve));
const url = `http://127.0.0.1:${receiver.address().port}/hooks`;

/** Whether `signature` ("v1,<base64> …") holds the HMAC of a message under `secret`. */
function signedBy(secret, m) {
  const key = Buffer.from(secret.replace(/^whsec_/, ''), 'base64');
  const mac = crypto.createHmac('sha256', key).update(`${m.id}.${m.timestamp}.${m.body}`).digest('base64');
  return m.signature.split(' ').includes(`v1,${mac}`);
}

async function until(what, ok, seconds = 20) {
  const end = Date.now() + seconds * 1000;
  while (!(await ok())) {
    check(Date.now() < end, `waited ${seconds} s for ${what}`);
    await new Promise((r) => setTimeout(r, 250));
  }
}

try {
  await journey('webhooks', async (page) => {
    const w = watch(page);
    await signIn(page, env('OWNER_EMAIL'), env('OWNER_PASSWORD'), '/console');
    await nav(page, 'Webhooks');
    await page.locator('#url').fill(url);
    await page.locator('#description').fill('品牌 CRM');
    await page.locator('input[name=kind][value="points.earned"]').check();
    await clickAndLoad(page, page.locator('#add-endpoint'));
    const secret = (await page.locator('#secret-value').innerText()).trim();
    check(secret.startsWith('whsec_'), `the secret is shown once: ${secret}`);
    await sees(page, url, '#webhook-endpoints');

    // A purchase earns points; its message goes to the receiver.
    const before = received.length;
    await api('POST', '/v1/events', {
      id: `webhooks-journey-${Date.now()}`, type: 'purchase', member: 'm-1001',
      occurred_at: new Date().toISOString(),
      attributes: { order_id: `webhooks-journey-${Date.now()}`, amount: 8800 },
    });
    await until('the receiver to get the message', () => received.length > before);
    const got = received[received.length - 1];
    check(JSON.parse(got.body).type === 'points.earned', `a points.earned message: ${got.body}`);
    check(signedBy(secret, got), `the signature verifies with the endpoint's secret: ${JSON.stringify(got)}`);

    // The endpoint's page lists the delivery: delivered, 204, with its latency.
    await clickAndLoad(page, page.locator('#webhook-endpoints a', { hasText: url }));
    const row = page.locator(`#webhook-deliveries tr[data-message="${got.id}"]`);
    await until('the delivery to show as delivered', async () => {
      if ((await row.locator('[data-status="delivered"]').count()) > 0) return true;
      await page.reload();
      return false;
    });
    check((await row.locator('[data-code]').innerText()).trim() === '204', `code 204: ${await row.innerText()}`);
    await shot(page, 'webhooks');

    // Replay: the same message, with the same id, reaches the receiver again.
    const sent = received.filter((m) => m.id === got.id).length;
    await clickAndLoad(page, row.locator('button.replay'));
    await until('the replay to reach the receiver', () => received.filter((m) => m.id === got.id).length > sent);
    const again = received.filter((m) => m.id === got.id).pop();
    check(again.body === got.body && signedBy(secret, again), 'the replay is the same message, signed');
    await sees(page, got.id, '#webhook-deliveries');
    w.clean();
  });
} finally {
  receiver.close();
}
