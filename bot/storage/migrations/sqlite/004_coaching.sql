-- Coaching (issue 9): the coach role and coaching channel, check-ins in private threads, reminders, coach notes and
-- the record of who looked at a member's numbers. Times are UTC text as in 002.

ALTER TABLE server_settings ADD COLUMN coach_role_id INTEGER;
ALTER TABLE server_settings ADD COLUMN coaching_channel_id INTEGER;
ALTER TABLE server_settings ADD COLUMN coaching_weekday INTEGER NOT NULL DEFAULT 0
    CHECK (coaching_weekday BETWEEN 0 AND 6);
ALTER TABLE server_settings ADD COLUMN coaching_hour INTEGER NOT NULL DEFAULT 10
    CHECK (coaching_hour BETWEEN 0 AND 23);
ALTER TABLE server_settings ADD COLUMN coaching_reminders INTEGER NOT NULL DEFAULT 1
    CHECK (coaching_reminders IN (0, 1));
ALTER TABLE server_settings ADD COLUMN coaching_public_threads INTEGER NOT NULL DEFAULT 0
    CHECK (coaching_public_threads IN (0, 1));
ALTER TABLE server_settings ADD COLUMN coaching_active_since TEXT
    CHECK (coaching_active_since IS NULL OR length(coaching_active_since) = 27);

-- Members Pulse has seen holding the coach role; they are added to check-in threads once their role is confirmed
-- again (Pulse has no member list: it asks Discord about each one).
CREATE TABLE coaches (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    seen_at  TEXT    NOT NULL CHECK (length(seen_at) = 27),
    PRIMARY KEY (guild_id, user_id)
) STRICT;

-- Each member's own check-in thread in the server's coaching channel.
CREATE TABLE checkin_threads (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    thread_id  INTEGER NOT NULL,
    private    INTEGER NOT NULL CHECK (private IN (0, 1)),
    created_at TEXT    NOT NULL CHECK (length(created_at) = 27),
    PRIMARY KEY (guild_id, user_id)
) STRICT;

-- One row per member and ISO week they checked in, with the focus they set for that week.
CREATE TABLE checkins (
    guild_id       INTEGER NOT NULL,
    user_id        INTEGER NOT NULL,
    week           TEXT    NOT NULL CHECK (length(week) = 8),
    checked_in_at  TEXT    NOT NULL CHECK (length(checked_in_at) = 27),
    focus          TEXT    CHECK (focus IS NULL OR length(focus) <= 300),
    focus_set_at   TEXT    CHECK (focus_set_at IS NULL OR length(focus_set_at) = 27),
    PRIMARY KEY (guild_id, user_id, week)
) STRICT;

CREATE INDEX checkins_guild_week ON checkins (guild_id, week);

-- Reminders sent (or being sent) per member and week: a retried or restarted job never reminds anyone twice.
CREATE TABLE checkin_reminders (
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER NOT NULL,
    week       TEXT    NOT NULL CHECK (length(week) = 8),
    state      TEXT    NOT NULL CHECK (state IN ('sending', 'sent', 'failed')),
    message_id INTEGER,
    at         TEXT    NOT NULL CHECK (length(at) = 27),
    PRIMARY KEY (guild_id, user_id, week)
) STRICT;

-- Notes coaches keep about a member; the member learns they exist, never their text.
CREATE TABLE coach_notes (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    author_id  INTEGER NOT NULL,
    text       TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    created_at TEXT    NOT NULL CHECK (length(created_at) = 27)
) STRICT;

CREATE INDEX coach_notes_member ON coach_notes (guild_id, member_id, id);

-- Every time someone other than the member opened the member's numbers, and what they opened.
CREATE TABLE data_views (
    id        INTEGER PRIMARY KEY,
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    viewer_id INTEGER NOT NULL,
    what      TEXT    NOT NULL CHECK (what IN ('progress', 'history', 'roster')),
    viewed_at TEXT    NOT NULL CHECK (length(viewed_at) = 27)
) STRICT;

CREATE INDEX data_views_member ON data_views (guild_id, member_id, id);
