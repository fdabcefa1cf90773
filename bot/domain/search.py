"""/ask: find the passages of the guide knowledge that answer a question, in Dutch or English.

Every tip and every piece of monetisation knowledge is a passage, indexed in both languages at once: each word
is stemmed with the Dutch and the English Snowball stemmer, so "hashtags"/"hashtag" and "posten"/"post" meet,
whatever language the question is in. A few ways of asking ("how long", "hoe vaak", "how many") become one word
that means the same in both languages. Passages are ranked with BM25, a passage's own search words counting
double; a question whose words do not reach a minimum score gets no answer rather than a guess.
"""

from __future__ import annotations

import math
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cache

import snowballstemmer

from bot.domain.coaching import Tips, tips
from bot.domain.monetization import Monetization, monetization
from bot.domain.text import Lang, fold

MAX_QUESTION = 300  # characters read from a question; Discord allows more but nobody asks that much

# BM25's usual constants; K1 saturates repeated words, B discounts long passages.
K1 = 1.2
B = 0.75
# A passage must score this much to count as an answer; single weak words ("tiktok", "video") do not reach it.
MIN_SCORE = 2.0
# ... and hold at least this share of the question's words.
MIN_COVERAGE = 0.5
# The second and third passage must score at least this share of the best one.
RELATIVE_CUTOFF = 0.45

_STOPWORD_TEXT = """
    de het een en of maar dan als dat die dit deze der des den ik je jij jou jouw u uw we wij ons onze zij ze
    hij haar hem zijn is ben bent was waren wordt worden werd word er hier daar waar wat wie welk welke
    hoe waarom om op in aan bij met voor van naar uit tot over door onder na te toe niet geen wel ook nog al
    zo zou zal zullen kan kun kunnen moet moeten mag mogen wil willen heb hebt heeft hebben had doe doet
    doen gaat gaan ga mijn mij me men iets iemand veel meer zeer heel erg even beetje graag eigenlijk
    the a an and or but if then that this these those i you your yours we our they them he she his her it its
    is am are was were be been being do does did doing have has had having my me to of in on at by for with
    from about into than so not no can could should would will shall may might must what which who whom
    why how there here some any very really just also please get got tell know want need make use tiktok
    werkt werken work works zorg zorgen krijg krijgen krijgt gets go goes going
"""
_STOPWORDS = frozenset(_STOPWORD_TEXT.split())

_TOKEN = re.compile(r"\d+(?:[.,]\d+)*|[a-z]+")


# What a question asks for, said in two or more words that would otherwise be dropped as filler ("how", "hoe") or
# mean nothing on their own: each becomes one word, the same in both languages. Dutch "het beste" before a verb
# ("wanneer kan ik het beste posten") means "preferably", not "the best", so it is filler.
_INTENTS = (
    (re.compile(r"\b(?:hoe lang|how long)\b"), "hoelang"),
    (re.compile(r"\b(?:hoe vaak|how often)\b"), "hoevaak"),
    (re.compile(r"\bhow (?:many|much)\b"), "hoeveel"),
    (re.compile(r"\bhet beste\b"), " "),
)


def _tokens(text: str) -> list[str]:
    # "video's" and "creator's" lose their apostrophe before splitting, so they stay one word.
    folded = re.sub(r"['’](s)\b", r"\1", fold(text))
    for phrase, word in _INTENTS:
        folded = phrase.sub(word, folded)
    words = [re.sub(r"[.,]", "", w) for w in _TOKEN.findall(folded)]
    return [w for w in words if w not in _STOPWORDS and (len(w) > 1 or w.isdigit())]


class _Stems:
    """The Dutch and English stems of a word, cached: the same few hundred words come back all the time."""

    def __init__(self) -> None:
        self._nl = snowballstemmer.stemmer("dutch")
        self._en = snowballstemmer.stemmer("english")
        self._seen: dict[str, frozenset[str]] = {}

    def __call__(self, word: str) -> frozenset[str]:
        found = self._seen.get(word)
        if found is None:
            found = (
                frozenset({word})
                if word.isdigit()
                else frozenset({self._nl.stemWord(word), self._en.stemWord(word)})
            )
            self._seen[word] = found
        return found


@dataclass(frozen=True)
class Passage:
    """A piece of knowledge /ask can answer with, in both languages, with the guides it comes from."""

    id: str
    topic: str
    title_nl: str
    title_en: str
    nl: str
    en: str
    guides: tuple[str, ...]
    keywords: tuple[str, ...] = ()  # the topic's search words
    focus: tuple[str, ...] = ()  # this passage's own search words, which count double

    def title(self, lang: Lang) -> str:
        return self.title_nl if lang == "nl" else self.title_en

    def text(self, lang: Lang) -> str:
        return self.nl if lang == "nl" else self.en


@dataclass(frozen=True)
class Hit:
    passage: Passage
    score: float


def passages(tip_data: Tips, money: Monetization) -> list[Passage]:
    """Every passage: each tip, each programme, the method comparison, pricing and the media kit."""
    found = [
        Passage(
            id=f"tip:{tip.id}",
            topic=topic.key,
            title_nl=topic.name_nl,
            title_en=topic.name_en,
            nl=tip.nl,
            en=tip.en,
            guides=tuple(tip.guides),
            keywords=tuple(topic.keywords),
            focus=tuple(tip.keywords),
        )
        for topic in tip_data.topics
        for tip in topic.tips
    ]
    found += [
        Passage(
            id=f"programme:{p.key}",
            topic="monetisation",
            title_nl=p.name_nl,
            title_en=p.name_en,
            nl=p.summary_nl,
            en=p.summary_en,
            guides=tuple(p.guides),
            focus=tuple(p.keywords),
        )
        for p in money.programmes
    ]
    monetisation, brand_deals = tip_data.topic("monetisation"), tip_data.topic("brand_deals")
    for passage_id, topic, part in (
        ("comparison", monetisation, money.comparison),
        ("pricing", brand_deals, money.pricing),
        ("media_kit", brand_deals, money.media_kit),
    ):
        found.append(
            Passage(
                id=passage_id,
                topic=topic.key,
                title_nl=topic.name_nl,
                title_en=topic.name_en,
                nl=part.summary_nl,
                en=part.summary_en,
                guides=tuple(part.guides),
                focus=tuple(part.keywords),
            )
        )
    return found


@dataclass
class Index:
    """An inverted index of stems over the passages, scored with BM25."""

    passages: Sequence[Passage]
    _stems: _Stems = field(default_factory=_Stems)
    _postings: dict[str, dict[int, int]] = field(default_factory=lambda: defaultdict(dict))
    _lengths: list[int] = field(default_factory=list)

    def __post_init__(self) -> None:
        for number, passage in enumerate(self.passages):
            text = (passage.title_nl, passage.title_en, passage.nl, passage.en, *passage.keywords)
            words = _tokens(" ".join((*text, *passage.focus, *passage.focus)))
            self._lengths.append(len(words))
            counts: Counter[str] = Counter()
            for word in words:
                counts.update(self._stems(word))
            for stem, count in counts.items():
                self._postings[stem][number] = count
        self._average = sum(self._lengths) / len(self._lengths)

    def _matches(self, word: str) -> dict[int, int]:
        """Passages containing `word` in either language, with how often."""
        found: dict[int, int] = {}
        for stem in self._stems(word):
            for number, count in self._postings.get(stem, {}).items():
                found[number] = max(found.get(number, 0), count)
        return found

    def scores(self, question: str) -> tuple[int, dict[int, float], dict[int, int]]:
        """The question's word count, and per passage its BM25 score and how many of those words it holds."""
        total = len(self.passages)
        score: dict[int, float] = defaultdict(float)
        matched: Counter[int] = Counter()
        asked = list(dict.fromkeys(_tokens(question[:MAX_QUESTION])))
        for word in asked:
            matches = self._matches(word)
            if not matches:
                continue
            idf = math.log(1 + (total - len(matches) + 0.5) / (len(matches) + 0.5))
            for number, count in matches.items():
                norm = K1 * (1 - B + B * self._lengths[number] / self._average)
                score[number] += idf * count * (K1 + 1) / (count + norm)
                matched[number] += 1
        return len(asked), score, matched

    def search(self, question: str, limit: int = 3) -> list[Hit]:
        """The best passages for `question`, at most `limit`; empty when nothing is relevant enough.

        A passage is relevant when it scores at least MIN_SCORE and holds at least MIN_COVERAGE of the
        question's words: one matching word in a question about trains and bread is a coincidence.
        """
        asked, score, matched = self.scores(question)
        relevant = [
            (number, value)
            for number, value in score.items()
            if value >= MIN_SCORE and matched[number] >= MIN_COVERAGE * asked
        ]
        if not relevant:
            return []
        relevant.sort(key=lambda item: (-item[1], item[0]))
        best = relevant[0][1]
        return [
            Hit(self.passages[n], value) for n, value in relevant[:limit] if value >= best * RELATIVE_CUTOFF
        ]


@cache
def index() -> Index:
    """The index over all guide knowledge, built once (a few milliseconds)."""
    return Index(passages(tips(), monetization()))


def ask(question: str, limit: int = 3) -> list[Hit]:
    """Answer a member's question with the best passages of the guide knowledge, or none."""
    return index().search(question, limit)


def words(question: str) -> Iterable[str]:
    """The words of a question that count for the search (for tests and debugging)."""
    return _tokens(question)
