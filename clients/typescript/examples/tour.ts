// A tour of the TypeScript client against a running jifen (the demo program):
// enroll a member, send a purchase, read the balance, redeem with an idempotent retry, catch
// `insufficient_points` as a typed error, list the members page by page, and send a batch.
//
//   export JIFEN=http://127.0.0.1:8080 KEY=jf_sk_…
//   npm run build && npm run tour

import { createJifenClient, isJifenError, newId, withIdempotentRetry } from "../src/index.js";

const baseUrl = process.env.JIFEN ?? "http://127.0.0.1:8080";
const apiKey = process.env.KEY;
if (!apiKey) {
  console.error("set KEY to the API key `jifen serve --demo` printed (and JIFEN to its address)");
  process.exit(2);
}

// A fetch that loses the answer of the first redemption on its way back, after jifen has
// recorded it: what a dropped connection does. The retry below sends it again.
let loseNextAnswer = false;
const flakyFetch = async (request: Request): Promise<Response> => {
  const response = await fetch(request);
  if (loseNextAnswer) {
    loseNextAnswer = false;
    throw new TypeError("the connection dropped before the answer arrived");
  }
  return response;
};

const jifen = createJifenClient({ baseUrl, apiKey, fetch: flakyFetch });

const member = newId("tour");
const alice = await jifen.put("/v1/members/{external_id}", {
  params: { path: { external_id: member } },
  body: { name: "Alice", identities: [{ kind: "wechat_unionid", value: `oUnion-${member}` }] },
});
console.log(`enrolled ${alice.external_id} (${alice.name}, ${alice.identities.length} identity)`);

// Alice buys for ¥268.00 (amounts are in fen): one point per whole yuan.
const purchase = await withIdempotentRetry((id) =>
  jifen.sendEvent({
    id,
    type: "purchase",
    member,
    occurred_at: new Date().toISOString(),
    site: "tmall",
    attributes: { order_id: newId("T"), amount: 26800 },
  }),
);
console.log(`purchase of ¥268.00: ${purchase.status}, +${purchase.points} points`);

const balance = await jifen.get("/v1/members/{external_id}/balance", {
  params: { path: { external_id: member } },
});
console.log(`balance: ${balance.available} available, ${balance.lifetime_earned} earned`);
if (balance.available < 50) {
  // A program with a pending period (the README's tour sets one of 7 days) keeps the purchase's
  // points pending, and the redemption below would be refused.
  console.error(
    `the purchase's ${balance.pending} points are pending, not available: this program has a pending ` +
      'period. Run the tour on a new demo database, or set {"pending_days": 0} with PATCH /v1/program.',
  );
  process.exit(1);
}

// Redeem 50 points. The first answer is lost: the retry sends the same id again, and jifen
// answers with the first redemption instead of spending twice.
const redemptionId = newId("red");
const redeem = (id: string) =>
  jifen.post("/v1/members/{external_id}/redemptions", {
    params: { path: { external_id: member } },
    body: { id, points: 50, reason: "milk tea voucher" },
  });
loseNextAnswer = true;
const redeemed = await withIdempotentRetry(redeem, {
  id: redemptionId,
  baseDelayMs: 50,
  onRetry: ({ attempt, error }) =>
    console.log(`attempt ${attempt} failed (${(error as Error).message}); sending the same id again`),
});
console.log(`redeemed ${redeemed.points} points: ${redeemed.balance.available} available`);

// The same redemption sent once more answers the first answer and spends nothing.
const again = await redeem(redemptionId);
const after = await jifen.get("/v1/members/{external_id}/balance", {
  params: { path: { external_id: member } },
});
const same = JSON.stringify(again) === JSON.stringify(redeemed);
console.log(`the same redemption again: same answer ${same}, ${after.available} available`);

// Spending more than she has is refused with a typed error, at once: a refusal is not retried.
try {
  await withIdempotentRetry(
    (id) =>
      jifen.post("/v1/members/{external_id}/redemptions", {
        params: { path: { external_id: member } },
        body: { id, points: 100000 },
      }),
    { prefix: "red", onRetry: () => console.log("a refusal was sent again") },
  );
  console.log("a redemption of 100000 points succeeded");
} catch (e) {
  if (isJifenError(e, "insufficient_points")) {
    console.log(`insufficient_points caught: status ${e.status}, ${e.message}`);
  } else {
    throw e;
  }
}

// Every member, two per page: the iterator follows `next` until the last page.
let count = 0;
let found = false;
for await (const m of jifen.paginate("/v1/members", { params: { query: { limit: 2 } } })) {
  count += 1;
  found ||= m.external_id === member;
}
console.log(`members listed page by page: ${count}, ${member} among them: ${found}`);

// A batch answers for each event: one fails (an unknown member), the other is recorded.
const results = await jifen.sendEvents([
  { id: newId("evt"), type: "check_in", member, occurred_at: new Date().toISOString() },
  { id: newId("evt"), type: "check_in", member: newId("nobody"), occurred_at: new Date().toISOString() },
]);
console.log(`batch: ${results.map((r) => [r.status, r.error?.code].filter(Boolean).join(" ")).join(", ")}`);
