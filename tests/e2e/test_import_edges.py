"""/log import of files that went wrong in a member's hands: an unbalanced quote, impossible offsets from UTC,
rows repeated in one file, an Excel workbook renamed to .csv, and titles holding invisible characters."""

from __future__ import annotations

import io
import json
import zipfile
from collections.abc import Iterator
from typing import Any

import pytest

from tests.e2e.bot_process import BotProcess, shared_bot
from tests.e2e.stand_in import Reply, User
from tests.tiktok_fixtures import xlsx


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    """Imports follow each other within seconds by design: no cooldowns here."""
    with shared_bot(tmp_path_factory.mktemp("import-edges"), env={"COOLDOWN_SCALE": "0"}) as bot:
        yield bot


def import_file(bot: BotProcess, member: User, data: bytes, locale: str, name: str = "posts.csv") -> str:
    """What the member reads after uploading `data`: the answer, or the refusal that followed the deferral."""
    upload = bot.stand_in.attachment(name, data, "text/csv")
    reply = bot.invoke("log import", {"file": upload}, user=member, locale=locale)
    assert reply.ephemeral, reply
    return everything(reply)


def everything(reply: Reply) -> str:
    return "\n".join([reply.text, *(message.text for message in reply.followups)])


def stored_posts(bot: BotProcess, member: User) -> list[tuple[Any, ...]]:
    return bot.db.fetch_all(
        "SELECT likes, title FROM logged_posts WHERE user_id = ? ORDER BY posted_at, id", (member.id,)
    )


def stored_counts(bot: BotProcess, member: User) -> list[tuple[Any, ...]]:
    return bot.db.fetch_all(
        "SELECT followers FROM follower_snapshots WHERE user_id = ? ORDER BY id", (member.id,)
    )


# --- an unbalanced quote ------------------------------------------------------------------------------------

OPEN_QUOTE = {
    "nl": 'In rij {row} begint een cel met een aanhalingsteken (") dat nergens wordt gesloten, dus Pulse kan niet '
    "zien waar die cel ophoudt en de volgende rijen beginnen. Haal dat aanhalingsteken weg of zet het sluitende "
    "erbij en upload het bestand opnieuw.",
    "en": 'In row {row} a cell starts with a quotation mark (") that is never closed, so Pulse cannot tell where '
    "that cell ends and the next rows begin. Remove that quotation mark or add the closing one, then upload the "
    "file again.",
}


@pytest.mark.parametrize(
    ("locale", "data", "row"),
    [
        (
            "nl",
            b"datum;likes;reacties;delen;volgers;titel\r\n"
            b'01-03-2025;100;10;5;5.000;"Mijn video\r\n'
            b"02-03-2025;200;20;10;5.000;Tweede\r\n",
            2,
        ),
        (
            "en-US",
            b"date,likes,comments,shares,followers,title\n"
            b"2025-03-01,100,10,5,5000,First\n"
            b'2025-03-02,200,20,10,5000,"Second\n'
            b'2025-03-03,300,30,15,5000,"Third"\n'
            b"2025-03-04,400,40,20,5000,Fourth\n",
            3,
        ),
    ],
    ids=["nl", "en"],
)
def test_an_unbalanced_quote_is_refused_naming_its_row(
    pulse: BotProcess, locale: str, data: bytes, row: int
) -> None:
    member = pulse.stand_in.user(f"quote-{locale}")
    text = import_file(pulse, member, data, locale)
    assert OPEN_QUOTE[locale[:2]].format(row=row) in text, text
    assert stored_posts(pulse, member) == []


# --- offsets from UTC ------------------------------------------------------------------------------------


def test_impossible_offsets_are_problems_of_their_rows(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("offsets")
    data = (
        b"datum;likes;reacties;delen;volgers\n"
        b"2025-03-01T18:30:00+01:00;1;1;1;100\n"
        b"2025-03-02T18:30:00+24:00;1;1;1;100\n"
        b"2025-03-03T18:30:00+05:99;1;1;1;100\n"
    )
    text = import_file(pulse, member, data, "nl")
    assert "Niets geïmporteerd: posts.csv bevat fouten" in text, text
    problems = [line for line in text.splitlines() if line.startswith("• ")]
    assert problems == [
        "• Rij 3, kolom “datum”: “+24:00” is geen geldig tijdzoneverschil (schrijf het bijvoorbeeld als +01:00 of -05:30)",
        "• Rij 4, kolom “datum”: “+05:99” is geen geldig tijdzoneverschil (schrijf het bijvoorbeeld als +01:00 of -05:30)",
    ]
    text = import_file(pulse, member, b"date,followers\n2025-03-02 09:00-2400,100\n", "en-US")
    assert [line for line in text.splitlines() if line.startswith("• ")] == [
        "• Row 2, column “date”: “-2400” is not a valid time zone offset (write one such as +01:00 or -05:30)"
    ]
    assert stored_posts(pulse, member) == [] and stored_counts(pulse, member) == []


# --- rows repeated within the file -------------------------------------------------------------------------


def test_rows_repeated_in_the_file_are_told_apart_from_rows_already_stored(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("repeats")
    first = b"datum;likes;reacties;delen;volgers;titel\n01-03-2025;100;10;5;5000;Eerste\n"
    assert "Geïmporteerd. Posts: **1**; volgerstanden: **0**." in import_file(pulse, member, first, "nl")
    second = (
        b"datum;likes;reacties;delen;volgers;titel\n"
        b"01-03-2025;100;10;5;5000;Eerste\n"  # row 2: stored by the first import
        b"02-03-2025;200;20;10;5000;Tweede\n"  # row 3: new
        b"02-03-2025;200;20;10;5.000;Tweede nog eens\n"  # row 4: row 3 again
        b"03-03-2025;;;;5100;\n"  # row 5: a new follower count
        b"03-03-2025;;;;5.100;\n"  # row 6: row 5 again
        b"01-03-2025;100;10;5;5000;Eerste\n"  # row 7: row 2 again
    )
    text = import_file(pulse, member, second, "nl")
    assert "Geïmporteerd. Posts: **1**; volgerstanden: **1**." in text, text
    assert (
        "1 rij stond al in je geschiedenis en is overgeslagen. Hetzelfde bestand twee keer importeren telt nooit "
        "iets dubbel." in text
    )
    assert (
        "3 rijen herhalen een eerdere rij van ditzelfde bestand en zijn dus niet dubbel bewaard: rij 4 (gelijk aan "
        "rij 3), rij 6 (gelijk aan rij 5), rij 7 (gelijk aan rij 2)." in text
    )
    assert stored_posts(pulse, member) == [(100, "Eerste"), (200, "Tweede")]
    assert stored_counts(pulse, member) == [(5100,)]

    english = pulse.stand_in.user("repeats-en")
    data = b"date,followers\n2025-03-01,900\n2025-03-01,900\n"
    text = import_file(pulse, english, data, "en-US")
    assert "Imported. Posts: **0**; follower counts: **1**." in text, text
    assert "Row 3 repeats row 2 of this same file, so it was not stored twice." in text
    assert "already in your history" not in text
    assert stored_counts(pulse, english) == [(900,)]


# --- an Excel workbook renamed to .csv -------------------------------------------------------------------

EXCEL = {
    "nl": "Dat bestand is een Excel-werkmap, geen CSV-bestand. Kies in Excel Bestand › Opslaan als › “CSV UTF-8 "
    "(door komma's gescheiden)” en upload het nieuwe bestand.",
    "en": "That file is an Excel workbook, not a CSV file. In Excel, choose File › Save As › “CSV UTF-8 (comma "
    "delimited)” and upload the new file.",
}


def minimal_xlsx() -> bytes:
    """An .xlsx as a zip of XML parts, made by hand: its workbook names no sheet, so it cannot be read."""
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        archive.writestr(
            "[Content_Types].xml",
            '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
            '<Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.'
            'spreadsheetml.sheet.main+xml"/></Types>',
        )
        archive.writestr(
            "xl/workbook.xml",
            '<?xml version="1.0"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"/>',
        )
    return out.getvalue()


# The first sector of an .xls: the OLE compound file header, as Excel 97-2003 writes it.
OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(16) + b"\x3e\x00\x03\x00\xfe\xff" + bytes(482)


@pytest.mark.parametrize(
    ("locale", "data"),
    [("nl", OLD_EXCEL), ("en-US", minimal_xlsx()), ("nl", minimal_xlsx())],
    ids=["xls nl", "xlsx en", "xlsx nl"],
)
def test_an_excel_file_renamed_to_csv_is_named_as_excel(pulse: BotProcess, locale: str, data: bytes) -> None:
    member = pulse.stand_in.user(f"excel-{locale}-{len(data)}")
    text = import_file(pulse, member, data, locale)
    assert EXCEL[locale[:2]] in text, text
    assert stored_posts(pulse, member) == []


def test_a_readable_workbook_renamed_to_csv_is_imported(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("excel-readable")
    data = xlsx(("datum", "likes", "reacties", "delen", "volgers"), [["2025-03-01", 120, 12, 4, 2_900]])
    text = import_file(pulse, member, data, "nl")
    assert "Geïmporteerd. Posts: **1**; volgerstanden: **0**." in text, text
    assert stored_posts(pulse, member) == [(120, None)]


# --- invisible characters in titles ---------------------------------------------------------------------


def history(bot: BotProcess, member: User, locale: str) -> tuple[str, str]:
    """The member's /history as read, and its components as sent (select labels included), characters as is."""
    reply = bot.invoke("history", user=member, locale=locale)
    return reply.text, json.dumps(reply.components, ensure_ascii=False)


@pytest.mark.parametrize("locale", ["nl", "en-US"])
def test_nul_bytes_and_bidi_controls_are_stripped_from_titles(pulse: BotProcess, locale: str) -> None:
    member = pulse.stand_in.user(f"invisible-{locale}")
    title = "Klei\x00 en\u202e glazuur\u2066!\u2069\u200f\x1b\u061c"
    data = f"date,likes,comments,shares,followers,title\n2025-03-01,100,10,5,5000,{title}\n".encode()
    text = import_file(pulse, member, data, locale)
    assert "Posts: **1**" in text, text
    assert stored_posts(pulse, member) == [(100, "Klei en glazuur!")]
    shown, components = history(pulse, member, locale)
    assert "· Klei en glazuur!" in shown, shown
    assert "· Klei en glazuur!" in components
    for character in ("\x00", "\u202e", "\u2066", "\u2069", "\u200f", "\x1b", "\u061c"):
        assert character not in shown and character not in components


def test_titles_stored_dirty_before_are_shown_clean(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("stored-dirty")
    data = b"date,likes,comments,shares,followers,title\n2025-03-01,100,10,5,5000,Oud\n"
    assert "Posts: **1**" in import_file(pulse, member, data, "en-US")
    # As an import before the cleaning stored it (PostgreSQL text cannot hold a NUL byte, so none here).
    pulse.db.execute(
        "UPDATE logged_posts SET title = ? WHERE user_id = ?", ("Oud\u202e \x1btitel\u2066", member.id)
    )
    for locale in ("en-US", "nl"):
        shown, components = history(pulse, member, locale)
        assert "· Oud titel" in shown and "· Oud titel" in components, shown
        for character in ("\u202e", "\x1b", "\u2066"):
            assert character not in shown and character not in components
