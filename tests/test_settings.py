from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    "url", ["postgresql://localhost/pulse", "pulse.db", "sqlite:///", "sqlite://pulse.db"]
)
def test_other_database_urls_are_refused(monkeypatch: pytest.MonkeyPatch, url: str) -> None:
    monkeypatch.setenv("DISCORD_TOKEN", "t")
    monkeypatch.setenv("DATABASE_URL", url)
    with pytest.raises(SettingsError, match="DATABASE_URL"):
        load_settings()
