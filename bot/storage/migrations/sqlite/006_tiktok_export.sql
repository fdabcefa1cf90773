-- TikTok's own analytics export (issue 12). A post imported from it carries TikTok's video id, so importing the
-- same or a later export again updates that post instead of adding it twice. Follower activity is kept per UTC
-- hour for /besttime; the handle of the account last imported lets Pulse notice an export of someone else's.

ALTER TABLE logged_posts ADD COLUMN video_id TEXT CHECK (video_id IS NULL OR length(video_id) BETWEEN 1 AND 32);
CREATE UNIQUE INDEX logged_posts_video ON logged_posts (guild_id, user_id, video_id) WHERE video_id IS NOT NULL;

CREATE TABLE follower_activity (
    guild_id INTEGER NOT NULL,
    user_id  INTEGER NOT NULL,
    hour_at  TEXT    NOT NULL CHECK (length(hour_at) = 27),
    active   INTEGER NOT NULL CHECK (active >= 0),
    PRIMARY KEY (guild_id, user_id, hour_at)
) STRICT;

CREATE TABLE tiktok_accounts (
    guild_id    INTEGER NOT NULL,
    user_id     INTEGER NOT NULL,
    handle      TEXT    NOT NULL CHECK (length(handle) BETWEEN 1 AND 64),
    imported_at TEXT    NOT NULL CHECK (length(imported_at) = 27),
    PRIMARY KEY (guild_id, user_id)
) STRICT;
