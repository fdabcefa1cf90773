"""Member history through the stand-in Discord: logging, /history with its buttons, /progress, /goal, imports."""

from __future__ import annotations

import io
import re
from collections.abc import Callable, Iterator
from datetime import date, timedelta
from typing import Any

import pytest
from matplotlib.image import imread

from tests.e2e.bot_process import BotProcess, shared_bot
from tests.e2e.stand_in import MANAGE_GUILD, MEMBER_PERMISSIONS, Reply, StandIn, User


@pytest.fixture(scope="module")
def pulse(tmp_path_factory: pytest.TempPathFactory) -> Iterator[BotProcess]:
    """These flows repeat /progress and /log import within seconds by design: no cooldowns here (the limits
    themselves are tested in test_privacy.py)."""
    with shared_bot(tmp_path_factory.mktemp("history"), env={"COOLDOWN_SCALE": "0"}) as bot:
        yield bot


PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"
GUIDE_POST = {"likes": 300, "comments": 40, "shares": 25, "saves": 15, "followers": 5_000}


def log_post(bot: BotProcess, user: User, likes: int, locale: str = "en-US") -> Reply:
    reply = bot.invoke(
        "engagement post", {**GUIDE_POST, "likes": likes, "log": True}, user=user, locale=locale
    )
    assert reply.type == 4, reply
    return reply


def everything(reply: Reply) -> str:
    """What the member reads, wherever the bot put it: the reply itself or followups (errors after a defer)."""
    return "\n".join([reply.text, *(message.text for message in reply.followups)])


def custom_id(reply: Reply, name: str) -> str:
    found = [c for c in reply.custom_ids if c.endswith(f":{name}")]
    assert len(found) == 1, f"no single {name!r} among {reply.custom_ids}"
    return found[0]


def entry_lines(reply: Reply) -> list[str]:
    return [line for line in (reply.embeds[0].get("description") or "").splitlines() if line.startswith("`")]


def delete_options(reply: Reply) -> list[dict[str, Any]]:
    select = reply.message.component(custom_id(reply, "delete")) if reply.message else None
    assert select is not None
    return list(select["options"])


def test_log_three_posts_see_them_delete_one_undo_one(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("creator")
    # (300 + 40 + 25 + 15) / 5 000 = 7.6% (guide 000); 1 380 -> 27.6%; 80 -> 2.6%.
    for likes in (300, 1_300, 0):
        answer = log_post(pulse, member, likes)
        assert not answer.ephemeral
        assert "Saved to your history" in answer.text

    history = pulse.invoke("history", user=member)
    assert history.type == 4 and history.ephemeral
    lines = entry_lines(history)
    assert len(lines) == 3, history.text
    # Newest first: the three were logged in this order, seconds apart.
    assert ["**1.6%**" in lines[0], "**27.6%**" in lines[1], "**7.6%**" in lines[2]] == [True] * 3
    assert "3 entries" in history.text

    progress = pulse.invoke("progress", user=member)
    assert progress.deferred and progress.ephemeral
    assert "over 3 posts" in progress.text
    # (7.6 + 27.6 + 1.6) / 3 = 12.27%: High for 5k–10k followers.
    assert "**12.27%**" in progress.text and "**High**" in progress.text
    assert "**5,000**" in progress.text
    assert "27.6%" in progress.text  # the best post
    png = progress.files["progress.png"]
    assert png.startswith(PNG_SIGNATURE)
    assert imread(io.BytesIO(png), format="png").shape[:2] == (500, 1000)
    assert progress.embeds[0]["image"]["url"] == "attachment://progress.png"

    # Delete the 27.6% post: pick it, then confirm.
    option = next(o for o in delete_options(history) if "27.6%" in o["label"])
    asked = pulse.click(history, custom_id(history, "delete"), values=[option["value"]], user=member)
    assert asked.type == 7 and "Delete this entry?" in asked.text and "27.6%" in asked.text
    deleted = pulse.click(asked, custom_id(asked, "confirm"), user=member)
    assert "Deleted." in deleted.text
    assert [("**1.6%**" in line, "**7.6%**" in line) for line in entry_lines(deleted)] == [
        (True, False),
        (False, True),
    ]

    # Undo the last entry: the 1.6% post, logged last.
    asked = pulse.click(deleted, custom_id(deleted, "undo"), user=member)
    assert "Undo your last entry?" in asked.text and "1.6%" in asked.text
    kept = pulse.click(asked, custom_id(asked, "cancel"), user=member)
    assert len(entry_lines(kept)) == 2
    asked = pulse.click(kept, custom_id(kept, "undo"), user=member)
    undone = pulse.click(asked, custom_id(asked, "confirm"), user=member)
    assert "Undone." in undone.text
    remaining = entry_lines(undone)
    assert len(remaining) == 1 and "**7.6%**" in remaining[0]

    after = pulse.invoke("progress", user=member)
    assert "over 1 post," in after.text and "1 post logged" in after.text
    assert "**7.6%**" in after.text


def test_history_and_progress_in_dutch(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("maker")
    answer = log_post(pulse, member, 300, locale="nl")
    assert "Bewaard in je geschiedenis" in answer.text
    history = pulse.invoke("history", user=member, locale="nl")
    assert "**7,6%**" in history.text and "5.000 volgers" in history.text
    progress = pulse.invoke("progress", user=member, locale="nl")
    assert "Laatste 4 weken: **7,6%**" in progress.text and "**Hoog**" in progress.text
    assert "voortgang.png" in progress.files


def test_another_member_needs_manage_server_for_someone_elses_report(pulse: BotProcess) -> None:
    owner, other = pulse.stand_in.user("owner"), pulse.stand_in.user("nosy")
    log_post(pulse, owner, 300)
    refused = pulse.invoke("progress", {"member": owner}, user=other, permissions=MEMBER_PERMISSIONS)
    assert refused.type == 4 and refused.ephemeral
    assert "Manage Server" in refused.text
    assert "7.6%" not in refused.text and not refused.files

    allowed = pulse.invoke(
        "progress", {"member": owner}, user=other, permissions=MEMBER_PERMISSIONS | MANAGE_GUILD
    )
    assert allowed.ephemeral
    assert "Progress of Owner" in allowed.text and "**7.6%**" in allowed.text
    assert "progress.png" in allowed.files


def test_history_buttons_answer_only_their_owner(pulse: BotProcess) -> None:
    owner, other = pulse.stand_in.user("owner2"), pulse.stand_in.user("clicker")
    log_post(pulse, owner, 300)
    history = pulse.invoke("history", user=owner)
    refused = pulse.click(history, custom_id(history, "undo"), user=other)
    assert refused.type == 4 and refused.ephemeral
    assert "someone else's /history" in refused.text
    still = pulse.invoke("history", user=owner)
    assert len(entry_lines(still)) == 1


def test_progress_without_history_says_how_to_start(pulse: BotProcess) -> None:
    reply = pulse.invoke("progress", user=pulse.stand_in.user("newcomer"))
    assert reply.ephemeral and "/log followers" in reply.text and not reply.files
    empty = pulse.invoke("history", user=pulse.stand_in.user("newcomer2"))
    assert "Nothing logged yet" in empty.text and not empty.custom_ids


def test_log_followers_and_goals(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("grower")
    first = pulse.invoke("log followers", {"count": 4_000}, user=member)
    assert first.ephemeral and "**4,000 followers**" in first.text
    second = pulse.invoke("log followers", {"count": 4_250}, user=member)
    assert "+250" in second.text

    bad = pulse.invoke("goal set", {"metric": "followers", "target": 5_000, "by": "someday"}, user=member)
    assert bad.ephemeral and "not a date" in bad.text
    past = pulse.invoke("goal set", {"metric": "followers", "target": 5_000, "by": "2020-01-01"}, user=member)
    assert "after today" in past.text
    goal = pulse.invoke("goal set", {"metric": "followers", "target": 5_000, "by": "31-12-2099"}, user=member)
    assert "Pick a date before" in goal.text  # more than three years out
    soon = (date.today() + timedelta(days=60)).isoformat()
    goal = pulse.invoke("goal set", {"metric": "followers", "target": 5_000, "by": soon}, user=member)
    assert goal.ephemeral and "Goal set" in goal.text and "You start from 4,250" in goal.text
    shown = pulse.invoke("goal show", user=member)
    assert "4,250 of 5,000" in shown.text and "on pace: 0% of the way, 0% of the time gone" in shown.text

    progress = pulse.invoke("progress", user=member)
    assert "**4,250** (+250 in 12 weeks)" in progress.text
    assert "4,250 of 5,000" in progress.text
    cleared = pulse.invoke("goal clear", user=member)
    assert "Goals removed: 1" in cleared.text
    assert "no goals" in pulse.invoke("goal show", user=member).text


def csv_upload(stand_in: StandIn, data: bytes, name: str = "history.csv") -> Any:
    return stand_in.attachment(name, data, "text/csv")


DUTCH_EXCEL = (
    "datum;Vind-ik-leuks;Reacties;Keren gedeeld;Opslaan;Volgers;Titel\r\n"
    "01-03-2025;300;40;25;15;5.000;Eerste video\r\n"
    "08-03-2025;1.200;40;25;15;5.100;\r\n"
    "15-03-2025;;;;;5.150;\r\n"
    "16-03-2025;100;10;5;5;5.200;Laatste\r\n"
).encode("utf-8-sig")


def test_csv_import_good_file_then_the_same_file_again(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("importer")
    reply = pulse.invoke("log import", {"file": csv_upload(pulse.stand_in, DUTCH_EXCEL)}, user=member)
    assert reply.deferred and reply.ephemeral
    assert "Posts: **3**; follower counts: **1**" in reply.text
    history = pulse.invoke("history", user=member)
    assert "4 entries" in history.text and "Eerste video" in history.text
    again = pulse.invoke("log import", {"file": csv_upload(pulse.stand_in, DUTCH_EXCEL)}, user=member)
    assert "already in your history" in again.text
    assert "4 entries" in pulse.invoke("history", user=member).text
    # Undo takes back the whole import at once.
    history = pulse.invoke("history", user=member)
    asked = pulse.click(history, custom_id(history, "undo"), user=member)
    assert "Posts: 3; follower counts: 1" in asked.text
    undone = pulse.click(asked, custom_id(asked, "confirm"), user=member)
    assert "Nothing logged yet" in undone.text


def test_csv_import_bad_rows_store_nothing(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("typo")
    data = (
        b"date,likes,comments,shares,followers\n"
        b"2025-03-01,300,40,25,5000\n"
        b"2025-03-02,3oo,40,25,5000\n"
        b"2025-02-30,300,40,25,\n"
    )
    reply = pulse.invoke("log import", {"file": csv_upload(pulse.stand_in, data)}, user=member)
    assert reply.ephemeral
    assert "Nothing imported" in reply.text
    assert "Row 3, column “likes”: not a whole number" in reply.text
    assert "Row 4, column “date”" in reply.text
    assert "Row 4, column “followers”: empty" in reply.text
    assert "Nothing logged yet" in pulse.invoke("history", user=member).text


def test_csv_import_refuses_wrong_encodings_and_big_files(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("latin")
    latin = "date,likes,comments,shares,followers,title\n2025-03-01,1,1,1,100,Café\n".encode("cp1252")
    reply = pulse.invoke("log import", {"file": csv_upload(pulse.stand_in, latin)}, user=member)
    assert reply.ephemeral and "not UTF-8" in everything(reply)

    before = len(pulse.stand_in.requests_to("GET", r"/attachments/.*"))
    big = b"date,followers\n" + b"2025-03-01,100\n" * 80_000  # 1.2 MB
    reply = pulse.invoke("log import", {"file": csv_upload(pulse.stand_in, big, "big.csv")}, user=member)
    assert reply.type == 4 and reply.ephemeral
    assert re.search(r"That file is 1\.\d MB; Pulse reads CSV files up to 1 MB", reply.text), reply.text
    # Refused by the size Discord states, without downloading it.
    assert len(pulse.stand_in.requests_to("GET", r"/attachments/.*")) == before
    assert "Nothing logged yet" in pulse.invoke("history", user=member).text


def test_kill_9_right_after_acknowledged_logs_loses_none(start_bot: Callable[..., BotProcess]) -> None:
    bot = start_bot()
    member = bot.stand_in.user("steady")
    acknowledged = 0
    for likes in range(25):
        reply = log_post(bot, member, likes)
        assert "Saved to your history" in reply.text
        acknowledged += 1
    followers = bot.invoke("log followers", {"count": 5_001}, user=member)
    assert "Saved" in followers.text
    acknowledged += 1
    bot.kill()

    again = start_bot(database_url=bot.database_url)
    history = again.invoke("history", user=member)
    assert f"{acknowledged} entries" in history.text, history.text


def test_history_pages(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("prolific")
    rows = "".join(f"2025-01-{day:02d},{day},1,1,1000\n" for day in range(1, 26))
    data = ("date,likes,comments,shares,followers\n" + rows).encode()
    imported = pulse.invoke("log import", {"file": csv_upload(pulse.stand_in, data)}, user=member)
    assert "Posts: **25**" in imported.text
    first = pulse.invoke("history", user=member)
    assert "Page 1 of 3 · 25 entries" in first.text
    assert "25 Jan 2025" in entry_lines(first)[0] and len(entry_lines(first)) == 10
    assert first.message is not None
    previous = first.message.component(custom_id(first, "previous"))
    assert previous is not None and previous["disabled"] is True
    second = pulse.click(first, custom_id(first, "next"), user=member)
    assert "Page 2 of 3" in second.text and "15 Jan 2025" in entry_lines(second)[0]
    back = pulse.click(second, custom_id(second, "previous"), user=member)
    assert "Page 1 of 3" in back.text
    last = pulse.invoke("history", {"page": 3}, user=member)
    assert "Page 3 of 3" in last.text and len(entry_lines(last)) == 5
    assert entry_lines(last)[0].startswith("`21`")
