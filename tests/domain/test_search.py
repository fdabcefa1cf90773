"""/ask: real questions in Dutch and English find the right passage; nonsense finds nothing; it is fast."""

import pytest

from bot.domain.coaching import tips
from bot.domain.monetization import monetization
from bot.domain.search import ask, passages, words

# (question, passage id or topic key that must be among the first three results)
QUESTIONS = [
    ("Hoeveel hashtags moet ik gebruiken?", "tip:hashtags-how-many"),
    ("How many hashtags should I use per post?", "tip:hashtags-how-many"),
    ("Wanneer kan ik het beste posten?", "posting"),
    ("What is the best time to post on TikTok?", "posting"),
    ("Hoe vaak moet ik posten?", "posting"),
    ("How often should I post?", "posting"),
    ("Hoe lang moet een video zijn?", "tip:length-sweet-spot"),
    ("How long should my videos be?", "tip:length-sweet-spot"),
    ("Hoe lang moet een video zijn voor Creator Rewards?", "tip:length-rewards-minute"),
    ("Wat zijn de voorwaarden voor Creator Rewards?", "programme:creator_rewards"),
    ("What does the Creator Rewards Program require?", "programme:creator_rewards"),
    ("Hoeveel weergaven heb ik nodig voor het Creator Rewards programma?", "programme:creator_rewards"),
    ("Do I need to be 18 to earn money on TikTok?", "tip:money-creator-rewards"),
    ("Hoeveel moet ik vragen voor een gesponsorde post?", "tip:brand-rate-per-thousand"),
    ("How should I price a sponsored post?", "tip:brand-rate-per-thousand"),
    ("How much can I charge a brand for a TikTok post?", "pricing"),
    ("Vanaf hoeveel volgers kan ik live gaan?", "programme:live_gifts"),
    ("How many followers do I need to go LIVE?", "programme:live_gifts"),
    ("Wat moet er in een mediakit?", "media_kit"),
    ("What should I put in my media kit?", "tip:brand-media-kit"),
    ("Hoe krijg ik meer reacties?", "community"),
    ("How do I get more comments on my videos?", "tip:community-reply"),
    ("Hoe werkt een duet?", "tip:collab-duet"),
    ("What is a Stitch?", "tip:collab-stitch"),
    ("Moet ik trending geluiden gebruiken?", "tip:trends-sounds"),
    ("Should I use trending sounds?", "tip:trends-sounds"),
    ("Hoe zorg ik dat mensen niet wegswipen?", "hook"),
    ("How do I stop viewers from swiping away in the first seconds?", "tip:hook-three-seconds"),
    ("Hoe word ik beter vindbaar in de zoekfunctie?", "hashtags"),
    ("How does TikTok SEO work?", "tip:seo-keywords"),
    ("Hoe beperk ik mijn schermtijd?", "tip:wellbeing-tools"),
    ("How can I limit my screen time?", "tip:wellbeing-tools"),
    ("Welke manier van geld verdienen levert het meest op?", "comparison"),
    ("Which way of making money earns the most?", "comparison"),
    ("Hoe krijg ik meer opgeslagen video's?", "value"),
    ("How do I get more saves?", "tip:value-save-worthy"),
    ("How does TikTok pay creators?", "tip:money-payouts"),
    ("Hoe betaalt TikTok uit?", "tip:money-payouts"),
    ("What is affiliate marketing?", "programme:affiliate"),
    ("Wat is TikTok Shop?", "programme:tiktok_shop"),
    ("Can I sell my own products?", "programme:own_products"),
    ("Hoe werkt Series?", "programme:series"),
    ("Hoe werken video gifts?", "programme:video_gifts"),
    ("Welke statistieken moet ik bekijken?", "analytics"),
    ("Which analytics should I look at?", "analytics"),
    ("Hoe sluit ik een video af met een call to action?", "cta"),
    ("How do I get more shares?", "tip:cta-shareable"),
    ("Met wie moet ik samenwerken?", "collaboration"),
    ("Should I collaborate with other creators?", "collaboration"),
    ("Vinden merken betrokkenheid belangrijker dan volgers?", "tip:brand-engagement-beats-size"),
    ("Do brands care more about engagement than followers?", "tip:brand-engagement-beats-size"),
    ("Is TikTok verslavend?", "wellbeing"),
]

NONSENSE = [
    "Wat is de hoofdstad van Frankrijk?",
    "What is the capital of France?",
    "asdf qwerty zxcv",
    "How do I bake sourdough bread?",
    "Hoe laat vertrekt de trein naar Utrecht?",
    "banana quantum spaceship",
    "Who won the football world cup in 2010?",
    "Wat kost een brood bij de bakker?",
    "What is the weather tomorrow?",
    "tiktok",
    "hoe wat waarom",
    "???",
    "",
    "   ",
]


def test_there_are_at_least_thirty_questions_in_each_language() -> None:
    dutch = [
        q
        for q, _ in QUESTIONS
        if any(
            w in q.split()
            for w in ("Hoe", "Wat", "Welke", "Hoeveel", "Wanneer", "Moet", "Met", "Vanaf", "Vinden", "Is")
        )
    ]
    assert len(QUESTIONS) >= 30
    assert len(dutch) >= 15 and len(QUESTIONS) - len(dutch) >= 15


@pytest.mark.parametrize(("question", "expected"), QUESTIONS)
def test_question_finds_its_passage_in_the_top_three(question: str, expected: str) -> None:
    hits = ask(question)
    assert 1 <= len(hits) <= 3
    found = [h.passage.id for h in hits] + [h.passage.topic for h in hits]
    assert expected in found, [(h.passage.id, round(h.score, 2)) for h in hits]


@pytest.mark.parametrize("question", NONSENSE)
def test_nonsense_finds_nothing(question: str) -> None:
    assert ask(question) == []


def test_plural_and_verb_forms_meet_through_stemming() -> None:
    # "hashtags"/"hashtag" and "posten"/"post" must reach the same passages.
    assert [h.passage.id for h in ask("hashtag")][:1] == [h.passage.id for h in ask("hashtags")][:1]
    assert {h.passage.topic for h in ask("wanneer posten")} == {h.passage.topic for h in ask("wanneer post")}


def test_a_question_may_mix_languages() -> None:
    # The index holds both languages at once: an English word in a Dutch question still finds its passages.
    assert "value" in {h.passage.topic for h in ask("hoe krijg ik meer saves")}
    assert "value" in {h.passage.topic for h in ask("how do I get more opslaan")}
    assert "collaboration" in {h.passage.topic for h in ask("samenwerken with other creators")}


def test_results_are_ranked_best_first() -> None:
    hits = ask("How many hashtags should I use?")
    assert [h.score for h in hits] == sorted((h.score for h in hits), reverse=True)
    assert hits[0].passage.id == "tip:hashtags-how-many"


def test_every_passage_names_its_guides() -> None:
    guide_ids = {"000", "001", "002", "003", "004"}
    all_passages = passages(tips(), monetization())
    assert len({p.id for p in all_passages}) == len(all_passages)
    for passage in all_passages:
        assert passage.guides and set(passage.guides) <= guide_ids
        assert passage.text("nl") and passage.text("en") and passage.title("nl") and passage.title("en")


def test_question_words_drop_filler_and_keep_figures() -> None:
    assert list(words("Hoe krijg ik 10.000 volgers?")) == ["10000", "volgers"]
    assert list(words("What's in a media kit?")) == ["whats", "media", "kit"]
    assert list(words("Hoeveel video's per dag?")) == ["hoeveel", "videos", "per", "dag"]


def test_ways_of_asking_become_one_word_in_both_languages() -> None:
    assert list(words("How long should my videos be?")) == ["hoelang", "videos"]
    assert list(words("Hoe lang moet mijn video zijn?")) == ["hoelang", "video"]
    assert list(words("How often do I post?")) == list(words("Hoe vaak post ik?")) == ["hoevaak", "post"]
    assert list(words("How many hashtags?")) == list(words("Hoeveel hashtags?")) == ["hoeveel", "hashtags"]
    # Dutch "het beste" before a verb means "preferably": filler, unlike "the best time".
    assert list(words("Wanneer kan ik het beste posten?")) == ["wanneer", "posten"]
    assert list(words("What is the best time?")) == ["best", "time"]


def test_a_very_long_question_is_cut_not_refused() -> None:
    hits = ask("hashtags " + "x" * 5000)
    assert hits and hits[0].passage.topic == "hashtags"
