from pathlib import Path

import pytest

from bot.domain.shards import Shards
from bot.settings import TOKEN_HELP, SettingsError, load_settings, sqlite_path


@pytest.fixture(autouse=True)
def clean_environment(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for name in (
        "DISCORD_TOKEN",
        "DATABASE_URL",
        "LOG_LEVEL",
        "DEV_GUILD_ID",
        "COMMAND_SYNC",
        "EXTRA_EXTENSIONS",
        "METRICS_PORT",
        "METRICS_HOST",
        "DISCORD_CONNECT_TIMEOUT",
    ):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env


def test_defaults(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "abc.def")
    settings = load_settings()
    assert settings.database_url == "sqlite:///pulse.db"
    assert settings.sqlite_path == Path("pulse.db")
    assert settings.log_level == "INFO"
    assert settings.command_sync == "auto"
    assert settings.dev_guild_id is None
    assert settings.extensions == []
    assert settings.discord_connect_timeout == 30


@pytest.mark.parametrize("value", ["0", "-1", "soon"])
def test_a_connect_timeout_that_is_no_time_names_the_variable(
    monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("DISCORD_CONNECT_TIMEOUT", value)
    with pytest.raises(SettingsError, match=r"^DISCORD_CONNECT_TIMEOUT: .*\(got '"):
        load_settings()


def test_token_is_secret(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "very-secret-token")
    settings = load_settings()
    assert "very-secret-token" not in repr(settings)
    assert "very-secret-token" not in str(settings.model_dump())
    assert settings.discord_token.get_secret_value() == "very-secret-token"


@pytest.mark.parametrize("value", [None, "", "   "])
def test_missing_token_names_the_variable(monkeypatch: pytest.MonkeyPatch, value: str | None) -> None:
    if value is not None:
        monkeypatch.setenv("DISCORD_TOKEN", value)
    with pytest.raises(SettingsError) as caught:
        load_settings()
    assert str(caught.value) == TOKEN_HELP
    assert "DISCORD_TOKEN" in TOKEN_HELP and "\n" not in TOKEN_HELP


def test_dotenv_file_is_read(tmp_path: Path) -> None:
    (tmp_path / ".env").write_text("DISCORD_TOKEN=from-file\nCOMMAND_SYNC=never\nDEV_GUILD_ID=\n")
    settings = load_settings()
    assert settings.discord_token.get_secret_value() == "from-file"
    assert settings.command_sync == "never"
    assert settings.dev_guild_id is None


def test_values_are_read_case_insensitively(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("LOG_LEVEL", "debug")
    monkeypatch.setenv("COMMAND_SYNC", "ALWAYS")
    monkeypatch.setenv("DEV_GUILD_ID", "123456789012345678")
    monkeypatch.setenv("EXTRA_EXTENSIONS", "a.b, c.d ,")
    settings = load_settings()
    assert (settings.log_level, settings.command_sync) == ("DEBUG", "always")
    assert settings.dev_guild_id == 123456789012345678
    assert settings.extensions == ["a.b", "c.d"]


def test_bad_sync_mode_names_the_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("COMMAND_SYNC", "sometimes")
    with pytest.raises(SettingsError, match=r"^COMMAND_SYNC"):
        load_settings()


@pytest.mark.parametrize(
    ("url", "path"),
    [("sqlite:///pulse.db", Path("pulse.db")), ("sqlite:////data/pulse.db", Path("/data/pulse.db"))],
)
def test_sqlite_paths(url: str, path: Path) -> None:
    assert sqlite_path(url) == path


@pytest.mark.parametrize("url", ["pulse.db", "sqlite:///", "sqlite://pulse.db", "mysql://localhost/pulse"])
def test_other_database_urls_are_refused(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings()


@pytest.mark.parametrize("url", ["postgresql://pulse:secret@db:5432/pulse", "postgres://localhost/pulse"])
def test_postgresql_urls_choose_postgresql(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("DATABASE_URL", url)
    settings = load_settings()
    assert settings.uses_postgres
    assert settings.database_pool_size == 10
    assert settings.database_statement_timeout == 30.0


@pytest.mark.parametrize(
    ("count", "ids", "expected"),
    [
        ("", "", Shards()),
        ("4", "", Shards(4, (0, 1, 2, 3))),
        ("4", "2, 3", Shards(4, (2, 3))),
        ("2", "1,1", Shards(2, (1,))),
    ],
)
def test_shard_settings(monkeypatch: pytest.MonkeyPatch, count: str, ids: str, expected: Shards) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("DATABASE_URL", "postgresql://localhost/pulse")
    monkeypatch.setenv("SHARD_COUNT", count)
    monkeypatch.setenv("SHARD_IDS", ids)
    assert load_settings().shards == expected


@pytest.mark.parametrize(
    ("count", "ids", "problem"),
    [
        ("", "0", "SHARD_IDS needs SHARD_COUNT"),
        ("2", "2", r"SHARD_IDS \[2\] are outside 0…1"),
        ("2", "one", "SHARD_IDS must be shard numbers"),
        ("0", "", "SHARD_COUNT"),
    ],
)
def test_bad_shard_settings_are_one_line(
    monkeypatch: pytest.MonkeyPatch, count: str, ids: str, problem: str
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("SHARD_COUNT", count)
    monkeypatch.setenv("SHARD_IDS", ids)
    with pytest.raises(SettingsError, match=problem):
        load_settings()


def test_a_split_over_processes_needs_postgresql(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("SHARD_COUNT", "2")
    monkeypatch.setenv("DATABASE_URL", "sqlite:///pulse.db")
    # One process running every shard keeps its SQLite file to itself.
    assert load_settings().shards == Shards(2, (0, 1))
    monkeypatch.setenv("SHARD_IDS", "1")
    with pytest.raises(SettingsError, match="cannot share one SQLite file"):
        load_settings()


@pytest.mark.parametrize(
    ("port", "host", "expected"),
    [
        (None, None, (None, "127.0.0.1")),
        ("", "", (None, "127.0.0.1")),
        ("9100", None, (9100, "127.0.0.1")),
        ("9100", "0.0.0.0", (9100, "0.0.0.0")),
    ],
)
def test_metrics_are_off_unless_a_port_is_set_and_stay_on_loopback_unless_told(
    monkeypatch: pytest.MonkeyPatch, port: str | None, host: str | None, expected: tuple[int | None, str]
) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    for name, value in (("METRICS_PORT", port), ("METRICS_HOST", host)):
        if value is not None:
            monkeypatch.setenv(name, value)
    settings = load_settings()
    assert (settings.metrics_port, settings.metrics_host) == expected


@pytest.mark.parametrize("port", ["0", "65536", "http"])
def test_a_bad_metrics_port_names_the_variable(monkeypatch: pytest.MonkeyPatch, port: str) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("METRICS_PORT", port)
    with pytest.raises(SettingsError, match=r"^METRICS_PORT"):
        load_settings()
