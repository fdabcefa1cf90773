"""Settings read from the environment and an optional .env file."""

from __future__ import annotations

from datetime import datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from bot.domain.shards import Shards

TOKEN_HELP = (
    "DISCORD_TOKEN is not set. Create an application at https://discord.com/developers/applications, "
    "open Bot > Reset Token, and put the token in DISCORD_TOKEN (environment or .env)."
)


class SettingsError(ValueError):
    """The settings cannot start the bot; the message is one line meant for the operator."""


class Settings(BaseSettings):
    """Everything Pulse reads from its environment."""

    model_config = SettingsConfigDict(env_file=".env", env_file_encoding="utf-8", extra="ignore")

    discord_token: SecretStr
    database_url: str = "sqlite:///pulse.db"
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL"] = "INFO"
    dev_guild_id: int | None = None
    command_sync: Literal["auto", "always", "never"] = "auto"
    # Further cog modules to load, comma-separated (e.g. a server's own extension).
    extra_extensions: str = ""
    # Where Discord is reached; only changed to go through a proxy or a stand-in.
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    # Seconds Discord may take, in all, to let Pulse log in and connect (its first READY); a Discord that takes
    # the connection and never answers would otherwise hold the start for minutes.
    discord_connect_timeout: float = Field(default=30.0, gt=0, le=3600)
    # Start the bot's clock at this moment (ISO 8601 with an offset); it runs at normal speed from there.
    # For trying out scheduled posts and for the end-to-end tests; leave unset in production.
    clock_start: datetime | None = None
    # How long a started scheduled job (a weekly post) may take before another start presumes its process died.
    job_lease_seconds: int = Field(default=120, ge=1, le=3600)
    # Multiplies each member's wait between uses of the heavy commands (bot/domain/limits.py); 0 turns it off.
    cooldown_scale: float = Field(default=1.0, ge=0, le=100)
    # PostgreSQL only: connections per process, and how long one query may run before it is stopped.
    database_pool_size: int = Field(default=10, ge=1, le=100)
    database_statement_timeout: float = Field(default=30.0, gt=0, le=3600)
    # Shards over processes: every process gets the same SHARD_COUNT and its own SHARD_IDS ("0,1"; empty: all).
    shard_count: int | None = Field(default=None, ge=1, le=10000)
    shard_ids: str = ""
    # Serve /health and /metrics for operators on this port (unset: not at all), on METRICS_HOST's address.
    metrics_port: int | None = Field(default=None, ge=1, le=65535)
    metrics_host: str = "127.0.0.1"

    @field_validator("log_level", "command_sync", mode="before")
    @classmethod
    def _normalise_case(cls, value: object) -> object:
        if not isinstance(value, str):
            return value
        return value.upper() if value.lower() not in ("auto", "always", "never") else value.lower()

    @field_validator("clock_start")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        if value is not None and value.tzinfo is None:
            raise ValueError("needs a UTC offset, e.g. 2026-11-23T08:59:55+01:00")
        return value

    @field_validator("dev_guild_id", "clock_start", "shard_count", "metrics_port", mode="before")
    @classmethod
    def _blank_is_none(cls, value: object) -> object:
        return None if value == "" else value

    @field_validator("metrics_host", mode="before")
    @classmethod
    def _blank_is_loopback(cls, value: object) -> object:
        # An empty host would make the endpoints listen on every interface: that has to be asked for by name.
        return "127.0.0.1" if isinstance(value, str) and not value.strip() else value

    @field_validator("discord_token")
    @classmethod
    def _token_present(cls, value: SecretStr) -> SecretStr:
        if not value.get_secret_value().strip():
            raise ValueError("empty")
        return value

    @property
    def sqlite_path(self) -> Path:
        """The database file named by DATABASE_URL."""
        return sqlite_path(self.database_url)

    @property
    def uses_postgres(self) -> bool:
        return is_postgres_url(self.database_url)

    @property
    def shards(self) -> Shards:
        """The shards this process runs (all of them when SHARD_COUNT is unset)."""
        return parse_shards(self.shard_count, self.shard_ids)

    @property
    def extensions(self) -> list[str]:
        return [name.strip() for name in self.extra_extensions.split(",") if name.strip()]


def is_postgres_url(database_url: str) -> bool:
    return database_url.partition("://")[0] in ("postgresql", "postgres")


def sqlite_path(database_url: str) -> Path:
    """`sqlite:///pulse.db` is relative to the working directory, `sqlite:////data/pulse.db` absolute."""
    scheme, sep, rest = database_url.partition("://")
    if not sep or scheme != "sqlite":
        raise SettingsError(
            f"DATABASE_URL must start with sqlite:/// or postgresql:// (got {scheme or database_url!r})."
        )
    if not rest.startswith("/") or rest == "/":
        raise SettingsError(
            "DATABASE_URL must name a file, e.g. sqlite:///pulse.db or sqlite:////data/pulse.db."
        )
    return Path(rest[1:])


def load_settings(**overrides: Any) -> Settings:
    """Read the settings, turning every problem into one line that names the variable."""
    try:
        settings = Settings(**overrides)
    except ValidationError as exc:
        error = exc.errors()[0]
        field = str(error["loc"][0]) if error["loc"] else ""
        if field == "discord_token":
            raise SettingsError(TOKEN_HELP) from None
        raise SettingsError(f"{field.upper()}: {error['msg']} (got {error.get('input')!r}).") from None
    if not settings.uses_postgres:
        settings.sqlite_path  # noqa: B018 - validates DATABASE_URL before anything starts
    if not settings.shards.everything and not settings.uses_postgres:
        raise SettingsError(
            "SHARD_IDS splits Pulse over processes, and processes cannot share one SQLite file: move to PostgreSQL "
            "first (python -m bot migrate-db --to postgresql://…) and set DATABASE_URL to it."
        )
    return settings


def parse_shards(count: int | None, ids: str) -> Shards:
    """SHARD_COUNT and SHARD_IDS as one value; SHARD_IDS alone, or ids outside the count, are refused."""
    listed = [part.strip() for part in ids.split(",") if part.strip()]
    if count is None:
        if listed:
            raise SettingsError("SHARD_IDS needs SHARD_COUNT: the number of shards over all processes.")
        return Shards()
    try:
        chosen = sorted({int(part) for part in listed}) if listed else list(range(count))
    except ValueError:
        raise SettingsError(
            f"SHARD_IDS must be shard numbers separated by commas, e.g. 0,1 (got {ids!r})."
        ) from None
    outside = [shard for shard in chosen if not 0 <= shard < count]
    if outside:
        raise SettingsError(
            f"SHARD_IDS {outside} are outside 0…{count - 1}: SHARD_COUNT is {count}, so shards run 0 to {count - 1}."
        )
    return Shards(count, tuple(chosen))
