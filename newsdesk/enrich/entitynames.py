"""Normalises entity names: honorifics, romanised East Asian names, outlets and stable keys.

One person appears as "Kim Do-yun", "Kim Doyun", "Kim Do Yun" or "Do-yun Kim"; one key covers
them all so that an entity page gathers every article. Outlets and wire services ("Yonhap",
"The Korea Herald") are organisations whatever the tagger says.
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = ["clean_name", "entity_key", "person_key", "short_forms", "is_outlet", "WIRE_SERVICES",
           "EAST_ASIAN_SURNAMES"]

# Family names that open a romanised Korean or Chinese name ("Kim Do-yun", "Wang Yi"); Japanese
# names are written given-name first in English news, which the order-free key covers anyway.
EAST_ASIAN_SURNAMES = frozenset("""
kim lee yi rhee park pak choi choe jung jeong chung kang cho jo yoon yun jang chang lim im han oh
seo suh shin kwon hwang ahn an song jeon chun hong yoo yu ryu ko koh moon mun yang son sohn bae
baek paek heo hur nam shim sim noh roh ha kwak sung sung cha joo ju woo koo ku min na jin ji um
eom chae won bang gong kong hyun ham byun yeom yeo chu do so seok sun ma gil pyo myung ban wang
geum ok yook je mo tak eun gu goo ku pyun pyeon seong kye gye kyung ryoo
li zhang liu chen huang zhao wu zhou xu zhu hu guo he lin gao luo zheng liang xie tang xi
feng deng cao peng zeng xiao tian dong pan yuan cai jiang du ye cheng wei su lu ding ren shen
yao cui zhong tan fan liao shi jia xia fu fang zou xiong bai meng qin qiu hou yin xue yan duan
lei long shao qian mao
""".split())

WIRE_SERVICES = ("Yonhap", "Yonhap News Agency", "AP", "Associated Press", "Reuters", "AFP",
                 "Agence France-Presse", "Kyodo", "Kyodo News", "Xinhua", "KCNA",
                 "Korean Central News Agency", "Bloomberg", "NHK", "Jiji", "Jiji Press", "UPI",
                 "dpa", "EFE", "ANSA", "TASS", "Newsis", "News1", "CNN", "BBC")
_WIRE_KEYS = {w.lower() for w in WIRE_SERVICES}
# Words that end an outlet's name ("The Korea Herald", "Han River Times", "Asia Wire Review").
_OUTLET_WORDS = re.compile(
    r"\b(Herald|Times|Post|Ledger|Journal|Daily|Ilbo|Shimbun|Gazette|Tribune|Courier|Review|"
    r"Monitor|Wire|Press|Chronicle|Observer|Telegraph|Guardian|Broadcasting|Radio|TV|News|"
    r"Newspaper|Magazine|Agency)$")

_HONORIFICS = re.compile(
    r"^(?:(?:Mr|Mrs|Ms|Dr|Prof|Rep|Sen|Gov|Gen|Lt|Col|Maj|Adm|Capt|Amb|Rev|Sgt|Cmdr|Lt\. Gen|"
    r"Maj\. Gen)\.?|Sir|Madam|Lady|Lord)\s+")
_POSSESSIVE = re.compile(r"['’]s?$")
_SPACES = re.compile(r"\s+")
_TOKEN = re.compile(r"[^\W\d_]+(?:['’][^\W\d_]+)?", re.UNICODE)
# The functions below are pure and called for every mention of every name (the step asks for
# a name's short forms once per one-word mention), so their answers are cached; 8192 names
# hold the entities of a few hundred articles.
_CACHE = 8192


@lru_cache(maxsize=_CACHE)
def clean_name(name: str) -> str:
    """Returns a name without honorifics, possessive ending, "the" or stray punctuation."""
    name = _SPACES.sub(" ", name).strip(" ,;:\"“”‘’'()[]-–—")
    if name.endswith(".") and not re.search(r"\b[A-Z]\.$", name):
        name = name[:-1]  # a sentence's full stop, but not the one of "U.S." or "Jr."
    while True:
        stripped = _HONORIFICS.sub("", name)
        if stripped == name:
            break
        name = stripped
    name = _POSSESSIVE.sub("", name)
    if name.lower().startswith("the "):
        name = name[4:]
    return name.strip()


@lru_cache(maxsize=_CACHE)
def _fold(text: str) -> str:
    """Lower-cases and strips accents ("Ōno" -> "ono")."""
    text = unicodedata.normalize("NFKD", text)
    return "".join(c for c in text if not unicodedata.combining(c)).lower()


def _syllables(part: str) -> bool:
    """Tells whether a word looks like one syllable of a romanised given name ("do", "yun")."""
    return len(part) <= 7 and part.isalpha()


@lru_cache(maxsize=_CACHE)
def person_key(name: str) -> str:
    """Returns the order- and spelling-free key of a person's name.

    Hyphens and spaces inside a romanised given name are dropped ("Do-yun", "Do Yun" ->
    "doyun"), and the parts are sorted, so "Kim Do-yun" and "Do-yun Kim" agree.
    """
    words = [_fold(w) for w in clean_name(name).replace(".", " ").split()]
    words = [w for w in words if w]
    if len(words) >= 3 and words[0].replace("-", "") in EAST_ASIAN_SURNAMES \
            and all(_syllables(w.replace("-", "")) for w in words[1:]):
        words = [words[0], "".join(words[1:])]
    elif len(words) >= 3 and words[-1] in EAST_ASIAN_SURNAMES \
            and all(_syllables(w.replace("-", "")) for w in words[:-1]):
        words = ["".join(words[:-1]), words[-1]]
    parts = sorted(w.replace("-", "").replace("'", "").replace("’", "") for w in words)
    return "-".join(p for p in parts if p)


@lru_cache(maxsize=_CACHE)
def entity_key(name: str, kind: str) -> str:
    """Returns the stable key of an entity ("person-doyun-kim", "organization-foreign-ministry")."""
    if kind == "person":
        return "person-" + person_key(name)
    words = _TOKEN.findall(_fold(clean_name(name)))
    return kind + "-" + "-".join(words)


@lru_cache(maxsize=_CACHE)
def is_east_asian_order(name: str) -> bool:
    """Tells whether a name puts an East Asian family name first ("Kim Do-yun", "Wang Yi")."""
    words = clean_name(name).split()
    if len(words) < 2 or len(words) > 3 or _fold(words[0]) not in EAST_ASIAN_SURNAMES:
        return False
    if "-" in words[1]:
        return True
    # "Wang Yi", "Kim Do Yun": short syllables after the family name ("Lee Smith" reads as
    # family-first too; news rarely pairs an East Asian family name with a Western given name).
    return all(_syllables(_fold(w)) for w in words[1:])


def short_forms(name: str) -> list[str]:
    """Returns the forms a later mention of this full name takes ("Kim" for "Kim Do-yun",
    "Whitfield" for "Laura Whitfield")."""
    return list(_short_forms(name))


@lru_cache(maxsize=_CACHE)
def _short_forms(name: str) -> tuple[str, ...]:
    words = clean_name(name).split()
    if len(words) < 2:
        return ()
    if is_east_asian_order(name):
        return (words[0],)
    return (words[-1],)


def is_outlet(name: str, outlets: set[str] | None = None) -> bool:
    """Tells whether a name is a wire service or a news outlet (given, or named like one)."""
    cleaned = clean_name(name)
    folded = _fold(cleaned)
    if folded in _WIRE_KEYS:
        return True
    if outlets and folded in outlets:
        return True
    return bool(_OUTLET_WORDS.search(cleaned)) and cleaned[:1].isupper()
