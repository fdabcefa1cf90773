"""What the bot answered: snapshots of its messages that tests read and assert on."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .limits import EPHEMERAL, walk_components

if TYPE_CHECKING:
    from .server import StandIn

# Interaction response types (https://discord.com/developers/docs/interactions/receiving-and-responding).
MESSAGE = 4
DEFERRED = 5
DEFERRED_UPDATE = 6
UPDATE = 7
AUTOCOMPLETE = 8
MODAL = 9


def message_text(content: str, embeds: list[dict[str, Any]], components: list[Any]) -> str:
    """Everything a member reads in a message, one piece per line."""
    parts = [content] if content else []
    for embed in embeds:
        parts += [(embed.get("author") or {}).get("name") or "", embed.get("title") or ""]
        parts.append(embed.get("description") or "")
        for embed_field in embed.get("fields") or []:
            parts += [embed_field.get("name") or "", embed_field.get("value") or ""]
        parts.append((embed.get("footer") or {}).get("text") or "")
    for component in walk_components(components):
        if component.get("type") == 10:  # text display (components v2)
            parts.append(component.get("content") or "")
        elif component.get("label"):
            parts.append(component["label"])
    return "\n".join(p for p in parts if p)


@dataclass(frozen=True)
class Attachment:
    """A file a member uploaded, served by the stand-in; pass it as an attachment option's value."""

    id: int
    filename: str
    data: bytes
    content_type: str | None
    url: str

    def payload(self) -> dict[str, Any]:
        return {
            "id": str(self.id),
            "filename": self.filename,
            "size": len(self.data),
            "url": self.url,
            "proxy_url": self.url,
            "content_type": self.content_type,
            "ephemeral": True,
        }


@dataclass(frozen=True)
class Message:
    """One message the bot posted, as it stood when the snapshot was taken."""

    payload: dict[str, Any]
    files: dict[str, bytes] = field(default_factory=dict)

    @property
    def id(self) -> int:
        return int(self.payload["id"])

    @property
    def content(self) -> str:
        return self.payload.get("content") or ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.payload.get("embeds") or []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.payload.get("components") or []

    @property
    def flags(self) -> int:
        return int(self.payload.get("flags") or 0)

    @property
    def ephemeral(self) -> bool:
        return bool(self.flags & EPHEMERAL)

    @property
    def text(self) -> str:
        return message_text(self.content, self.embeds, self.components)

    @property
    def custom_ids(self) -> list[str]:
        return [c["custom_id"] for c in walk_components(self.components) if c.get("custom_id")]

    def component(self, custom_id: str) -> Mapping[str, Any] | None:
        return next((c for c in walk_components(self.components) if c.get("custom_id") == custom_id), None)


@dataclass(frozen=True)
class Reply:
    """The bot's answer to one interaction.

    `type` is the response type (4 message, 5 deferred, 6 deferred update, 7 update, 8 autocomplete, 9 modal).
    For 4/5/6/7, `message` is the message the member sees (after the deferred reply's edits); `followups` are
    further messages. The message fields (content, embeds, text, files, components, ephemeral) read `message`.
    """

    type: int
    interaction: dict[str, Any]
    callback: dict[str, Any]
    message: Message | None
    followups: tuple[Message, ...] = ()
    stand_in: StandIn | None = field(default=None, repr=False, compare=False)

    @property
    def data(self) -> dict[str, Any]:
        return self.callback.get("data") or {}

    @property
    def ephemeral(self) -> bool:
        if self.message is not None:
            return self.message.ephemeral
        return bool(int(self.data.get("flags") or 0) & EPHEMERAL)

    @property
    def deferred(self) -> bool:
        return self.type in (DEFERRED, DEFERRED_UPDATE)

    @property
    def content(self) -> str:
        return self.message.content if self.message else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.message.embeds if self.message else []

    @property
    def components(self) -> list[dict[str, Any]]:
        return self.message.components if self.message else []

    @property
    def files(self) -> dict[str, bytes]:
        return self.message.files if self.message else {}

    @property
    def text(self) -> str:
        return self.message.text if self.message else ""

    @property
    def custom_ids(self) -> list[str]:
        return self.message.custom_ids if self.message else []

    @property
    def choices(self) -> list[dict[str, Any]]:
        """An autocomplete answer's choices."""
        return self.data.get("choices") or []

    @property
    def modal(self) -> dict[str, Any] | None:
        """A modal's title, custom_id and components."""
        return self.data if self.type == MODAL else None

    def refresh(self, *, followups: int = 0, timeout: float = 10.0) -> Reply:
        """The same reply as it stands now, after waiting until it has at least `followups` followups."""
        if self.stand_in is None:
            raise RuntimeError("this reply is not tied to a running stand-in")
        return self.stand_in.refresh(self, followups=followups, timeout=timeout)
