"""/ask finds the point: questions as members ask them, each with the passage that answers it.

Every question names one passage id and how high it must rank: FIRST (it must be the first answer) or TOP3
(it must be among the answers, which are at most three). The share of questions whose passage ranks first is
printed at the end of every run (tests/domain/conftest.py) and may not drop below FIRST_FLOOR.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

import pytest

from bot.domain.coaching import tips
from bot.domain.monetization import monetization
from bot.domain.search import ask, passages

FIRST: Literal["first"] = "first"
TOP3: Literal["top3"] = "top3"

# The share of questions whose passage ranks first may not fall below this (set just under what the search reaches).
FIRST_FLOOR = 0.9


@dataclass(frozen=True)
class Asked:
    lang: Literal["nl", "en"]
    question: str
    passage: str  # the passage id that answers it
    rank: Literal["first", "top3"]

    def __str__(self) -> str:
        return self.question


def nl(question: str, passage: str, rank: Literal["first", "top3"] = FIRST) -> Asked:
    return Asked("nl", question, passage, rank)


def en(question: str, passage: str, rank: Literal["first", "top3"] = FIRST) -> Asked:
    return Asked("en", question, passage, rank)


ASKED = [
    # --- the four questions of the issue, in both languages ---------------------------------------------------
    en("Do longer videos earn more?", "tip:length-rewards-minute"),
    nl("Verdienen langere video's meer?", "tip:length-rewards-minute"),
    en("When can I go LIVE?", "tip:community-live"),
    nl("Wanneer kan ik live gaan?", "tip:community-live"),
    en("Can I go viral without followers?", "tip:trends-viral-without-followers"),
    nl("Kan ik viraal gaan zonder volgers?", "tip:trends-viral-without-followers"),
    en("What is a good engagement rate?", "tip:analytics-good-rate"),
    nl("Wat is een goed betrokkenheidspercentage?", "tip:analytics-good-rate"),
    # --- hook ---------------------------------------------------------------------------------------------------
    en("How do I stop people from swiping away in the first seconds?", "tip:hook-three-seconds"),
    nl("hoe zorg ik dat mensen niet meteen wegswipen", "tip:hook-three-seconds", TOP3),
    en("Does watch time matter for the algorithm?", "tip:hook-watch-time"),
    nl("Hoe belangrijk is kijktijd voor het algoritme?", "tip:hook-watch-time"),
    en("lots of people watch with the sound off, should I add text?", "tip:hook-muted-text"),
    nl("Moet ik tekst in beeld zetten als mensen zonder geluid kijken?", "tip:hook-muted-text"),
    en("Which cover should I pick for my video?", "tip:hook-cover"),
    # --- length -------------------------------------------------------------------------------------------------
    en("How long should my videos be?", "tip:length-sweet-spot", TOP3),
    nl("Hoe lang moet een tiktok zijn voor de meeste interactie?", "tip:length-sweet-spot"),
    nl("Hoe lang moet een video zijn voor Creator Rewards?", "tip:length-rewards-minute"),
    en("Do videos have to be over a minute to get paid?", "tip:length-rewards-minute"),
    nl("Krijg ik meer geld voor langere video's?", "tip:length-rewards-minute"),
    en("Do I get paid more for videos over a minute?", "tip:length-rewards-minute"),
    en("how do I structure a video longer than a minute", "tip:length-structure"),
    nl("Hoe voorkom ik dat een lange video saai wordt?", "tip:length-keep-it-lively"),
    en("What's the maximum length I can record in the TikTok camera?", "tip:length-options"),
    nl("Wil TikTok nu juist langere video's?", "tip:length-longer-trend", TOP3),
    # --- posting ------------------------------------------------------------------------------------------------
    en("How often should I post when I'm just starting?", "tip:posting-daily-start"),
    nl("Hoe vaak moet ik posten als beginner?", "tip:posting-daily-start"),
    nl("Hoe vaak moet ik posten?", "tip:posting-daily-start"),
    nl("Moet ik elke dag posten?", "tip:posting-daily-start", TOP3),
    en("What time of day should I post?", "tip:posting-evening-window", TOP3),
    nl("Hoe laat kan ik het beste posten?", "tip:posting-evening-window"),
    nl("hoeveel posts per dag??", "tip:posting-evening-window", TOP3),
    en("Should I post right when my followers are most active?", "tip:posting-hour-before-peak"),
    nl("Is het erg als ik niet regelmatig post?", "tip:posting-consistency", TOP3),
    # --- hashtags and SEO ---------------------------------------------------------------------------------------
    en("how many hashtags should i use", "tip:hashtags-how-many"),
    nl("Hoeveel hashtags moet ik gebruiken?", "tip:hashtags-how-many"),
    nl("Welke hashtags moet ik gebruiken, #fyp of niche tags?", "tip:hashtags-mix"),
    en("How does TikTok SEO work?", "tip:seo-keywords"),
    nl("Hoe word ik beter vindbaar in de zoekfunctie?", "tip:seo-keywords", TOP3),
    en("Do auto captions help my reach?", "tip:seo-auto-captions"),
    nl("Wat moet ik in mijn bijschrift zetten?", "tip:seo-video-information", TOP3),
    nl("Hoe schrijf ik een goede caption?", "tip:seo-video-information"),
    # --- trends -------------------------------------------------------------------------------------------------
    en("Should I use trending sounds?", "tip:trends-sounds"),
    nl("Moet ik trending geluiden gebruiken?", "tip:trends-sounds"),
    en("Should I follow trends or make my own original stuff?", "tip:trends-balance-original"),
    nl("Hoe doe ik een trend mee zonder te kopieren?", "tip:trends-adapt-to-niche"),
    nl("Hoe snel moet ik op een trend inspringen?", "tip:trends-be-quick"),
    en("Do I need a lot of followers to go viral?", "tip:trends-viral-without-followers"),
    nl("Kan een gloednieuw account miljoenen views halen?", "tip:trends-viral-without-followers"),
    en("can a brand new account with zero followers blow up", "tip:trends-viral-without-followers"),
    nl("Hoe ga ik viraal?", "tip:trends-viral-without-followers"),
    en("Is a new account at a disadvantage?", "tip:trends-viral-without-followers"),
    en("Should I use #fyp?", "tip:hashtags-mix"),
    # --- community ----------------------------------------------------------------------------------------------
    en("How do I get more comments on my videos?", "tip:community-reply", TOP3),
    nl("Moet ik reageren op reacties onder mijn video?", "tip:community-reply"),
    en("Should I answer a comment with a video?", "tip:community-video-replies", TOP3),
    nl("Hoe lok ik meer reacties uit met een vraag?", "tip:community-ask-questions"),
    en("How many followers do I need to go live?", "tip:community-live", TOP3),
    nl("Vanaf hoeveel volgers kan ik live gaan?", "tip:community-live", TOP3),
    nl("Hoeveel volgers heb ik nodig voor LIVE?", "tip:community-live", TOP3),
    # --- collaboration ------------------------------------------------------------------------------------------
    nl("Hoe werkt een duet?", "tip:collab-duet"),
    en("What is a Stitch?", "tip:collab-stitch"),
    nl("Met wie kan ik het beste samenwerken?", "tip:collab-similar-size"),
    en("Should I tag the other creator when we collab?", "tip:collab-tag"),
    # --- analytics ----------------------------------------------------------------------------------------------
    en("What's the average engagement rate on TikTok?", "tip:analytics-good-rate"),
    nl("Wat is een goede engagement rate?", "tip:analytics-good-rate"),
    nl("wat is een normaal engagment percentage", "tip:analytics-good-rate"),
    en("is 3% engagement good?", "tip:analytics-good-rate"),
    nl("wat is de normale betrokkenheid op tiktok", "tip:analytics-good-rate"),
    en("What is a good engagement rate for 5k followers?", "tip:analytics-good-rate"),
    nl("Hoe zie ik mijn statistieken?", "tip:analytics-pro-account"),
    en("How can I see who my audience is?", "tip:analytics-pro-account"),
    en("Does a view count after one second?", "tip:analytics-views-count"),
    nl("Over hoeveel posts moet ik mijn betrokkenheid gemiddeld berekenen?", "tip:analytics-average-posts"),
    nl("Waarom doen sommige van mijn video's het beter dan andere?", "tip:analytics-best-videos", TOP3),
    # --- calls to action ----------------------------------------------------------------------------------------
    en("How do I get more shares?", "tip:cta-shareable"),
    nl("Hoe krijg ik meer shares?", "tip:cta-shareable"),
    en("What should I say at the end of my video?", "tip:cta-ask-directly", TOP3),
    # --- authenticity and value ---------------------------------------------------------------------------------
    en("How do I get more saves?", "tip:value-save-worthy"),
    nl("Hoe krijg ik meer opgeslagen video's?", "tip:value-save-worthy"),
    en("Which formats perform best on TikTok?", "tip:value-best-formats"),
    nl("Wat voor soort video's scoren het best?", "tip:value-best-formats"),
    en("what type of content gets the most engagement", "tip:value-best-formats"),
    en("What kind of videos should I make?", "tip:value-best-formats"),
    nl("welke formats werken goed op tiktok", "tip:value-best-formats"),
    nl("Moet mijn video er perfect gepolijst uitzien?", "tip:value-authentic"),
    en("How do I pick a niche?", "tip:value-niche"),
    en("How do I find my niche?", "tip:value-niche"),
    # --- monetisation -------------------------------------------------------------------------------------------
    en("Is the Creator Fund still a thing?", "tip:money-creator-fund"),
    nl("Bestaat het Creator Fund nog?", "tip:money-creator-fund"),
    nl("creator fund of creator rewards, wat is het verschil", "tip:money-creator-fund"),
    nl("Is het Creator Fund weg?", "tip:money-creator-fund"),
    en("Does TikTok still have a creator fund", "tip:money-creator-fund"),
    en("how many followers do you need for creator rewards", "tip:money-creator-rewards"),
    en("What does the Creator Rewards Program require?", "programme:creator_rewards", TOP3),
    nl("Wat zijn de voorwaarden voor Creator Rewards?", "programme:creator_rewards", TOP3),
    en("Do I need to be 18 to earn money on TikTok?", "tip:money-creator-rewards", TOP3),
    en("How does TikTok pay creators?", "tip:money-payouts"),
    nl("Hoe betaalt TikTok uit?", "tip:money-payouts"),
    nl("Welke niches verdienen het meest?", "tip:money-profitable-niches"),
    en("Where do I switch on the money features?", "tip:money-enable-features"),
    en("Which way of making money pays the most?", "comparison"),
    nl("Welke manier van geld verdienen levert het meeste op?", "comparison"),
    # --- programmes ---------------------------------------------------------------------------------------------
    nl("Hoe werken cadeaus tijdens een livestream?", "programme:live_gifts", TOP3),
    nl("Wat zijn Diamonds?", "tip:money-live-gifts"),
    en("How do video gifts work?", "programme:video_gifts"),
    nl("Wat is Series?", "programme:series"),
    en("How does affiliate marketing work?", "programme:affiliate"),
    nl("Wat is TikTok Shop?", "programme:tiktok_shop"),
    en("Can I sell my own merch?", "programme:own_products"),
    # --- brand deals --------------------------------------------------------------------------------------------
    en("How much should I charge for a sponsored post?", "tip:brand-rate-per-thousand", TOP3),
    nl("Hoeveel moet ik vragen voor een gesponsorde post?", "tip:brand-rate-per-thousand", TOP3),
    nl("Wat verdient een micro-influencer met een TikTok post?", "tip:brand-tiktok-ranges", TOP3),
    en("What should I put in my media kit?", "media_kit", TOP3),
    nl("Wat moet er in een mediakit?", "media_kit", TOP3),
    nl("Vinden merken betrokkenheid belangrijker dan volgers?", "tip:brand-engagement-beats-size"),
    en("Do brands prefer long-term partnerships?", "tip:brand-long-term"),
    en("Do brands check for fake followers?", "tip:brand-vetting"),
    en("Is buying followers a bad idea?", "tip:brand-vetting", TOP3),
    # --- wellbeing ----------------------------------------------------------------------------------------------
    en("How can I limit my screen time?", "tip:wellbeing-tools"),
    nl("Hoe beperk ik mijn schermtijd?", "tip:wellbeing-tools"),
    nl("ik voel me eenzaam van al dat scrollen", "tip:wellbeing-offline-balance"),
    en("I can't concentrate on studying anymore", "tip:wellbeing-focus"),
    nl("Wat is Family Mode?", "tip:wellbeing-family-mode"),
]


def test_the_set_is_large_and_in_both_languages() -> None:
    assert len(ASKED) >= 80
    dutch = sum(1 for a in ASKED if a.lang == "nl")
    assert 0.4 <= dutch / len(ASKED) <= 0.6
    assert len({a.question for a in ASKED}) == len(ASKED)


def test_every_expected_passage_exists() -> None:
    ids = {p.id for p in passages(tips(), monetization())}
    assert {a.passage for a in ASKED} <= ids


@pytest.mark.parametrize("asked", ASKED, ids=str)
def test_question_finds_its_passage(asked: Asked, record_first: Callable[[str, bool], None]) -> None:
    hits = ask(asked.question)
    ids = [hit.passage.id for hit in hits]
    ranked = [(hit.passage.id, round(hit.score, 2)) for hit in hits]
    record_first(asked.question, ids[:1] == [asked.passage])
    assert 1 <= len(hits) <= 3, ranked
    if asked.rank == FIRST:
        assert ids[0] == asked.passage, ranked
    else:
        assert asked.passage in ids, ranked


def test_the_share_ranked_first_stays_above_the_floor() -> None:
    first = sum(1 for a in ASKED if [hit.passage.id for hit in ask(a.question)][:1] == [a.passage])
    assert first / len(ASKED) >= FIRST_FLOOR, f"{first} of {len(ASKED)} rank first"
