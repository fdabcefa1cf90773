-- What the bot keeps about itself between starts, such as the hash of the last synced command tree.
CREATE TABLE bot_state (
    key        TEXT PRIMARY KEY,
    value      TEXT        NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
