"""The real `python -m bot` with a database it cannot use: one line and exit 2 at start, never a hang; a write the
disk refuses while it runs is told to the member, privately and in their language, as nothing saved."""

from __future__ import annotations

import contextlib
import os
import resource
import secrets
import sys
from collections.abc import Iterator
from pathlib import Path
from urllib.parse import urlsplit

import asyncpg

from bot.i18n import Lang, messages_for
from tests.databases import admin_url, run_sync
from tests.e2e.bot_process import REPO_ROOT, BotProcess, Bots
from tests.e2e.stand_in import Reply

BOT = (sys.executable, "-m", "bot")
EXIT_CONFIG = 2
NOBODY = 65534
# Root writes wherever it likes, so the read-only cases run the bot as nobody. Nobody may not enter /root, where
# the interpreter may live: CAP_DAC_READ_SEARCH lets it read every file while each write still needs permission.
AS_NOBODY = (
    (
        "setpriv",
        f"--reuid={NOBODY}",
        f"--regid={NOBODY}",
        "--clear-groups",
        "--inh-caps=+dac_read_search",
        "--ambient-caps=+dac_read_search",
    )
    if os.geteuid() == 0
    else ()
)
GUIDE_POST = {"likes": 300, "comments": 40, "shares": 25, "saves": 15, "followers": 5_000, "log": True}


def start(bots: Bots, database_url: str, argv: tuple[str, ...] = BOT, name: str = "bot") -> BotProcess:
    """A bot process of this test (stopped with the others afterwards) with its own command line."""
    bot = BotProcess(
        bots.stand_in,
        database_url=database_url,
        log_path=bots.directory / f"{name}-{secrets.token_hex(3)}.log",
        argv=argv,
        cwd=REPO_ROOT,
    )
    bots.started.append(bot.start())
    return bot


def refused(bot: BotProcess) -> str:
    """The one line a bot that cannot start leaves, after checking it left nothing else worth reading."""
    code = bot.wait_exit(30)
    assert code == EXIT_CONFIG, f"exit {code}\n{bot.log_tail()}"
    log = bot.log
    assert "Traceback" not in log
    lines = log.strip().splitlines()
    problems = [line for line in lines if "Pulse cannot start" in line]
    assert problems == [lines[-1]], log
    assert not [line for line in lines if " ERROR " in line or " CRITICAL " in line], log
    return lines[-1]


# --- at start ----------------------------------------------------------------------------------------------


def test_random_bytes_as_the_database_end_the_process_with_one_line(bots: Bots, tmp_path: Path) -> None:
    path = tmp_path / "pulse.db"
    path.write_bytes(secrets.token_bytes(64 * 1024))
    line = refused(start(bots, f"sqlite:///{path}"))
    assert line == (
        f"Pulse cannot start: {path} is not a SQLite database Pulse can read, or it is damaged (file is not a "
        "database). Check that DATABASE_URL names Pulse's database file; if it does, restore the file from a backup."
    )


def test_a_truncated_database_ends_the_process_with_one_line(bots: Bots, tmp_path: Path) -> None:
    """A database the bot itself made, cut short (a copy that stopped half-way, a disk that lost its end)."""
    url = f"sqlite:///{tmp_path / 'pulse.db'}"
    bot = start(bots, url)
    bot.wait_ready()
    bot.db.execute_many(
        "INSERT INTO bot_state (key, value, updated_at) VALUES (?, ?, ?)",
        [(f"filler {n}", "x" * 500, "2026-11-23T09:00:00.000000Z") for n in range(400)],
    )
    assert bot.stop() == 0
    path = tmp_path / "pulse.db"
    os.truncate(path, path.stat().st_size // 2)
    line = refused(start(bots, url))
    assert line.startswith(
        f"Pulse cannot start: {path} is not a SQLite database Pulse can read, or it is damaged (database disk image "
        "is malformed"
    )
    assert line.endswith(
        "Check that DATABASE_URL names Pulse's database file; if it does, restore the file from a backup."
    )


def test_a_directory_as_the_database_ends_the_process_with_one_line(bots: Bots, tmp_path: Path) -> None:
    line = refused(start(bots, f"sqlite:///{tmp_path}"))
    assert line == (
        f"Pulse cannot start: DATABASE_URL names {tmp_path}, which is a directory, not a database file. Name a file "
        f"in it, e.g. DATABASE_URL=sqlite:///{tmp_path / 'pulse.db'}."
    )


def test_a_database_below_a_file_ends_the_process_with_one_line(bots: Bots, tmp_path: Path) -> None:
    (tmp_path / "data").write_text("a file where the directory should be")
    line = refused(start(bots, f"sqlite:///{tmp_path / 'data' / 'pulse.db'}"))
    assert line == (
        f"Pulse cannot start: the SQLite database {tmp_path / 'data' / 'pulse.db'} cannot be made: "
        f"{tmp_path / 'data'} is a file, not a directory. Check DATABASE_URL."
    )


@contextlib.contextmanager
def made_read_only(path: Path, *, file: bool) -> Iterator[None]:
    """The database file (`file`) or else its directory can be read but not written by the bot (see AS_NOBODY)."""
    directory = path.parent
    if file:
        path.chmod(0o444)
        directory.chmod(0o777)  # the bot could make its -wal and -shm files: only the database refuses
    else:
        if AS_NOBODY:
            os.chown(path, NOBODY, NOBODY)
        path.chmod(0o666)  # the bot could write the file itself: only the directory refuses
        directory.chmod(0o555)
    try:
        yield
    finally:
        directory.chmod(0o755)
        path.chmod(0o644)


def a_database_made_by_pulse(bots: Bots, directory: Path) -> tuple[Path, str]:
    directory.mkdir()
    path = directory / "pulse.db"
    bot = start(bots, f"sqlite:///{path}", name="maker")
    bot.wait_ready()
    assert bot.stop() == 0
    return path, f"sqlite:///{path}"


def test_a_read_only_database_file_is_refused_at_start(bots: Bots, tmp_path: Path) -> None:
    """Before, the bot came up and answered every write with "Something went wrong"."""
    path, url = a_database_made_by_pulse(bots, tmp_path / "data")
    with made_read_only(path, file=True):
        line = refused(start(bots, url, AS_NOBODY + BOT))
    assert line == (
        f"Pulse cannot start: the SQLite database {path} cannot be written (attempt to write a readonly database): "
        f"Pulse needs to write the file and its directory {path.parent} (SQLite keeps its -wal and -shm files "
        "there). Give Pulse's user write access, or set DATABASE_URL to a writable place."
    )


def test_a_database_in_a_read_only_directory_is_refused_at_start(bots: Bots, tmp_path: Path) -> None:
    path, url = a_database_made_by_pulse(bots, tmp_path / "data")
    with made_read_only(path, file=False):
        line = refused(start(bots, url, AS_NOBODY + BOT))
    assert line == (
        f"Pulse cannot start: the SQLite database {path} cannot be written (attempt to write a readonly database): "
        f"Pulse needs to write the file and its directory {path.parent} (SQLite keeps its -wal and -shm files "
        "there). Give Pulse's user write access, or set DATABASE_URL to a writable place."
    )


def test_a_new_database_in_a_read_only_directory_is_refused_at_start(bots: Bots, tmp_path: Path) -> None:
    directory = tmp_path / "data"
    directory.mkdir(mode=0o555)
    try:
        line = refused(start(bots, f"sqlite:///{directory / 'pulse.db'}", AS_NOBODY + BOT))
    finally:
        directory.chmod(0o755)
    assert line == (
        f"Pulse cannot start: the SQLite database {directory / 'pulse.db'} cannot be opened (unable to open "
        f"database file). Check DATABASE_URL, and that Pulse's user may read and write the file and its directory "
        f"{directory}."
    )


def test_a_read_only_postgresql_database_is_refused_at_start(bots: Bots) -> None:
    url = bots.new_database_url("postgresql")
    name = urlsplit(url).path.lstrip("/")
    run_sync(lambda: admin(f'ALTER DATABASE "{name}" SET default_transaction_read_only = on'))
    line = refused(start(bots, url))
    parts = urlsplit(url)
    assert line == (
        f"Pulse cannot start: PostgreSQL at {parts.hostname}:{parts.port}/{name} takes no writes "
        "(transaction_read_only is on: a standby server, or default_transaction_read_only is set for the database "
        "or user). Point DATABASE_URL at the primary server, or turn read-only off."
    )


# --- while running -----------------------------------------------------------------------------------------


async def admin(sql: str, url: str | None = None) -> None:
    conn = await asyncpg.connect(url or admin_url(), timeout=10)
    try:
        await conn.execute(sql)
    finally:
        await conn.close()


@contextlib.contextmanager
def writes_refused(bot: BotProcess, backend: str) -> Iterator[None]:
    """Every write of the running bot fails as it would on a full disk, until the block ends."""
    if backend == "sqlite":
        # A file size limit of 0 on the bot process: each write to a file fails with EFBIG (Python ignores
        # SIGXFSZ), which SQLite reports as an I/O error; reads go on. The bot's log is a pipe (see below).
        before = resource.prlimit(bot.pid, resource.RLIMIT_FSIZE)
        resource.prlimit(bot.pid, resource.RLIMIT_FSIZE, (0, before[1]))
        try:
            yield
        finally:
            resource.prlimit(bot.pid, resource.RLIMIT_FSIZE, before)
    else:
        refuse = (
            "CREATE FUNCTION disk_is_full() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN "
            "RAISE EXCEPTION 'could not extend file: No space left on device' USING ERRCODE = 'disk_full'; END $$; "
            "CREATE TRIGGER no_space BEFORE INSERT ON history_batches FOR EACH ROW EXECUTE FUNCTION disk_is_full();"
        )
        run_sync(lambda: admin(refuse, bot.database_url))
        try:
            yield
        finally:
            run_sync(lambda: admin("DROP FUNCTION disk_is_full() CASCADE", bot.database_url))


def private_answer(reply: Reply) -> str:
    """What the member reads, checked to be for their eyes only: the reply, or the followup after a deferral."""
    message = reply.refresh(followups=1).followups[-1] if reply.deferred else reply.message
    assert message is not None and message.ephemeral, reply
    return message.text


def entries(bot: BotProcess) -> list[tuple[object, ...]]:
    return [
        *bot.db.fetch_all("SELECT 'batch', kind FROM history_batches ORDER BY id"),
        *bot.db.fetch_all("SELECT 'followers', followers FROM follower_snapshots ORDER BY id"),
        *bot.db.fetch_all("SELECT 'post', likes FROM logged_posts ORDER BY id"),
    ]


def test_a_write_the_disk_refuses_is_told_as_nothing_saved(bots: Bots, tmp_path: Path) -> None:
    if bots.backend == "sqlite":
        # The bot's output goes through a pipe (to cat, and from there to its log file): a file size limit
        # applies to files only, so the bot can still log what went wrong.
        argv: tuple[str, ...] = ("bash", "-c", 'exec > >(exec cat) 2>&1; exec "$@"', "bash", *BOT)
    else:
        argv = BOT
    bot = start(bots, bots.database_url, argv)
    bot.wait_ready()
    member = bots.stand_in.user("creator")
    with writes_refused(bot, bots.backend):
        languages: tuple[tuple[str, Lang], ...] = (("nl", "nl"), ("en-US", "en"))
        for locale, lang in languages:
            not_saved = messages_for(lang)("errors.not_saved")
            assert private_answer(
                bot.invoke("log followers", {"count": 1234}, user=member, locale=locale)
            ) == (not_saved)
            assert private_answer(bot.invoke("engagement post", GUIDE_POST, user=member, locale=locale)) == (
                not_saved
            )
    assert entries(bot) == []
    assert bot.log.count("stored nothing") == 4
    # Room again: the same command is saved, so no failed transaction was left open.
    reply = bot.invoke("log followers", {"count": 1234}, user=member)
    assert "1,234" in reply.text and reply.text != messages_for("en")("errors.not_saved")
    assert entries(bot) == [("batch", "followers"), ("followers", 1234)]
