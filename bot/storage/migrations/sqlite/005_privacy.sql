-- Privacy (issue 10): a member who deletes their data leaves no id behind. Records that other members rely on stay,
-- with NULL where the member's id was: a coach note they wrote, a look they took at someone's numbers, a setting
-- they changed. SQLite cannot relax NOT NULL in place, so those three tables are rebuilt.

CREATE TABLE coach_notes_new (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    member_id  INTEGER NOT NULL,
    author_id  INTEGER,
    text       TEXT    NOT NULL CHECK (length(text) BETWEEN 1 AND 1000),
    created_at TEXT    NOT NULL CHECK (length(created_at) = 27)
) STRICT;
INSERT INTO coach_notes_new SELECT id, guild_id, member_id, author_id, text, created_at FROM coach_notes;
DROP TABLE coach_notes;
ALTER TABLE coach_notes_new RENAME TO coach_notes;
CREATE INDEX coach_notes_member ON coach_notes (guild_id, member_id, id);

CREATE TABLE data_views_new (
    id        INTEGER PRIMARY KEY,
    guild_id  INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    viewer_id INTEGER,
    what      TEXT    NOT NULL CHECK (what IN ('progress', 'history', 'roster')),
    viewed_at TEXT    NOT NULL CHECK (length(viewed_at) = 27)
) STRICT;
INSERT INTO data_views_new SELECT id, guild_id, member_id, viewer_id, what, viewed_at FROM data_views;
DROP TABLE data_views;
ALTER TABLE data_views_new RENAME TO data_views;
CREATE INDEX data_views_member ON data_views (guild_id, member_id, id);

-- user_id 0 stays Pulse itself; NULL is a member who deleted their data.
CREATE TABLE settings_changes_new (
    id         INTEGER PRIMARY KEY,
    guild_id   INTEGER NOT NULL,
    user_id    INTEGER,
    setting    TEXT    NOT NULL,
    old_value  TEXT,
    new_value  TEXT,
    changed_at TEXT    NOT NULL CHECK (length(changed_at) = 27)
) STRICT;
INSERT INTO settings_changes_new SELECT id, guild_id, user_id, setting, old_value, new_value, changed_at
    FROM settings_changes;
DROP TABLE settings_changes;
ALTER TABLE settings_changes_new RENAME TO settings_changes;
CREATE INDEX settings_changes_guild ON settings_changes (guild_id, id);

-- Who last changed a server's settings is in settings_changes already.
ALTER TABLE server_settings DROP COLUMN updated_by;
