"""/tips, /ask, /monetize, /mediakit and the /engagement post signals line, through the stand-in Discord."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from tests.e2e.bot_process import BotProcess
from tests.e2e.stand_in import Reply, StandInError


def public(reply: Reply) -> str:
    assert reply.type == 4, "answered straight away, without deferring"
    assert not reply.ephemeral
    assert len(reply.embeds) == 1
    return reply.text


def private(reply: Reply) -> str:
    assert reply.type == 4
    assert reply.ephemeral
    return reply.text


def history_csv(saves_last: int = 2, posts: int = 12) -> bytes:
    """Daily posts: 100 likes, 10 comments, 5 shares, 8 saves at 5 000 followers; the last three fewer saves."""
    start = date.today() - timedelta(days=posts + 1)
    rows = ["date,likes,comments,shares,saves,followers"]
    for n in range(posts):
        saves = saves_last if n >= posts - 3 else 8
        rows.append(f"{(start + timedelta(days=n)).isoformat()},100,10,5,{saves},5000")
    return ("\n".join(rows) + "\n").encode()


def import_history(pulse: BotProcess, member, data: bytes) -> None:
    upload = pulse.stand_in.attachment("posts.csv", data, "text/csv")
    reply = pulse.invoke("log import", {"file": upload}, user=member)
    assert "Posts: **12**" in reply.text, reply.text


# --- /tips with a topic ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "title", "tip", "source"),
    [
        ("nl", "Tips: Hashtags en TikTok-SEO", "3 tot 5 hashtags", "Bron: Betrokkenheid op TikTok"),
        ("en-US", "Tips: Hashtags and TikTok SEO", "3 to 5 hashtags", "Source: Engagement on TikTok"),
    ],
)
def test_tips_for_a_topic(pulse: BotProcess, locale: str, title: str, tip: str, source: str) -> None:
    text = public(pulse.invoke("tips", {"topic": "hashtags"}, locale=locale))
    assert title in text
    assert tip in text
    assert source in text


@pytest.mark.parametrize(
    ("locale", "typed", "title"),
    [
        ("nl", "Digitaal welzijn", "Tips: Digitaal welzijn"),
        ("en-US", "video length", "Tips: Video length and structure"),
    ],
)
def test_tips_for_a_typed_topic_name(pulse: BotProcess, locale: str, typed: str, title: str) -> None:
    assert title in public(pulse.invoke("tips", {"topic": typed}, locale=locale))


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("nl", "Er is geen tiponderwerp dat “kookrecepten” heet"),
        ("en-US", "There is no tip topic called “kookrecepten”"),
    ],
)
def test_tips_for_an_unknown_topic(pulse: BotProcess, locale: str, expected: str) -> None:
    assert expected in private(pulse.invoke("tips", {"topic": "kookrecepten"}, locale=locale))


@pytest.mark.parametrize(
    ("locale", "typed", "expected"),
    [
        ("nl", "hash", [{"name": "Hashtags en TikTok-SEO", "value": "hashtags"}]),
        ("en-US", "hash", [{"name": "Hashtags and TikTok SEO", "value": "hashtags"}]),
        ("nl", "samen", [{"name": "Samenwerken (Duet, Stitch)", "value": "collaboration"}]),
        ("en-US", "wellb", [{"name": "Digital wellbeing", "value": "wellbeing"}]),
        ("nl", "qqq", []),
    ],
)
def test_topic_autocomplete(
    pulse: BotProcess, locale: str, typed: str, expected: list[dict[str, str]]
) -> None:
    assert pulse.autocomplete("tips", {"topic": typed}, focused="topic", locale=locale) == expected


@pytest.mark.parametrize(
    ("locale", "first"), [("nl", "Hook en de eerste 3 seconden"), ("en-US", "Hook and the first 3 seconds")]
)
def test_topic_autocomplete_before_typing_lists_every_topic(
    pulse: BotProcess, locale: str, first: str
) -> None:
    choices = pulse.autocomplete("tips", {"topic": ""}, focused="topic", locale=locale)
    assert len(choices) == 13 <= 25
    assert choices[0] == {"name": first, "value": "hook"}


# --- personal /tips -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "title", "note"),
    [
        ("nl", "Tip van de dag", "Noteer minstens 5 posts (je hebt er 0)"),
        ("en-US", "Tip of the day", "Log at least 5 posts (you have 0)"),
    ],
)
def test_tips_without_history_gives_the_tip_of_the_day(
    pulse: BotProcess, locale: str, title: str, note: str
) -> None:
    member = pulse.stand_in.user("newcomer")
    text = private(pulse.invoke("tips", user=member, locale=locale))
    assert title in text and note in text
    assert ("Bron: " if locale == "nl" else "Source: ") in text


def test_tips_in_a_direct_message_gives_the_tip_of_the_day(pulse: BotProcess) -> None:
    text = private(pulse.invoke("tips", dm=True))
    assert "Tip of the day" in text and "kept per server" in text


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "nl",
            [
                "Jouw advies",
                "**2 keren opgeslagen** per 100 likes",
                "**8** normaal",
                "75% onder",
                "Echtheid en waarde",
            ],
        ),
        (
            "en-US",
            [
                "Your advice",
                "**2 saves** per 100 likes",
                "**8** usually",
                "75% below",
                "Authenticity and value",
            ],
        ),
    ],
)
def test_personal_tips_find_the_lagging_signal(pulse: BotProcess, locale: str, expected: list[str]) -> None:
    member = pulse.stand_in.user(f"lagging-{locale}")
    import_history(pulse, member, history_csv(saves_last=2))
    text = private(pulse.invoke("tips", user=member, locale=locale))
    for part in expected:
        assert part in text, part


def test_personal_tips_when_nothing_lags(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("steady")
    import_history(pulse, member, history_csv(saves_last=8))
    text = private(pulse.invoke("tips", user=member))
    assert "Nothing lags" in text


# --- /ask -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "question", "expected"),
    [
        (
            "nl",
            "Hoeveel hashtags moet ik gebruiken?",
            ["Je vraag: Hoeveel hashtags", "3 tot 5 hashtags", "Betrokkenheid op TikTok"],
        ),
        (
            "en-US",
            "How many hashtags should I use?",
            ["Your question: How many", "3 to 5 hashtags", "Engagement on TikTok"],
        ),
        (
            "nl",
            "Wat zijn de voorwaarden voor Creator Rewards?",
            ["10.000", "100.000", "Geld verdienen op TikTok"],
        ),
        ("en-US", "What does Creator Rewards require?", ["10,000", "100,000", "Making money on TikTok"]),
        ("en-US", "Hoe vaak moet ik posten?", ["Posting frequency and timing"]),
    ],
)
def test_ask_answers_from_the_guides(
    pulse: BotProcess, locale: str, question: str, expected: list[str]
) -> None:
    # A member of their own per question: /ask is limited per member.
    reply = pulse.invoke("ask", {"question": question}, locale=locale, user=pulse.stand_in.user("asker"))
    text = public(reply)
    for part in expected:
        assert part in text, part


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("nl", "In de gidsen staat niets"), ("en-US", "The guides say nothing I can match")],
)
def test_ask_says_so_when_nothing_is_relevant(pulse: BotProcess, locale: str, expected: str) -> None:
    asker = pulse.stand_in.user("curious")
    reply = pulse.invoke("ask", {"question": "Wat is de hoofdstad van Frankrijk?"}, locale=locale, user=asker)
    assert expected in private(reply)
    assert not reply.embeds


def test_ask_question_length_is_limited_by_discord(pulse: BotProcess) -> None:
    with pytest.raises(StandInError):
        pulse.invoke("ask", {"question": "x" * 301})


# --- /monetize ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "nl",
            [
                "Verdienen met 7.700 volgers",
                "❌ Creator Rewards-programma",
                "Nog 2.300 volgers nodig (10.000 vereist)",
                "✅ LIVE-cadeaus en -abonnementen",
                "**$77–$154**",
                "Bron: Hoe TikTok werkt, Geld verdienen op TikTok",
            ],
        ),
        (
            "en-US",
            [
                "Earning at 7,700 followers",
                "❌ Creator Rewards Program",
                "2,300 more followers (10,000 needed)",
                "✅ LIVE gifts and subscriptions",
                "**$77–$154**",
                "Source: How TikTok works, Making money on TikTok",
            ],
        ),
    ],
)
def test_monetize_checklist(pulse: BotProcess, locale: str, expected: list[str]) -> None:
    text = private(pulse.invoke("monetize", {"followers": 7_700, "adult": True}, locale=locale))
    for part in expected:
        assert part in text, part


def test_monetize_all_requirements_met(pulse: BotProcess) -> None:
    options = {"followers": 25_000, "views_30d": 150_000, "adult": True}
    text = private(pulse.invoke("monetize", options))
    assert "✅ Creator Rewards Program" in text
    assert "What Micro-influencers ask for a TikTok post (*Micro-influencers*): $50–$800." in text
    assert "**$250–$500**" in text


@pytest.mark.parametrize(
    ("locale", "expected"),
    [("nl", "Volgers moet minstens 1 zijn"), ("en-US", "Followers must be at least 1")],
)
def test_monetize_refuses_no_followers(pulse: BotProcess, locale: str, expected: str) -> None:
    reply = pulse.invoke("monetize", {"followers": 0}, locale=locale, strict=False)
    assert expected in private(reply)


# --- /mediakit ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("nl", "Er is nog niets om een mediakit van te maken"),
        ("en-US", "There is nothing to build a media kit from yet"),
    ],
)
def test_mediakit_without_history_says_what_to_log(pulse: BotProcess, locale: str, expected: str) -> None:
    member = pulse.stand_in.user("no-posts")
    assert expected in private(pulse.invoke("mediakit", user=member, locale=locale))


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        (
            "nl",
            [
                "Volgers: 5.000",
                "Gemiddelde betrokkenheid: 2,43% over de laatste 12 posts (Bovengemiddeld bij 5k–10k volgers)",
                "Influencer-niveau: Nano-influencer",
                "Tarief per gesponsorde post (branchenorm): $50–$100",
                "Zonder opslaan, zoals *Betrokkenheid op TikTok* een accountgemiddelde telt",
                "Voorbeelden van je beste werk",
            ],
        ),
        (
            "en-US",
            [
                "Followers: 5,000",
                "Average engagement rate: 2.43% over the last 12 posts (Above average for 5k–10k followers)",
                "Influencer tier: Nano-influencer",
                "Rate per sponsored post (industry rule): $50–$100",
                "Without saves, as *Engagement on TikTok* counts an account average",
                "Examples of your best work",
            ],
        ),
    ],
)
def test_mediakit_from_history(pulse: BotProcess, locale: str, expected: list[str]) -> None:
    member = pulse.stand_in.user(f"kit-{locale}")
    import_history(pulse, member, history_csv(saves_last=2))
    text = private(pulse.invoke("mediakit", user=member, locale=locale))
    for part in expected:
        assert part in text, part


def test_mediakit_uses_the_latest_follower_count(pulse: BotProcess) -> None:
    member = pulse.stand_in.user("grown")
    import_history(pulse, member, history_csv())
    pulse.invoke("log followers", {"count": 12_000}, user=member)
    text = private(pulse.invoke("mediakit", user=member))
    assert "Followers: 12,000" in text and "Micro-influencer" in text and "$120–$240" in text


# --- the /engagement post line --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("locale", "expected"),
    [
        ("nl", "Sterkste signaal: **likes** (79% van de interacties); zwakste: **keren opgeslagen** (4%)"),
        ("en-US", "Strongest signal: **likes** (79% of the interactions); weakest: **saves** (4%)"),
    ],
)
def test_engagement_post_names_its_strongest_and_weakest_signal(
    pulse: BotProcess, locale: str, expected: str
) -> None:
    options = {"likes": 300, "comments": 40, "shares": 25, "saves": 15, "followers": 5_000}
    text = public(pulse.invoke("engagement post", options, locale=locale))
    assert expected in text
    assert ("**Echtheid en waarde**" if locale == "nl" else "**Authenticity and value**") in text
