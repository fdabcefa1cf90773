"""Reading uploads: a CSV, an .xlsx or a zip of them, and refusing archives made to exhaust the bot."""

from __future__ import annotations

import io
import zipfile
from collections.abc import Iterator
from datetime import UTC, date, datetime, time
from pathlib import Path

import pytest

from bot.domain import uploads
from bot.domain.csv_import import MAX_ROWS, FileRejected
from bot.domain.uploads import (
    MAX_ARCHIVE_BYTES,
    MAX_CSV_BYTES,
    MAX_ENTRIES,
    MAX_ENTRY_BYTES,
    MAX_UNPACKED_BYTES,
    RATIO_FLOOR,
    Sheet,
    cell_text,
    read_upload,
    upload_limit,
)
from tests.tiktok_fixtures import (
    BOMB_MEMBER,
    BOMB_SIZE,
    CONTENT_HEADER,
    FOLLOWER_HISTORY_HEADER,
    bomb_zip,
    content_csv,
    follower_history_csv,
    lying_zip,
    sample_export,
    xlsx,
    zipped,
)

HISTORY = [["August 9", "1500", "0"], ["August 10", "1514", "14"]]


@pytest.fixture(scope="session")
def bomb(tmp_path_factory: pytest.TempPathFactory) -> bytes:
    return bomb_zip(tmp_path_factory.getbasetemp() / "bomb.zip")


@pytest.fixture
def opened(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[str]]:
    """The names of the zip members opened for reading, by anyone."""
    names: list[str] = []
    original = zipfile.ZipFile.open

    def spy(self: zipfile.ZipFile, name: str | zipfile.ZipInfo, *args: object, **kwargs: object) -> object:
        names.append(name.filename if isinstance(name, zipfile.ZipInfo) else name)
        return original(self, name, *args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(zipfile.ZipFile, "open", spy)
    yield names


def rejected(filename: str, data: bytes) -> tuple[str, dict[str, int | str]]:
    with pytest.raises(FileRejected) as caught:
        read_upload(filename, data)
    return caught.value.reason, caught.value.values


@pytest.mark.parametrize(
    ("name", "limit"),
    [
        ("history.csv", MAX_CSV_BYTES),
        ("history.CSV", MAX_CSV_BYTES),
        ("history.txt", MAX_CSV_BYTES),
        ("history", MAX_CSV_BYTES),
        ("Overview_2026-11-20_1732000000_lisa.maakt.zip", MAX_ARCHIVE_BYTES),
        ("export.ZIP", MAX_ARCHIVE_BYTES),
        ("history.xlsx", MAX_ARCHIVE_BYTES),
        ("History.XLSX", MAX_ARCHIVE_BYTES),
    ],
)
def test_upload_limit_by_name(name: str, limit: int) -> None:
    assert upload_limit(name) == limit


def test_the_limits() -> None:
    assert (MAX_CSV_BYTES, MAX_ARCHIVE_BYTES) == (1024 * 1024, 5 * 1024 * 1024)
    assert (MAX_ENTRIES, MAX_ENTRY_BYTES, MAX_UNPACKED_BYTES) == (50, 8 * 1024 * 1024, 24 * 1024 * 1024)


def test_a_csv_is_one_sheet_named_as_uploaded_without_its_bom() -> None:
    data = follower_history_csv(HISTORY)
    assert data.startswith(b"\xef\xbb\xbf")
    assert read_upload("FollowerHistory.csv", data) == [
        Sheet("FollowerHistory.csv", [list(FOLLOWER_HISTORY_HEADER), *HISTORY])
    ]


def test_content_decides_not_the_name() -> None:
    csv_data = b"date,followers\n2025-01-01,10\n"
    assert read_upload("export.zip", csv_data) == [
        Sheet("export.zip", [["date", "followers"], ["2025-01-01", "10"]])
    ]
    in_zip = zipped({"FollowerHistory.csv": follower_history_csv(HISTORY)})
    assert [s.name for s in read_upload("history.csv", in_zip)] == ["FollowerHistory.csv"]


def test_a_csv_keeps_its_blank_rows_and_strings_as_they_are() -> None:
    data = b"date;followers\n\n 01-01-2025 ;1.000\n"
    assert read_upload("h.csv", data)[0].rows == [["date", "followers"], [], [" 01-01-2025 ", "1.000"]]


def test_too_big_uploads() -> None:
    assert rejected("h.csv", b"date,followers\n" + b"\n" * MAX_CSV_BYTES) == (
        "too_big",
        {"maximum": MAX_CSV_BYTES},
    )
    padding = zipfile.ZipInfo("padding.bin")
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        archive.writestr(padding, b"x" * MAX_ARCHIVE_BYTES)
    assert rejected("big.zip", out.getvalue()) == ("too_big", {"maximum": MAX_ARCHIVE_BYTES})


def test_zip_of_four_files_in_its_own_order() -> None:
    files = {
        "Content.csv": content_csv(
            [["August 9", "Mok", "https://www.tiktok.com/@a/video/1", "Aug 1", 1, 2, 3, 4]]
        ),
        "FollowerHistory.csv": follower_history_csv(HISTORY),
        "FollowerActivity.csv": b"Date,Hour,Active followers\nAugust 9,0,5\n",
        "Overview.csv": b"Date,Video Views,Profile Views,Likes,Comments,Shares\n",
    }
    sheets = read_upload("Overview_2026-11-20_1732000000_a.zip", zipped(files))
    assert [s.name for s in sheets] == list(files)
    assert sheets[0].rows[1] == [
        "August 9",
        "Mok",
        "https://www.tiktok.com/@a/video/1",
        "Aug 1",
        "1",
        "2",
        "3",
        "4",
    ]
    assert sheets[2].rows == [["Date", "Hour", "Active followers"], ["August 9", "0", "5"]]


def test_members_anywhere_in_the_zip_but_not_the_copies_macos_and_excel_leave() -> None:
    data = zipped(
        {
            "export/": b"",
            "export/FollowerHistory.CSV": follower_history_csv(HISTORY),
            "__MACOSX/export/._FollowerHistory.CSV": b"\x00\x05\x16\x07",
            "export/._Content.csv": b"\x00\x05\x16\x07",
            "export/~$Content.xlsx": b"owner",
            "export/readme.txt": b"hello",
            "export/nested.zip": zipped({"Content.csv": b"x"}),
            "windows\\Viewers.csv": b"Date,Total Viewers\n",
            "__MACOSX\\windows\\._Viewers.csv": b"\x00\x05\x16\x07",
        }
    )
    assert [s.name for s in read_upload("export.zip", data)] == ["FollowerHistory.CSV", "Viewers.csv"]


@pytest.mark.parametrize(
    "data",
    [zipped({"readme.txt": b"hi"}), zipped({}), zipped({"inner.zip": zipped({"Content.csv": b"x"})})],
    ids=["no csv", "empty zip", "only a nested zip"],
)
def test_zip_without_a_sheet(data: bytes) -> None:
    assert rejected("export.zip", data) == ("archive_empty", {})


def test_xlsx_first_worksheet_with_cells_as_text() -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(["Date", "Followers", "Share", "Flag", "Note", "Time"])
    sheet.append([datetime(2025, 8, 9, 18, 30), 1500, 0.25, True, " spaced ", time(14, 0)])
    sheet.append([date(2025, 8, 10), 1514.0, None, False, "undefined", time(14, 0, 30)])
    sheet.append([datetime(2025, 8, 11), 1.5e3, 12.5, None, None, None])
    workbook.create_sheet("Second").append(["not", "read"])
    out = io.BytesIO()
    workbook.save(out)
    assert read_upload("history.xlsx", out.getvalue()) == [
        Sheet(
            "history.xlsx",
            [
                ["Date", "Followers", "Share", "Flag", "Note", "Time"],
                ["2025-08-09 18:30:00", "1500", "0.25", "TRUE", " spaced ", "14:00"],
                ["2025-08-10", "1514", "", "FALSE", "undefined", "14:00:30"],
                ["2025-08-11", "1500", "12.5"],
            ],
        )
    ]


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (7, "7"),
        (7.0, "7"),
        (7.25, "7.25"),
        (1e20, "100000000000000000000"),
        (True, "TRUE"),
        (False, "FALSE"),
        (datetime(2025, 8, 9), "2025-08-09"),
        (datetime(2025, 8, 9, 0, 0, 1), "2025-08-09 00:00:01"),
        (date(2025, 8, 9), "2025-08-09"),
        ("  as is ", "  as is "),
    ],
)
def test_cell_text(value: object, text: str) -> None:
    assert cell_text(value) == text


def test_xlsx_inside_a_zip_is_named_by_its_member() -> None:
    workbook = xlsx(
        CONTENT_HEADER, [["August 9", "Mok", "https://www.tiktok.com/@a/video/1", "Aug 1", 1, 2, 3, 4]]
    )
    data = zipped({"Content.xlsx": workbook, "FollowerHistory.csv": follower_history_csv(HISTORY)})
    sheets = read_upload("Content_2026-11-20_1732000000_a.zip", data)
    assert [s.name for s in sheets] == ["Content.xlsx", "FollowerHistory.csv"]
    assert sheets[0].rows == [
        list(CONTENT_HEADER),
        ["August 9", "Mok", "https://www.tiktok.com/@a/video/1", "Aug 1", "1", "2", "3", "4"],
    ]


def _rewritten(data: bytes, part: str, old: bytes, new: bytes) -> bytes:
    """An archive with the same members, `old` replaced by `new` in one of them."""
    source = zipfile.ZipFile(io.BytesIO(data))
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_DEFLATED) as archive:
        for info in source.infolist():
            body = source.read(info)
            if info.filename == part:
                assert old in body
                body = body.replace(old, new)
            archive.writestr(info.filename, body)
    return out.getvalue()


def test_xlsx_with_a_wrong_dimension_is_read_whole() -> None:
    data = xlsx(["Date", "Followers"], [["August 9", 1500], ["August 10", 1514]])
    data = _rewritten(
        data, "xl/worksheets/sheet1.xml", b'<dimension ref="A1:B3" />', b'<dimension ref="A1" />'
    )
    assert read_upload("h.xlsx", data)[0].rows == [
        ["Date", "Followers"],
        ["August 9", "1500"],
        ["August 10", "1514"],
    ]


def test_xlsx_claiming_a_row_past_excels_last_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    assert uploads.MAX_SHEET_ROWS == 1_048_576
    # The reader walks the gap row by row; a smaller limit keeps the test quick.
    monkeypatch.setattr(uploads, "MAX_SHEET_ROWS", 1000)
    data = xlsx(["Date", "Followers"], [["August 9", 1500], ["August 10", 1514]])
    assert len(read_upload("h.xlsx", data)[0].rows) == 3
    data = _rewritten(data, "xl/worksheets/sheet1.xml", b'<row r="3"', b'<row r="1001"')
    data = _rewritten(data, "xl/worksheets/sheet1.xml", b'r="A3"', b'r="A1001"')
    data = _rewritten(data, "xl/worksheets/sheet1.xml", b'r="B3"', b'r="B1001"')
    assert rejected("h.xlsx", data) == ("archive_unreadable", {"file": "h.xlsx"})


def test_xlsx_cells_past_the_column_limit_are_left_out() -> None:
    row = ["x"] * 70
    assert read_upload("h.xlsx", xlsx(row, [row]))[0].rows == [["x"] * 64, ["x"] * 64]


def test_xlsx_with_too_many_rows_is_counted_but_not_kept() -> None:
    data = xlsx(["Date", "Followers"], (["2025-01-01", 10] for _ in range(MAX_ROWS + 2)))
    assert rejected("h.xlsx", data) == ("too_many_rows", {"maximum": MAX_ROWS, "rows": MAX_ROWS + 2})
    inside = zipped({"Content.xlsx": data})
    assert rejected("e.zip", inside) == (
        "too_many_rows",
        {"maximum": MAX_ROWS, "rows": MAX_ROWS + 2, "file": "Content.xlsx"},
    )


def test_empty_xlsx() -> None:
    assert rejected("h.xlsx", xlsx([], [])) == ("empty", {})


def test_files_inside_a_zip_are_named_when_refused() -> None:
    latin = "Date,Followers\nAugust 9,1500\nCafé,1\n".encode("cp1252")
    assert rejected("e.zip", zipped({"a/FollowerHistory.csv": latin})) == (
        "encoding",
        {"file": "FollowerHistory.csv"},
    )
    assert rejected("e.zip", zipped({"Content.csv": b""})) == ("empty", {"file": "Content.csv"})
    assert rejected("Content.csv", b"") == ("empty", {})


def test_the_bomb_is_refused_before_a_byte_is_unpacked(bomb: bytes, opened: list[str]) -> None:
    # Small enough to pass the upload limit: the archive checks are what stops it.
    assert len(bomb) < MAX_ARCHIVE_BYTES
    assert zipfile.ZipFile(io.BytesIO(bomb)).getinfo(BOMB_MEMBER).file_size == BOMB_SIZE
    opened.clear()
    assert rejected("Overview_2026-11-20_1732000000_lisa.maakt.zip", bomb) == (
        "archive_too_big",
        {"file": "Content.csv", "size": BOMB_SIZE, "maximum": MAX_CSV_BYTES},
    )
    assert opened == []


def test_a_member_too_big_after_a_good_one_stops_the_zip_before_either_is_unpacked(opened: list[str]) -> None:
    data = zipped(
        {"FollowerHistory.csv": follower_history_csv(HISTORY), "Content.csv": bytes(MAX_CSV_BYTES + 1)}
    )
    opened.clear()
    assert rejected("e.zip", data) == (
        "archive_too_big",
        {"file": "Content.csv", "size": MAX_CSV_BYTES + 1, "maximum": MAX_CSV_BYTES},
    )
    assert opened == []


def test_a_member_whose_header_understates_its_size_is_stopped_at_the_cap() -> None:
    data = lying_zip(real_size=3 * 1024 * 1024, declared_size=1000)
    assert zipfile.ZipFile(io.BytesIO(data)).getinfo("Content.csv").file_size == 1000
    assert rejected("e.zip", data) == (
        "archive_too_big",
        {"file": "Content.csv", "size": MAX_CSV_BYTES + 1, "maximum": MAX_CSV_BYTES},
    )


def test_a_member_whose_header_lies_within_the_cap_is_damaged() -> None:
    assert rejected("e.zip", lying_zip(real_size=2000, declared_size=1000)) == (
        "archive_unreadable",
        {"file": "Content.csv"},
    )


def test_a_workbook_part_that_packs_too_well_is_refused() -> None:
    part = bytes(2 * RATIO_FLOOR)
    data = zipped(
        {"Content.xlsx": zipped({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": part})}
    )
    reason, values = rejected("e.zip", data)
    assert (reason, values["file"], values["size"], values["maximum"]) == (
        "archive_too_big",
        "Content.xlsx",
        len(part),
        RATIO_FLOOR,
    )


def test_a_workbook_part_past_the_entry_limit_is_refused(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_RATIO", 10**6)
    part = bytes(MAX_ENTRY_BYTES + 1)
    data = zipped({"xl/workbook.xml": b"<workbook/>", "xl/worksheets/sheet1.xml": part})
    assert rejected("h.xlsx", data) == (
        "archive_too_big",
        {"file": "h.xlsx", "size": MAX_ENTRY_BYTES + 1, "maximum": MAX_ENTRY_BYTES},
    )


def test_all_members_together_have_a_limit(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(uploads, "MAX_UNPACKED_BYTES", 2500)
    files = {f"{n}.csv": b"Date,Followers\n" + b"x" * 985 for n in "abc"}
    assert rejected("e.zip", zipped(files)) == (
        "archive_too_big",
        {"file": "c.csv", "size": 3000, "maximum": 2500},
    )


def test_too_many_members() -> None:
    files = {f"f{n}.csv": b"a,b\n1,2\n" for n in range(MAX_ENTRIES + 1)}
    assert rejected("e.zip", zipped(files)) == ("archive_too_many", {"maximum": MAX_ENTRIES})
    del files["f0.csv"]
    assert len(read_upload("e.zip", zipped(files))) == MAX_ENTRIES


def test_an_xlsx_with_too_many_parts() -> None:
    parts = {"xl/workbook.xml": b"<workbook/>"} | {f"xl/media/{n}.png": b"" for n in range(MAX_ENTRIES)}
    assert rejected("h.xlsx", zipped(parts)) == ("archive_too_many", {"maximum": MAX_ENTRIES})


def _flip_flag(data: bytes, bit: int) -> bytes:
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 6), (b"PK\x01\x02", 8)):
        at = data.index(signature)
        patched[at + offset] |= bit
    return bytes(patched)


def _corrupt_stream(data: bytes) -> bytes:
    info = zipfile.ZipFile(io.BytesIO(data)).infolist()[0]
    start = info.header_offset + 30 + len(info.filename)
    patched = bytearray(data)
    patched[start + info.compress_size // 2] ^= 0xFF
    return bytes(patched)


def _bzip2(name: str, body: bytes) -> bytes:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w", compression=zipfile.ZIP_BZIP2) as archive:
        archive.writestr(name, body)
    return out.getvalue()


def _crc_mismatch(data: bytes) -> bytes:
    patched = bytearray(data)
    for signature, offset in ((b"PK\x03\x04", 14), (b"PK\x01\x02", 16)):
        patched[data.index(signature) + offset] ^= 0xFF
    return bytes(patched)


HISTORY_ZIP = zipped({"FollowerHistory.csv": follower_history_csv(HISTORY * 50)})


@pytest.mark.parametrize(
    ("data", "file"),
    [
        (b"PK\x03\x04 this is no zip", "export.zip"),
        (HISTORY_ZIP[: len(HISTORY_ZIP) // 2], "export.zip"),
        (_corrupt_stream(HISTORY_ZIP), "FollowerHistory.csv"),
        (_crc_mismatch(HISTORY_ZIP), "FollowerHistory.csv"),
        (_flip_flag(HISTORY_ZIP, 0x1), "FollowerHistory.csv"),
        (_bzip2("FollowerHistory.csv", follower_history_csv(HISTORY)), "FollowerHistory.csv"),
        (zipped({"Content.xlsx": b"not a workbook"}), "Content.xlsx"),
        (zipped({"Content.xlsx": zipped({"data.csv": b"a"})}), "Content.xlsx"),
        (zipped({"xl/workbook.xml": b"<workbook/>"}), "export.zip"),
    ],
    ids=[
        "no zip",
        "truncated",
        "damaged data",
        "checksum",
        "encrypted",
        "bzip2",
        "xlsx that is no zip",
        "xlsx without a workbook",
        "broken workbook",
    ],
)
def test_unreadable_archives(data: bytes, file: str) -> None:
    assert rejected("export.zip", data) == ("archive_unreadable", {"file": file})


def test_bomb_fixture_is_cached_on_disk(tmp_path: Path, bomb: bytes) -> None:
    path = tmp_path / "bomb.zip"
    path.write_bytes(b"cached")
    assert bomb_zip(path) == b"cached"
    assert bomb_zip() is bomb_zip()


# --- Excel files under another name ------------------------------------------------------------------

OLD_EXCEL = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + bytes(504)  # the start of an .xls (an OLE compound file)
EXCEL_PARTS_ONLY = zipped({"[Content_Types].xml": b"<Types/>", "xl/worksheets/sheet1.xml": b"<worksheet/>"})
BROKEN_WORKBOOK = zipped({"[Content_Types].xml": b"<Types/>", "xl/workbook.xml": b"<workbook/>"})


@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("posts.csv", OLD_EXCEL),
        ("posts.xls", OLD_EXCEL),
        ("posts.csv", EXCEL_PARTS_ONLY),
        ("posts.zip", EXCEL_PARTS_ONLY),
        ("posts.csv", BROKEN_WORKBOOK),
        ("posts", BROKEN_WORKBOOK),
    ],
)
def test_an_excel_file_pulse_cannot_read_is_named_as_excel(name: str, data: bytes) -> None:
    assert rejected(name, data) == ("excel_workbook", {})


def test_a_broken_workbook_under_its_own_name_is_damaged() -> None:
    assert rejected("posts.xlsx", BROKEN_WORKBOOK) == ("archive_unreadable", {"file": "posts.xlsx"})


def test_a_readable_workbook_renamed_to_csv_is_read() -> None:
    data = xlsx(["date", "followers"], [["2025-01-01", 10]])
    assert read_upload("posts.csv", data) == [
        Sheet("posts.csv", [["date", "followers"], ["2025-01-01", "10"]])
    ]


def test_tiktok_exports_are_zips_but_not_taken_for_excel() -> None:
    now = datetime(2026, 11, 20, 9, 30, tzinfo=UTC)
    sheets = read_upload("posts.csv", sample_export(now))
    assert [s.name for s in sheets] == [
        "Content.csv",
        "FollowerHistory.csv",
        "FollowerActivity.csv",
        "Overview.csv",
    ]
    workbook = zipped({"Content.xlsx": xlsx(CONTENT_HEADER, [])})
    assert read_upload("export.zip", workbook) == [Sheet("Content.xlsx", [list(CONTENT_HEADER)])]
