-- Privacy (issue 10): a member who deletes their data leaves no id behind. Records that other members rely on stay,
-- with NULL where the member's id was: a coach note they wrote, a look they took at someone's numbers, a setting
-- they changed. PostgreSQL relaxes NOT NULL in place, so unlike the SQLite form of this version no table is
-- rebuilt: rows, ids, identity sequences and indexes stay as they are, and the column order ends up the same.

ALTER TABLE coach_notes ALTER COLUMN author_id DROP NOT NULL;

ALTER TABLE data_views ALTER COLUMN viewer_id DROP NOT NULL;

-- user_id 0 stays Pulse itself; NULL is a member who deleted their data.
ALTER TABLE settings_changes ALTER COLUMN user_id DROP NOT NULL;

-- Who last changed a server's settings is in settings_changes already.
ALTER TABLE server_settings DROP COLUMN updated_by;
