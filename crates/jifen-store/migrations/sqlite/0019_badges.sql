-- Badges: a program's definitions (the JSON their API takes, with levels and criteria) and the
-- levels members earned. A level is earned once per member: the primary key is what makes two
-- concurrent events (or two nodes) award it once. `token` names the public share page of an
-- earned level: random, and unique across programs.
CREATE TABLE badges (
    program_id  TEXT NOT NULL REFERENCES programs(id),
    id          TEXT NOT NULL,
    spec        TEXT NOT NULL,
    status      TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL,
    PRIMARY KEY (program_id, id)
);

CREATE TABLE member_badges (
    program_id  TEXT NOT NULL,
    badge_id    TEXT NOT NULL,
    level       BIGINT NOT NULL,
    member_id   BIGINT NOT NULL REFERENCES members(id),
    -- What awarded it: `event:<id>`, or another cause (`contest:<id>`, `challenge:<id>`).
    cause       TEXT NOT NULL,
    -- The event that earned it, when an event did.
    event_id    TEXT,
    token       TEXT NOT NULL,
    earned_at   BIGINT NOT NULL,
    PRIMARY KEY (program_id, badge_id, level, member_id),
    FOREIGN KEY (program_id, badge_id) REFERENCES badges(program_id, id)
);
CREATE INDEX member_badges_member ON member_badges(member_id);
CREATE UNIQUE INDEX member_badges_token ON member_badges(token);
