"""A tour of the Python client against a running jifen (the demo program): enroll a member, send
a purchase, read the balance, redeem with an idempotent retry, catch ``insufficient_points`` as a
typed error, list the members page by page, and send a batch.

    export JIFEN=http://127.0.0.1:8080 KEY=jf_sk_…
    python examples/tour.py      # from clients/python, or with the package installed
"""

from __future__ import annotations

import os
import sys
from datetime import UTC, datetime
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from jifen import Jifen, is_jifen_error, new_id, with_idempotent_retry  # noqa: E402
from jifen_client.api.members import list_members, put_member  # noqa: E402
from jifen_client.api.points import get_balance, post_redemption  # noqa: E402
from jifen_client.models import EventIn, EventInAttributes, IdentityIn, MemberIn, RedemptionIn  # noqa: E402

base_url = os.environ.get("JIFEN", "http://127.0.0.1:8080")
api_key = os.environ.get("KEY")
if not api_key:
    sys.exit("set KEY to the API key `jifen serve --demo` printed (and JIFEN to its address)")


class LosesNextAnswer(httpx.BaseTransport):
    """A transport that can lose the answer of a request on its way back, after jifen has
    recorded it: what a dropped connection does."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.lose_next = False

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        if self.lose_next:
            self.lose_next = False
            response.close()
            raise httpx.ReadError("the connection dropped before the answer arrived", request=request)
        return response

    def close(self) -> None:
        self.inner.close()


transport = LosesNextAnswer()
jifen = Jifen(base_url, api_key, httpx_args={"transport": transport})

member = new_id("tour")
alice = jifen.call(
    put_member,
    external_id=member,
    body=MemberIn(name="Alice", identities=[IdentityIn(kind="wechat_unionid", value=f"oUnion-{member}")]),
)
print(f"enrolled {alice.external_id} ({alice.name}, {len(alice.identities)} identity)")

# Alice buys for ¥268.00 (amounts are in fen): one point per whole yuan.
purchase = with_idempotent_retry(
    lambda id: jifen.send_event(
        EventIn(
            id=id,
            type_="purchase",
            member=member,
            occurred_at=datetime.now(UTC).isoformat(),
            site="tmall",
            attributes=EventInAttributes.from_dict({"order_id": new_id("T"), "amount": 26800}),
        )
    )
)
print(f"purchase of ¥268.00: {purchase.status}, +{purchase.points} points")

balance = jifen.call(get_balance, external_id=member)
print(f"balance: {balance.available} available, {balance.lifetime_earned} earned")
if balance.available < 50:
    # A program with a pending period (the README's tour sets one of 7 days) keeps the purchase's
    # points pending, and the redemption below would be refused.
    sys.exit(
        f"the purchase's {balance.pending} points are pending, not available: this program has a pending "
        'period. Run the tour on a new demo database, or set {"pending_days": 0} with PATCH /v1/program.'
    )


# Redeem 50 points. The first answer is lost: the retry sends the same id again, and jifen
# answers with the first redemption instead of spending twice.
def redeem(id: str):
    return jifen.call(
        post_redemption,
        external_id=member,
        body=RedemptionIn(id=id, points=50, reason="milk tea voucher"),
    )


redemption_id = new_id("red")
transport.lose_next = True
redeemed = with_idempotent_retry(
    redeem,
    id=redemption_id,
    base_delay=0.05,
    on_retry=lambda attempt, error, delay, id: print(f"attempt {attempt} failed ({error}); sending the same id again"),
)
print(f"redeemed {redeemed.points} points: {redeemed.balance.available} available")

# The same redemption sent once more answers the first answer and spends nothing.
again = redeem(redemption_id)
after = jifen.call(get_balance, external_id=member)
same = again.to_dict() == redeemed.to_dict()
print(f"the same redemption again: same answer {str(same).lower()}, {after.available} available")

# Spending more than she has is refused with a typed error, at once: a refusal is not retried.
try:
    with_idempotent_retry(
        lambda id: jifen.call(post_redemption, external_id=member, body=RedemptionIn(id=id, points=100000)),
        prefix="red",
        on_retry=lambda *_: print("a refusal was sent again"),
    )
    print("a redemption of 100000 points succeeded")
except Exception as e:
    if not is_jifen_error(e, "insufficient_points"):
        raise
    print(f"insufficient_points caught: status {e.status}, {e.message}")

# Every member, two per page: the iterator follows `next` until the last page.
count = 0
found = False
for m in jifen.paginate(list_members, limit=2):
    count += 1
    found = found or m.external_id == member
print(f"members listed page by page: {count}, {member} among them: {str(found).lower()}")

# A batch answers for each event: one fails (an unknown member), the other is recorded.
now = datetime.now(UTC).isoformat()
results = jifen.send_events(
    [
        EventIn(id=new_id("evt"), type_="check_in", member=member, occurred_at=now),
        EventIn(id=new_id("evt"), type_="check_in", member=new_id("nobody"), occurred_at=now),
    ]
)
print("batch: " + ", ".join(f"{r.status} {r.error.code}" if r.error else r.status for r in results))
jifen.close()
