"""Importing a member's history from CSV: Dutch and English files, bad rows, limits, encodings."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from bot.domain.csv_import import (
    MAX_BYTES,
    MAX_PROBLEMS,
    MAX_ROWS,
    CellError,
    FileRejected,
    RepeatedRow,
    RowProblem,
    csv_rows,
    parse_count,
    parse_csv,
    parse_day,
    parse_moment,
    parse_rows,
    sniff_delimiter,
)
from bot.domain.history import FollowerCount, PostNumbers
from bot.domain.text import clean_text

NOW = datetime(2025, 6, 1, 9, 0, tzinfo=UTC)
NOON = 12


def noon(year: int, month: int, day: int) -> datetime:
    return datetime(year, month, day, NOON, tzinfo=UTC)


def test_dutch_excel_file_with_bom_semicolons_and_thousands_dots() -> None:
    data = (
        "datum;Vind-ik-leuks;Reacties;Keren gedeeld;Opslaan;Weergaven;Volgers;Titel\r\n"
        "01-03-2025;1.200;40;25;15;12.345;5.000;Mijn eerste video\r\n"
        "8-3-2025;300;40;25;15;;5.100;\r\n"
    ).encode("utf-8-sig")
    result = parse_csv(data, NOW)
    assert result.ok
    assert result.posts == (
        PostNumbers(noon(2025, 3, 1), 1200, 40, 25, 15, 12345, 5000, "Mijn eerste video"),
        PostNumbers(noon(2025, 3, 8), 300, 40, 25, 15, None, 5100, None),
    )
    assert result.followers == ()


def test_english_file_with_commas_quotes_times_and_offsets() -> None:
    data = (
        b"Date,Likes,Comments,Shares,Saves,Views,Followers,Title\n"
        b'2025-03-01 18:30,"1,200",40,25,15,"12,345","75,000","Hello, world"\n'
        b"2025-03-02T18:30:00+01:00,257,3,14,0,,75000,\n"
    )
    result = parse_csv(data, NOW)
    assert result.posts == (
        PostNumbers(datetime(2025, 3, 1, 18, 30, tzinfo=UTC), 1200, 40, 25, 15, 12345, 75000, "Hello, world"),
        PostNumbers(datetime(2025, 3, 2, 17, 30, tzinfo=UTC), 257, 3, 14, 0, None, 75000, None),
    )


def test_tab_separated_export_without_saves_column_counts_no_saves() -> None:
    data = b"date\tlikes\tcomments\tshares\tfollowers\n2025-01-05\t300\t40\t25\t5000\n"
    result = parse_csv(data, NOW)
    assert result.posts == (PostNumbers(noon(2025, 1, 5), 300, 40, 25, 0, None, 5000, None),)


def test_excel_sep_line_sets_the_delimiter_and_is_not_a_row() -> None:
    data = b"sep=;\ndatum;likes;reacties;delen;volgers\n05-01-2025;300;40;x;5000\n"
    result = parse_csv(data, NOW)
    # The header is row 1 as Excel shows the file (the sep line is hidden), so the bad row is row 2.
    assert result.problems == (RowProblem(2, "shares", "whole"),)


def test_rows_without_post_numbers_are_follower_counts() -> None:
    data = b"datum;volgers;likes;reacties;delen\n01-01-2025;4.800;;;\n02-01-2025;4.900;10;2;1\n"
    result = parse_csv(data, NOW)
    assert result.followers == (FollowerCount(noon(2025, 1, 1), 4800),)
    assert result.posts == (PostNumbers(noon(2025, 1, 2), 10, 2, 1, 0, None, 4900, None),)
    assert result.rows == 2


def test_followers_only_file() -> None:
    result = parse_csv(b"Date,Followers\n2025-01-01,1000\n2025-02-01,1100\n", NOW)
    assert result.followers == (FollowerCount(noon(2025, 1, 1), 1000), FollowerCount(noon(2025, 2, 1), 1100))
    assert result.posts == ()


def test_unknown_extra_columns_are_ignored() -> None:
    result = parse_csv(b"date,likes,comments,shares,followers,sound\n2025-01-01,1,2,3,10,trending\n", NOW)
    assert result.posts == (PostNumbers(noon(2025, 1, 1), 1, 2, 3, 0, None, 10, None),)


def test_bad_rows_store_nothing_and_are_reported_by_spreadsheet_row() -> None:
    data = (
        b"datum;likes;reacties;delen;opslaan;volgers\n"
        b"01-03-2025;100;10;5;1;5000\n"  # row 2: fine
        b"\n"  # row 3: blank, skipped but still counted as a row, as the spreadsheet shows it
        b"31-02-2025;1,5;;-4;0;0\n"  # row 4: five problems
        b"01-03-2025;100;10;5;1;5.000\n"  # row 5: fine
        b"01-01-2030;100;10;5;1;5000\n"  # row 6: in the future
    )
    result = parse_csv(data, NOW)
    assert not result.ok
    assert result.posts == () and result.followers == ()
    assert result.problems == (
        RowProblem(4, "date", "date"),
        RowProblem(4, "likes", "whole"),
        RowProblem(4, "comments", "required"),
        RowProblem(4, "shares", "min", {"minimum": 0}),
        RowProblem(4, "followers", "min", {"minimum": 1}),
        RowProblem(6, "date", "future"),
    )
    assert result.problem_count == 6


def test_only_the_first_problems_are_listed_but_all_are_counted() -> None:
    rows = "".join("2025-01-01,x,1,1,1000\n" for _ in range(25))
    result = parse_csv(("date,likes,comments,shares,followers\n" + rows).encode(), NOW)
    assert len(result.problems) == MAX_PROBLEMS
    assert [p.row for p in result.problems] == list(range(2, 2 + MAX_PROBLEMS))
    assert result.problem_count == 25


def test_date_before_tiktok_existed_is_a_typo() -> None:
    result = parse_csv(b"date,followers\n2001-05-01,1000\n", NOW)
    assert result.problems == (RowProblem(2, "date", "too_early", {"earliest": "2016-09-01"}),)


def test_problems_follow_the_columns_of_the_file() -> None:
    data = b"followers;shares;comments;likes;date\n0;x;;-1;2025-13-01\n"
    assert [p.column for p in parse_csv(data, NOW).problems] == [
        "followers",
        "shares",
        "comments",
        "likes",
        "date",
    ]


def test_title_too_long() -> None:
    result = parse_csv(
        ("date,likes,comments,shares,followers,title\n2025-01-01,1,1,1,10," + "x" * 201).encode(), NOW
    )
    assert result.problems == (RowProblem(2, "title", "too_long", {"maximum": 200}),)


def test_oversized_file_is_refused_before_reading() -> None:
    header = b"date,likes,comments,shares,followers\n2025-01-01,1,1,1,10\n"
    with pytest.raises(FileRejected) as caught:
        parse_csv(header + b"\n" * (MAX_BYTES + 1 - len(header)), NOW)
    assert caught.value.reason == "too_big"
    assert caught.value.values == {"maximum": MAX_BYTES}
    # Exactly at the limit is fine (trailing blank lines are not rows).
    assert parse_csv(header + b"\n" * (MAX_BYTES - len(header)), NOW).rows == 1


def test_row_limit() -> None:
    header = "date,followers\n"
    at_limit = (header + "2025-01-01,1000\n" * MAX_ROWS).encode()
    assert parse_csv(at_limit, NOW).rows == MAX_ROWS
    with pytest.raises(FileRejected) as caught:
        parse_csv(at_limit + b"2025-01-01,1000\n", NOW)
    assert caught.value.reason == "too_many_rows"
    assert caught.value.values == {"maximum": MAX_ROWS, "rows": MAX_ROWS + 1}


def test_windows_1252_file_is_refused_with_a_clear_reason() -> None:
    data = "date,likes,comments,shares,followers,title\n2025-01-01,1,1,1,10,Café\n".encode("cp1252")
    with pytest.raises(FileRejected) as caught:
        parse_csv(data, NOW)
    assert caught.value.reason == "encoding"


def test_utf16_file_is_refused_with_its_own_hint() -> None:
    data = "date\tfollowers\n2025-01-01\t10\n".encode("utf-16")
    with pytest.raises(FileRejected) as caught:
        parse_csv(data, NOW)
    assert caught.value.reason == "encoding_utf16"


def test_utf8_without_bom_keeps_accents() -> None:
    result = parse_csv("date,likes,comments,shares,followers,titel\n2025-01-01,1,1,1,10,Café\n".encode(), NOW)
    assert result.posts[0].title == "Café"


@pytest.mark.parametrize(
    ("data", "reason", "values"),
    [
        (b"", "empty", {}),
        (b"\n ; ;\n", "empty", {}),
        (b"date,likes,comments,shares,followers\n", "no_rows", {}),
        (b"date,likes\n2025-01-01,1\n", "missing_columns", {"columns": "followers, comments, shares"}),
        (b"likes,views\n1,2\n", "missing_columns", {"columns": "date, followers, comments, shares"}),
        (b"date,datum,followers\n2025-01-01,2025-01-01,1\n", "duplicate_column", {"column": "datum"}),
    ],
)
def test_files_that_cannot_be_read(data: bytes, reason: str, values: dict[str, object]) -> None:
    with pytest.raises(FileRejected) as caught:
        parse_csv(data, NOW)
    assert (caught.value.reason, caught.value.values) == (reason, values)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("0", 0),
        ("75000", 75000),
        ("75.000", 75000),
        ("75,000", 75000),
        ("75 000", 75000),
        ("75\u00a0000", 75000),
        ("75\u202f000", 75000),
        ("1.234.567", 1234567),
        ("1,234,567", 1234567),
        ("1'234'567", 1234567),
        ("1.234,00", 1234),
        ("1,234.00", 1234),
        ("12,0", 12),
        (" 42 ", 42),
    ],
)
def test_counts_as_readers_write_them(text: str, expected: int) -> None:
    assert parse_count(text) == expected


@pytest.mark.parametrize(
    ("text", "rule"),
    [
        ("1,5", "whole"),
        ("1.5", "whole"),
        ("1.234,5", "whole"),
        ("12.34", "whole"),
        ("1.234,567", "whole"),  # mixed separators, both followed by three digits
        ("1.234.00", "whole"),  # the decimal mark cannot also group thousands
        ("12k", "whole"),
        ("1.2K", "whole"),
        ("12.0000", "whole"),
        ("1,23,456", "whole"),
        ("١٢", "whole"),
        ("-3", "min"),
        ("1000000000001", "max"),
    ],
)
def test_counts_that_are_refused(text: str, rule: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_count(text)
    assert caught.value.rule == rule


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-01", datetime(2025, 3, 1, 12, tzinfo=UTC)),
        ("2025/03/01", datetime(2025, 3, 1, 12, tzinfo=UTC)),
        ("01-03-2025", datetime(2025, 3, 1, 12, tzinfo=UTC)),
        ("1-3-2025", datetime(2025, 3, 1, 12, tzinfo=UTC)),
        ("01/03/2025", datetime(2025, 3, 1, 12, tzinfo=UTC)),
        ("01.03.2025", datetime(2025, 3, 1, 12, tzinfo=UTC)),
        ("2025-03-01 18:30", datetime(2025, 3, 1, 18, 30, tzinfo=UTC)),
        ("01-03-2025 18:30:15", datetime(2025, 3, 1, 18, 30, 15, tzinfo=UTC)),
        ("2025-03-01T00:30:00+01:00", datetime(2025, 2, 28, 23, 30, tzinfo=UTC)),
        ("2025-03-01T18:30:00.123Z", datetime(2025, 3, 1, 18, 30, 0, 123000, tzinfo=UTC)),
        ("2025-03-01T18:30:00.1234567Z", datetime(2025, 3, 1, 18, 30, 0, 123456, tzinfo=UTC)),
        ("2024-12-31T23:00:00-0200", datetime(2025, 1, 1, 1, 0, tzinfo=UTC)),
    ],
)
def test_dates(text: str, expected: datetime) -> None:
    assert parse_moment(text) == expected


@pytest.mark.parametrize(
    "text",
    ["31-02-2025", "2025-13-01", "03/15/2025", "1-3-25", "yesterday", "2025-03-01 25:00", "2025-03-01+01:00"],
)
def test_dates_that_are_refused(text: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_moment(text)
    assert caught.value.rule == "date"


@pytest.mark.parametrize(
    ("line", "expected"),
    [
        ("date,likes,followers", ","),
        ("datum;likes;volgers", ";"),
        ("date\tlikes\tfollowers", "\t"),
        ("date", ","),
    ],
)
def test_delimiter_sniffing(line: str, expected: str) -> None:
    assert sniff_delimiter(line) == expected


def test_days_for_goals() -> None:
    assert (
        parse_day("2025-12-31") == parse_day("31-12-2025") == parse_day(" 31/12/2025 ") == date(2025, 12, 31)
    )
    for text in ("2025-12-31 10:00", "31-02-2025", "12/31/2025", "next year"):
        with pytest.raises(CellError):
            parse_day(text)


def test_csv_rows_keep_blank_rows_so_row_numbers_match_the_spreadsheet() -> None:
    data = "sep=;\ndatum;volgers\n\n01-01-2025;4.800\n".encode("utf-8-sig")
    assert csv_rows(data) == [["datum", "volgers"], [], ["01-01-2025", "4.800"]]
    assert csv_rows(b'"a","b"\n"1, 2",3\n') == [["a", "b"], ["1, 2", "3"]]


def test_parse_rows_reads_rows_from_anywhere() -> None:
    rows = [
        [],
        ["Date", "Likes", "Comments", "Shares", "Followers"],
        ["2025-01-05", "300", "40", "x", "5000"],
    ]
    assert parse_rows(rows, NOW).problems == (RowProblem(3, "shares", "whole"),)
    assert parse_rows([*rows[:2], ["2025-01-05", "300", "40", "25", "5000"]], NOW).posts == (
        PostNumbers(noon(2025, 1, 5), 300, 40, 25, 0, None, 5000, None),
    )
    with pytest.raises(FileRejected) as caught:
        parse_rows([[], [" "]], NOW)
    assert caught.value.reason == "empty"


def test_pulse_format_problems_name_no_file() -> None:
    assert RowProblem(2, "likes", "whole").file is None
    assert parse_csv(b"date,followers\nx,1\n", NOW).problems[0].file is None


# --- an unbalanced quote --------------------------------------------------------------------------------

POSTS_HEADER = b"date,likes,comments,shares,followers,title\n"


@pytest.mark.parametrize(
    ("data", "row"),
    [
        # Nothing closes the quote: the file ends inside the title.
        (POSTS_HEADER + b'2025-03-01,1,1,1,100,"Nice\n2025-03-02,2,2,2,100,Other\n', 2),
        # The quote of a later quoted cell closes it, and that cell's text runs on behind it.
        (
            POSTS_HEADER
            + b'2025-03-01,1,1,1,100,"Nice\n2025-03-02,2,2,2,100,"Other"\n2025-03-03,3,3,3,100,x\n',
            2,
        ),
        # A stray quote at the end of a later cell closes it neatly, but a whole row sits inside.
        (
            POSTS_HEADER
            + b'2025-03-01,1,1,1,100,Fine\n2025-03-02,1,1,1,100,"Nice\n2025-03-03,2,2,2,100,Size 12"\n',
            3,
        ),
        # Every cell quoted, as some tools write them.
        (
            b'"date","likes","comments","shares","followers","title"\n'
            b'"2025-03-01","1","1","1","100","Nice\n"2025-03-02","2","2","2","100","Other"\n',
            2,
        ),
        # The last row: nothing swallowed, but the quote is still never closed.
        (POSTS_HEADER + b'2025-03-01,1,1,1,100,"Nice\n', 2),
        # Rows as the spreadsheet numbers them: the sep line hidden, blank rows counted.
        (
            b'sep=;\ndatum;likes;reacties;delen;volgers;titel\n\n01-03-2025;1;1;1;100;"Nice\n02-03-2025;1;1;1;100;x\n',
            3,
        ),
    ],
    ids=["end of file", "closed by a later cell", "a whole row inside", "all quoted", "last row", "sep line"],
)
def test_an_unbalanced_quote_refuses_the_file_naming_its_row(data: bytes, row: int) -> None:
    with pytest.raises(FileRejected) as caught:
        parse_csv(data, NOW)
    assert (caught.value.reason, caught.value.values) == ("open_quote", {"row": row})


def test_cells_that_really_hold_line_breaks_and_quotes_are_read() -> None:
    data = (
        b"date,likes,comments,shares,followers,title,notes\r\n"
        b'2025-03-01,1,1,1,100,"Line one, still one\r\nline two ""quoted""","a\nb"\r\n'
        b'2025-03-02,2,2,2,100,12" pizza,\r\n'
    )
    result = parse_csv(data, NOW)
    assert [post.title for post in result.posts] == ['Line one, still one line two "quoted"', '12" pizza']


# --- offsets from UTC -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2025-03-01T18:30:00+23:59", datetime(2025, 2, 28, 18, 31, tzinfo=UTC)),
        ("2025-03-01T18:30:00-23:59", datetime(2025, 3, 2, 18, 29, tzinfo=UTC)),
        ("2025-03-01 18:30 +0545", datetime(2025, 3, 1, 12, 45, tzinfo=UTC)),
    ],
)
def test_offsets_up_to_a_minute_short_of_a_day(text: str, expected: datetime) -> None:
    assert parse_moment(text) == expected


@pytest.mark.parametrize(
    ("text", "offset"),
    [
        ("2025-03-01T18:30:00+24:00", "+24:00"),
        ("2025-03-01T18:30:00-24:00", "-24:00"),
        ("2025-03-01T18:30:00+99:00", "+99:00"),
        ("2025-03-01 18:30+05:99", "+05:99"),
        ("2025-03-01 18:30 -0560", "-0560"),
    ],
)
def test_offsets_that_are_refused_name_the_offset(text: str, offset: str) -> None:
    with pytest.raises(CellError) as caught:
        parse_moment(text)
    assert (caught.value.rule, caught.value.values) == ("offset", {"value": offset})


def test_a_bad_offset_is_a_problem_of_its_row() -> None:
    data = POSTS_HEADER + (
        b"2025-03-01T18:30:00+01:00,1,1,1,100,\n"
        b"2025-03-02T18:30:00+24:00,1,1,1,100,\n"
        b"2025-03-03T18:30:00+05:99,x,1,1,100,\n"
    )
    result = parse_csv(data, NOW)
    assert result.problems == (
        RowProblem(3, "date", "offset", {"value": "+24:00"}),
        RowProblem(4, "date", "offset", {"value": "+05:99"}),
        RowProblem(4, "likes", "whole"),
    )
    assert result.problem_count == 3


# --- rows repeated within the file ------------------------------------------------------------------------


def test_rows_repeated_in_the_file_are_kept_once_and_named() -> None:
    data = (
        b"date;likes;comments;shares;followers;title\n"
        b"01-03-2025;100;10;5;5000;Eerste\n"  # row 2
        b"01-03-2025;;;;5000;\n"  # row 3: a follower count
        b"01-03-2025;100;10;5;5.000;Eerste, nog eens\n"  # row 4: row 2 again (the title does not count)
        b"01-03-2025;100;10;6;5000;\n"  # row 5: one figure differs, so another post
        b"\n"  # row 6
        b"2025-03-01;;;;5.000;\n"  # row 7: row 3 again, written otherwise
        b"01-03-2025;100;10;5;5000;Eerste\n"  # row 8: row 2 once more
    )
    result = parse_csv(data, NOW)
    assert result.ok
    assert result.posts == (
        PostNumbers(noon(2025, 3, 1), 100, 10, 5, 0, None, 5000, "Eerste"),
        PostNumbers(noon(2025, 3, 1), 100, 10, 6, 0, None, 5000, None),
    )
    assert result.followers == (FollowerCount(noon(2025, 3, 1), 5000),)
    assert result.repeated == (RepeatedRow(4, 2), RepeatedRow(7, 3), RepeatedRow(8, 2))


def test_a_file_without_repeats_names_none() -> None:
    assert parse_csv(POSTS_HEADER + b"2025-03-01,1,1,1,100,\n2025-03-02,1,1,1,100,\n", NOW).repeated == ()


# --- invisible characters in titles ----------------------------------------------------------------------


def test_titles_lose_nul_bytes_and_bidi_controls() -> None:
    title = "Klei\x00 en\u202e glazuur\u2066!\u2069\u200f\x7f\x1b \u061cdeel\u200e 2\u202a\u200d🏺"
    data = POSTS_HEADER + f"2025-03-01,1,1,1,100,{title}\n2025-03-02,1,1,1,100,\u202e\x00\n".encode()
    result = parse_csv(data, NOW)
    assert [post.title for post in result.posts] == ["Klei en glazuur! deel 2\u200d🏺", None]


@pytest.mark.parametrize(
    ("text", "clean"),
    [
        ("plain text", "plain text"),
        ("tab\tstays", "tab\tstays"),
        ("line\nbreaks\r\nand\x85more\u2028here", "line breaks  and more here"),
        ("".join(chr(c) for c in range(0x20)), "\t" + " " * 8),
        ("\x7f\x80\x9f", ""),
        ("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f\u061c", ""),
        ("emoji\u200d🏺\ufe0f stay", "emoji\u200d🏺\ufe0f stay"),
    ],
)
def test_clean_text(text: str, clean: str) -> None:
    assert clean_text(text) == clean
