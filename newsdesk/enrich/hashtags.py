"""Picks a few hashtags per article and per story, spelled the same way in every article.

A hashtag names a concept: a known alias ("wartime operational control", "전작권" -> #OPCON;
"Korea-U.S. alliance" -> #USROKAlliance), an acronym (#ASEAN), a proper name (people with the
title dropped and Korean given-name-first order turned family-first, "President Seung-ho Baek"
-> #BaekSeungHo), an entity of the entities step when there is one, or a topical keyphrase
(#Shipbuilding, #DefenseBudget). ``to_hashtag`` spells any of them the one way: words in
CamelCase, acronyms kept upper case, dots, hyphens and possessives dropped, plurals of common
words folded, so that hashtag pages group every article about the concept. Wire agencies,
the article's own outlet, dates and bare titles are never hashtags.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict

from ..extract.credits import is_agency
from ..models import Article
from . import keywords

__all__ = ["CONCEPTS", "to_hashtag", "article_hashtags", "story_hashtags", "MAX_TAGS"]

MAX_TAGS = 5

# Canonical tag -> aliases. Aliases in lower case match any case; aliases with a capital
# match only as written ("US", not "us"; "the North", not "the north of the city"); Hangul
# aliases match inside words, since Korean attaches particles ("북한이", "북한의").
CONCEPTS: dict[str, tuple[str, ...]] = {
    "OPCON": ("opcon", "wartime operational control", "operational control", "wartime command",
              "wartime command transfer", "전작권", "전시작전통제권", "전시작전권"),
    "USROKAlliance": ("korea-u.s. alliance", "south korea-u.s. alliance", "u.s.-south korea alliance",
                      "korea-us alliance", "us-south korea alliance", "rok-u.s. alliance",
                      "u.s.-rok alliance", "rok-us alliance", "us-rok alliance", "seoul-washington alliance",
                      "한미동맹", "한미 동맹"),
    "ASEAN": ("asean", "association of southeast asian nations", "아세안"),
    "NorthKorea": ("north korea", "north korean", "n. korea", "DPRK", "the North",
                   "democratic people's republic of korea", "북한"),
    "SouthKorea": ("south korea", "south korean", "s. korea", "ROK", "republic of korea"),
    "UnitedStates": ("united states", "u.s.", "US", "USA", "u.s.a.", "미국"),
    "Japan": ("japan", "일본"),
    "China": ("china", "중국"),
    "BankOfKorea": ("bank of korea", "BOK", "한국은행", "한은"),
    "SCM": ("security consultative meeting", "SCM"),
    "UNSecurityCouncil": ("u.n. security council", "un security council",
                          "united nations security council", "유엔 안보리", "안보리"),
    "UN": ("united nations", "u.n.", "UN", "유엔"),
    "BallisticMissile": ("ballistic missile", "ballistic missiles", "탄도미사일"),
    "ICBM": ("icbm", "intercontinental ballistic missile", "대륙간탄도미사일"),
    "SeparatedFamilies": ("separated families", "separated family", "이산가족"),
    "KoreaJapanRelations": ("korea-japan relations", "seoul-tokyo relations", "한일관계", "한일 관계"),
    "Shipbuilding": ("shipbuilding", "조선업"),
    "DefenseBudget": ("defense budget", "defence budget", "국방예산"),
}

# Words that are titles, not names: dropped from the front of a capitalised run
# ("National Security Adviser Kim Do-yun" -> "Kim Do-yun").
_TITLES = frozenset("""
president vice prime minister ministers foreign defense defence unification finance trade
national security adviser advisor deputy first second secretary undersecretary under assistant
ambassador ambassador-designate envoy special representative spokesperson spokesman
spokeswoman chief director general gen lt col adm governor chairman chairwoman chair ceo
senator sen rep representative lawmaker mayor king queen prince leader commander
acting former ousted nominee mr mrs ms dr prof sir lord state department ministry official
""".split())
# Capitalised words that start sentences or name times, never a concept on their own.
_NOT_NAMES = frozenset("""
the a an this that these those it its he she they we i his her their our in on at for by
with from as but and or if when while after before during since today tomorrow yesterday
monday tuesday wednesday thursday friday saturday sunday january february march april may
june july august september october november december jan feb mar apr jun jul aug sep sept
oct nov dec officials official analysts experts sources source meanwhile however also some
many several both under according earlier later still more most other such no not all
north south east west asian european american korean japanese chinese russian african
western eastern everyone
""".split())
# Lower-case words allowed inside a name ("Bank of Korea", "Ministry of Foreign Affairs");
# "for", "the" and "de" only after an institution's head word ("Institute for Peninsula
# Studies"), since "left Seoul for Tokyo" is two names.
_CONNECTORS = frozenset({"of", "for", "the", "de"})
_INSTITUTIONS = frozenset("""
institute center centre council ministry bank agency association office committee department
foundation party union federation organization organisation university commission court school
museum fund forum alliance league society board bureau service academy corporation
""".split())
# Places nearly every article of the beat names: they still make tags, but a story's own
# concepts (#OPCON, #KimDoYun) rank before them.
_BROAD = frozenset({"UnitedStates", "SouthKorea", "NorthKorea", "Japan", "China", "Seoul",
                    "Washington", "Tokyo", "Beijing", "Pyongyang", "Moscow", "Russia"})
BROAD_WEIGHT = 0.5
_WORD = re.compile(r"(?:[A-Za-z]\.){2,}|[^\W_]+(?:[-'\u2019&.][^\W_]+)*")
# A Korean name written given-name first: "Ji-hoon Park", "Seung-ho Baek".
_GIVEN_FIRST = re.compile(r"^([A-Z][a-z]+-[a-z]+) ([A-Z][a-z]{1,6})$")
_HANGUL = re.compile(r"[\uac00-\ud7a3]")


def _alias_patterns() -> list[tuple[re.Pattern[str], dict[str, str]]]:
    """Returns three alternations (any case, exact case, Hangul), each with its alias -> tag
    map; longer aliases first, so "north korean" wins over "north korea"."""
    groups: dict[str, dict[str, str]] = {"any": {}, "exact": {}, "hangul": {}}
    for tag, aliases in CONCEPTS.items():
        for alias in aliases:
            if _HANGUL.search(alias):
                groups["hangul"][alias] = tag
            elif alias != alias.lower():
                groups["exact"][alias] = tag
            else:
                groups["any"][alias] = tag
    out = []
    for kind, table in groups.items():
        body = "|".join(re.escape(a) for a in sorted(table, key=len, reverse=True))
        if kind == "hangul":
            out.append((re.compile(body), table))
        else:
            pattern = re.compile(r"(?<![\w.])(?:" + body + r")(?!\w)", 0 if kind == "exact" else re.I)
            out.append((pattern, {k.lower(): v for k, v in table.items()} if kind == "any" else table))
    return out


def _alias_hits(pattern: re.Pattern[str], table: dict[str, str], text: str) -> list[str]:
    return [table.get(m.group(0)) or table[m.group(0).lower()] for m in pattern.finditer(text)]


_ALIASES = _alias_patterns()
_ALIAS_KEYS = {(alias.replace(" ", "") if _HANGUL.search(alias) else keywords.phrase_key(alias)): tag
               for tag, aliases in CONCEPTS.items() for alias in aliases}


def _camel_word(word: str) -> str:
    if word.isupper() or any(ch.isdigit() for ch in word):
        return word
    if word.islower():
        word = keywords._fold(word) if len(word) > 4 else word  # "talks" ~ "talk"
        return word[:1].upper() + word[1:]
    return word[:1].upper() + word[1:]


def to_hashtag(phrase: str) -> str | None:
    """Returns the one spelling of a concept's hashtag (without "#"), or None for nothing."""
    phrase = re.sub(r"['\u2019]s\b", "", (phrase or "").strip())
    if not phrase:
        return None
    known = _ALIAS_KEYS.get(keywords.phrase_key(phrase)) or _ALIAS_KEYS.get(phrase.replace(" ", ""))
    if known:
        return known
    if _HANGUL.search(phrase):
        return re.sub(r"[^\w]", "", phrase) or None
    m = _GIVEN_FIRST.match(phrase)
    if m:
        phrase = f"{m.group(2)} {m.group(1)}"
    parts: list[str] = []
    for word in _WORD.findall(phrase):
        if re.fullmatch(r"(?:[A-Za-z]\.)+[A-Za-z]?\.?", word):  # "U.S." -> "US"
            parts.append(word.replace(".", "").upper())
            continue
        for piece in re.split(r"[-'\u2019&.]", word):
            if piece:
                parts.append(_camel_word(piece))
    tag = "".join(parts)
    return tag if len(tag) > 1 and not tag.isdigit() else None


def _strip_title(words: list[str]) -> list[str]:
    i = 0
    while i < len(words) - 1 and (words[i].lower().rstrip(".") in _TITLES or words[i] in _CONNECTORS):
        i += 1
    return words[i:]


def _strip_title_words(name: str) -> str:
    return " ".join(_strip_title(_WORD.findall(name)))


def _proper_runs(sentence: str) -> list[tuple[str, bool]]:
    """Returns the capitalised runs of a sentence ("Bank of Korea", "Kim Do-yun"), each with
    whether it starts the sentence."""
    runs: list[tuple[str, bool]] = []
    first_part = True
    for part in keywords._BREAK.split(sentence):
        words = _WORD.findall(part)
        starts, first_part = first_part, first_part and not words
        i = 0
        while i < len(words):
            if not words[i][0].isupper():
                i += 1
                continue
            j = i + 1
            while j < len(words) and not re.search(r"['\u2019]s$", words[j - 1]) and (
                    words[j][0].isupper() or (
                    words[j] in _CONNECTORS and j + 1 < len(words) and words[j + 1][0].isupper()
                    and (words[j] == "of" or words[j - 1].lower() in _INSTITUTIONS))):
                j += 1
            run = words[i:j]
            at_start = i == 0 and starts
            while run and run[0].lower() in _NOT_NAMES:
                run = run[1:]
                at_start = False
            run = _strip_title(run)
            while run and (run[-1] in _CONNECTORS or run[-1].lower() in _NOT_NAMES):
                run = run[:-1]
            if run and len(run) <= 4 and not all(w.lower().rstrip(".") in _TITLES for w in run):
                runs.append((" ".join(run), at_start))
            i = j
    return runs


def _excluded(tag: str, article: Article) -> bool:
    if is_agency(tag) or tag.lower() in _TITLES:
        return True
    for name in (article.outlet, article.credit):
        if name and (to_hashtag(name) == tag or to_hashtag(re.sub(r"^The\s+", "", name)) == tag):
            return True
    return tag.lower() in _NOT_NAMES


def article_hashtags(article: Article, limit: int = MAX_TAGS,
                     ranked: list[tuple[keywords.Candidate, float]] | None = None) -> list[str]:
    """Returns up to ``limit`` hashtags for an article, most salient first.

    Salience is how often the concept is mentioned, with mentions in the title counting three
    times; names and topical keyphrases of the article's top ten count once more.
    """
    from .sentences import split_sentences

    title, text = article.title or "", article.text or ""
    score: Counter[str] = Counter()
    for pattern, table in _ALIASES:
        for tag in _alias_hits(pattern, table, text):
            score[tag] += 1
        for tag in _alias_hits(pattern, table, title):
            score[tag] += 3
    # Texts where alias spans were matched are not read again as names ("Bank of Korea").
    masked_title, masked_text = title, text
    for pattern, _ in _ALIASES:
        masked_title = pattern.sub(" , ", masked_title)
        masked_text = pattern.sub(" , ", masked_text)
    names: Counter[str] = Counter()
    mid_sentence: set[str] = set()  # tags seen capitalised where a sentence does not start
    for weight, sentences in ((3, [masked_title]), (1, [s.text for s in split_sentences(masked_text)])):
        for sentence in sentences:
            for run, at_start in _proper_runs(sentence):
                tag = to_hashtag(run)
                if tag:
                    names[tag] += weight
                    if not at_start or " " in run:
                        mid_sentence.add(tag)
    # A lone capitalised word only ever seen opening a sentence ("Dealers said") is no name.
    for tag in [t for t in names if t not in mid_sentence]:
        del names[tag]
    for entity in article.entities or []:
        if isinstance(entity, dict) and entity.get("type") in ("person", "organization", "place") \
                and not is_agency(entity.get("name")):
            tag = to_hashtag(_strip_title_words(entity.get("name") or ""))
            if tag:
                names[tag] += int(entity.get("mentions") or 1)
    # A family name alone ("Baek", "Whitfield") is the person named in full elsewhere
    # ("Baek Seung-ho", family name first; "Laura Whitfield", family name last).
    for tag in [t for t in names if not re.search(r"[a-z][A-Z]", t)]:
        longer = [t for t in names if t != tag and len(t) > len(tag) and (
            t.startswith(tag) and t[len(tag)].isupper() or t.endswith(tag))]
        if len(longer) == 1:
            names[longer[0]] += names.pop(tag)
    for tag, n in names.items():
        score[tag] += n
    for tag in _BROAD & score.keys():
        score[tag] *= BROAD_WEIGHT
    ranked = ranked if ranked is not None else keywords.scored(title, text)
    for cand, _ in ranked[:10]:
        surface = cand.surface
        tag = to_hashtag(surface)
        if not tag:
            continue
        if tag in score:
            score[tag] += 1
        elif surface.islower() and cand.count >= 2 and len(cand.words) > 1:
            # A topical phrase said at least twice ("missile data", "working group"); single
            # common words ("roadmap", "growth") are too generic to group articles by.
            score[tag] += cand.count
    picked = [tag for tag, _ in sorted(score.items(), key=lambda kv: (-kv[1], kv[0]))
              if not _excluded(tag, article)]
    return picked[:limit]


def story_hashtags(tag_lists: list[list[str]], limit: int = MAX_TAGS) -> list[str]:
    """Returns a story's hashtags: those most of its articles carry, earlier ranks first."""
    weight: dict[str, float] = defaultdict(float)
    for tags in tag_lists:
        for rank, tag in enumerate(tags):
            weight[tag] += 1.0 + 0.1 * (len(tags) - rank)
    return [t for t, _ in sorted(weight.items(), key=lambda kv: (-kv[1], kv[0]))][:limit]
