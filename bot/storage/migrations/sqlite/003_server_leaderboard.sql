-- Server settings, scheduled work and the weekly leaderboard (issue 8). Times are UTC text as in 002.

-- One row per server that changed a setting; a server without a row has the defaults (bot/domain/server_settings.py).
CREATE TABLE server_settings (
    guild_id                 INTEGER PRIMARY KEY,
    timezone                 TEXT    NOT NULL,
    language                 TEXT    NOT NULL CHECK (language IN ('auto', 'nl', 'en')),
    leaderboard_channel_id   INTEGER,
    leaderboard_weekday      INTEGER NOT NULL CHECK (leaderboard_weekday BETWEEN 0 AND 6),
    leaderboard_hour         INTEGER NOT NULL CHECK (leaderboard_hour BETWEEN 0 AND 23),
    leaderboard_enabled      INTEGER NOT NULL CHECK (leaderboard_enabled IN (0, 1)),
    leaderboard_min_posts    INTEGER NOT NULL CHECK (leaderboard_min_posts >= 1),
    leaderboard_active_since TEXT    CHECK (leaderboard_active_since IS NULL OR length(leaderboard_active_since) = 27),
    leaderboard_problem      TEXT    CHECK (leaderboard_problem IN ('channel_missing', 'channel_forbidden')),
    leaderboard_problem_at   TEXT    CHECK (leaderboard_problem_at IS NULL OR length(leaderboard_problem_at) = 27),
    updated_at               TEXT    NOT NULL CHECK (length(updated_at) = 27),
    updated_by               INTEGER NOT NULL
) STRICT;

-- Who changed which setting, from what to what, and when; user_id 0 is Pulse itself (a channel that went away).
CREATE TABLE settings_changes (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    setting    TEXT    NOT NULL,
    old_value  TEXT,
    new_value  TEXT,
    changed_at TEXT    NOT NULL CHECK (length(changed_at) = 27)
) STRICT;

CREATE INDEX settings_changes_guild ON settings_changes (guild_id, id);

-- Scheduled work (bot/scheduler.py): every due time is a row, claimed before it runs and marked when it is done,
-- so that a restart neither loses nor repeats it. `key` says what the job is about (the ISO week of a post).
CREATE TABLE scheduled_jobs (
    id          INTEGER PRIMARY KEY,
    kind        TEXT    NOT NULL,
    guild_id    INTEGER NOT NULL,
    key         TEXT    NOT NULL,
    due_at      TEXT    NOT NULL CHECK (length(due_at) = 27),
    state       TEXT    NOT NULL CHECK (state IN ('pending', 'claimed', 'done', 'skipped', 'failed')),
    claimed_by  TEXT,
    claimed_at  TEXT    CHECK (claimed_at IS NULL OR length(claimed_at) = 27),
    attempts    INTEGER NOT NULL DEFAULT 0,
    finished_at TEXT    CHECK (finished_at IS NULL OR length(finished_at) = 27),
    outcome     TEXT,
    UNIQUE (kind, guild_id, key)
) STRICT;

CREATE INDEX scheduled_jobs_open ON scheduled_jobs (state, due_at) WHERE state IN ('pending', 'claimed');

-- The weekly posts that went out, and what they ranked (the archive /leaderboard shows for past weeks).
CREATE TABLE leaderboard_posts (
    guild_id   INTEGER NOT NULL,
    week       TEXT    NOT NULL CHECK (length(week) = 8),
    channel_id INTEGER NOT NULL,
    message_id INTEGER,
    posted_at  TEXT    NOT NULL CHECK (length(posted_at) = 27),
    min_posts  INTEGER NOT NULL,
    PRIMARY KEY (guild_id, week)
) STRICT;

-- user_id NULL: a member who deleted their data; the place stays so the week's ranks stay as posted.
CREATE TABLE leaderboard_archive (
    guild_id      INTEGER NOT NULL,
    week          TEXT    NOT NULL,
    metric        TEXT    NOT NULL CHECK (metric IN ('score', 'improved', 'streak', 'growth')),
    position      INTEGER NOT NULL,
    rank          INTEGER NOT NULL,
    user_id       INTEGER,
    anonymous     INTEGER NOT NULL CHECK (anonymous IN (0, 1)),
    value         TEXT    NOT NULL,
    posts         INTEGER NOT NULL,
    first_post_at TEXT,
    basis         TEXT    NOT NULL,
    PRIMARY KEY (guild_id, week, metric, position),
    FOREIGN KEY (guild_id, week) REFERENCES leaderboard_posts (guild_id, week) ON DELETE CASCADE
) STRICT;

CREATE INDEX leaderboard_archive_member ON leaderboard_archive (guild_id, user_id, metric, rank);

-- How a member appears on the server's boards: by name (the default, no row), as "anonymous creator", or not at all.
CREATE TABLE member_privacy (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    leaderboard TEXT    NOT NULL CHECK (leaderboard IN ('show', 'anonymous', 'hide')),
    updated_at  TEXT    NOT NULL CHECK (length(updated_at) = 27),
    PRIMARY KEY (guild_id, user_id)
) STRICT;

-- A week's posts of a whole server, read from the index alone: the leaderboard's cost follows that week's posts.
CREATE INDEX logged_posts_guild_time
    ON logged_posts (guild_id, posted_at, user_id, likes, comments, shares, saves, followers);
CREATE INDEX follower_snapshots_guild_time ON follower_snapshots (guild_id, taken_at, user_id, followers);
