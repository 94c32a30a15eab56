-- Rewards: voucher templates and vouchers, the catalog and its redemptions, partner perk code
-- pools, checkouts with their voucher reservations, and gifts of vouchers between members.

-- Voucher templates, as the JSON their API takes. `automatic` ones apply to every cart.
CREATE TABLE voucher_templates (
    program_id  TEXT NOT NULL REFERENCES programs(id),
    id          TEXT NOT NULL,
    body        TEXT NOT NULL,
    automatic   BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (program_id, id)
);

-- Vouchers: a code issued to a member, or public (no member) with `max_uses` as its cap.
-- `terms` is the template as it was when the voucher was issued; `uses` counts confirmed uses.
CREATE TABLE vouchers (
    program_id   TEXT NOT NULL REFERENCES programs(id),
    code         TEXT NOT NULL,
    template_id  TEXT NOT NULL,
    terms        TEXT NOT NULL,
    member_id    BIGINT REFERENCES members(id),
    status       TEXT NOT NULL,
    uses         BIGINT NOT NULL,
    max_uses     BIGINT NOT NULL,
    valid_from   BIGINT,
    valid_until  BIGINT,
    source       TEXT NOT NULL,
    issued_at    BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (program_id, code)
);
CREATE INDEX vouchers_member ON vouchers(member_id, issued_at);
CREATE INDEX vouchers_source ON vouchers(program_id, source);

-- A voucher's use by a checkout: reserved until `until`, then confirmed or released. A
-- reservation past `until` that is still `reserved` counts as released.
CREATE TABLE voucher_uses (
    program_id   TEXT NOT NULL,
    code         TEXT NOT NULL,
    checkout_id  TEXT NOT NULL,
    member_id    BIGINT,
    status       TEXT NOT NULL,
    discount     BIGINT NOT NULL,
    until        BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (program_id, code, checkout_id)
);
-- What counts at checkout: live reservations of a code, and a member's uses of a public code.
CREATE INDEX voucher_uses_live ON voucher_uses(program_id, code, status, until);
CREATE INDEX voucher_uses_member ON voucher_uses(program_id, code, member_id);
CREATE INDEX voucher_uses_checkout ON voucher_uses(program_id, checkout_id);

-- Catalog items, as the JSON their API takes. `taken` counts units redeemed and not returned;
-- it never exceeds `stock` (no stock: unlimited).
CREATE TABLE rewards (
    program_id  TEXT NOT NULL REFERENCES programs(id),
    id          TEXT NOT NULL,
    body        TEXT NOT NULL,
    stock       BIGINT,
    taken       BIGINT NOT NULL DEFAULT 0,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (program_id, id),
    CHECK (stock IS NULL OR taken <= stock)
);

-- Codes of a partner perk reward, imported; each given to one redemption.
CREATE TABLE reward_codes (
    program_id     TEXT NOT NULL,
    reward_id      TEXT NOT NULL,
    code           TEXT NOT NULL,
    redemption_id  TEXT,
    added_at       BIGINT NOT NULL,
    taken_at       BIGINT,
    PRIMARY KEY (program_id, reward_id, code)
);
CREATE INDEX reward_codes_free ON reward_codes(program_id, reward_id, code) WHERE redemption_id IS NULL;

-- Redemptions of catalog items: what was spent and what was issued.
CREATE TABLE reward_redemptions (
    program_id  TEXT NOT NULL,
    id          TEXT NOT NULL,
    member_id   BIGINT NOT NULL REFERENCES members(id),
    reward_id   TEXT NOT NULL,
    quantity    BIGINT NOT NULL,
    points      BIGINT NOT NULL,
    status      TEXT NOT NULL,
    issued      TEXT NOT NULL,
    details     TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (program_id, id)
);
CREATE INDEX reward_redemptions_member ON reward_redemptions(member_id, reward_id, created_at);

-- Checkouts: a cart judged, with a hold of points and voucher reservations until `deadline`.
CREATE TABLE checkouts (
    program_id  TEXT NOT NULL,
    id          TEXT NOT NULL,
    member_id   BIGINT REFERENCES members(id),
    hold_id     TEXT,
    status      TEXT NOT NULL,
    request     TEXT NOT NULL,
    quote       TEXT NOT NULL,
    deadline    BIGINT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (program_id, id)
);
CREATE INDEX checkouts_pending ON checkouts(deadline) WHERE status = 'pending';

-- Vouchers offered to a friend through a share token (kept as its SHA-256). The voucher stays
-- the sender's until a claim; an offer past its deadline has returned to the sender.
CREATE TABLE gifts (
    program_id    TEXT NOT NULL,
    token_hash    TEXT NOT NULL,
    code          TEXT NOT NULL,
    sender_id     BIGINT NOT NULL REFERENCES members(id),
    recipient_id  BIGINT REFERENCES members(id),
    status        TEXT NOT NULL,
    message       TEXT,
    deadline      BIGINT NOT NULL,
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    PRIMARY KEY (program_id, token_hash)
);
CREATE INDEX gifts_code ON gifts(program_id, code);
CREATE INDEX gifts_offered ON gifts(deadline) WHERE status = 'offered';
