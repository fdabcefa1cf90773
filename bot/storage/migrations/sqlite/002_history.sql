-- Member history (issue 4): logged posts, follower counts and goals, per server and member.
-- Ids only (names are resolved when rendering). Times are UTC text in one fixed-width form,
-- 'YYYY-MM-DDTHH:MM:SS.ffffffZ', so that text order is time order.

-- One row per thing a member did: a logged post, a follower count, a CSV import. "Undo my last entry"
-- removes the newest batch and, through the cascade, everything it added.
CREATE TABLE history_batches (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    kind       TEXT    NOT NULL CHECK (kind IN ('post', 'followers', 'import')),
    created_at TEXT    NOT NULL CHECK (length(created_at) = 27)
) STRICT;

CREATE INDEX history_batches_member ON history_batches (guild_id, user_id, id);

CREATE TABLE logged_posts (
    id        INTEGER PRIMARY KEY,
    batch_id  INTEGER NOT NULL REFERENCES history_batches (id) ON DELETE CASCADE,
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    posted_at TEXT    NOT NULL CHECK (length(posted_at) = 27),
    logged_at TEXT    NOT NULL CHECK (length(logged_at) = 27),
    likes     INTEGER NOT NULL CHECK (likes >= 0),
    comments  INTEGER NOT NULL CHECK (comments >= 0),
    shares    INTEGER NOT NULL CHECK (shares >= 0),
    saves     INTEGER NOT NULL CHECK (saves >= 0),
    views     INTEGER CHECK (views IS NULL OR views >= 1),
    followers INTEGER NOT NULL CHECK (followers >= 1),
    title     TEXT CHECK (title IS NULL OR length(title) <= 200)
) STRICT;

-- The member's posts newest first, or since a date.
CREATE INDEX logged_posts_member_time ON logged_posts (guild_id, user_id, posted_at, id);
CREATE INDEX logged_posts_batch ON logged_posts (batch_id);

CREATE TABLE follower_snapshots (
    id        INTEGER PRIMARY KEY,
    batch_id  INTEGER NOT NULL REFERENCES history_batches (id) ON DELETE CASCADE,
    guild_id  INTEGER NOT NULL,
    user_id   INTEGER NOT NULL,
    taken_at  TEXT    NOT NULL CHECK (length(taken_at) = 27),
    logged_at TEXT    NOT NULL CHECK (length(logged_at) = 27),
    followers INTEGER NOT NULL CHECK (followers >= 1)
) STRICT;

CREATE INDEX follower_snapshots_member_time ON follower_snapshots (guild_id, user_id, taken_at, id);
CREATE INDEX follower_snapshots_batch ON follower_snapshots (batch_id);

-- At most one goal per metric per member; targets and baselines are exact fractions written "n/d".
CREATE TABLE goals (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    metric   TEXT    NOT NULL CHECK (metric IN ('engagement_rate', 'followers')),
    target   TEXT    NOT NULL,
    by_date  TEXT    NOT NULL CHECK (length(by_date) = 10),
    set_at   TEXT    NOT NULL CHECK (length(set_at) = 27),
    baseline TEXT,
    PRIMARY KEY (guild_id, user_id, metric)
) STRICT;
