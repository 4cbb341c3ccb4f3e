"""Reads people's roles and affiliations from the patterns news copy uses.

- a title before the name: "National Security Adviser Kim Do-yun", "former Prime Minister X",
  "Civic Future Party spokesperson Rep. Shim Kyung-ah", "Japan's top security adviser X";
- an apposition after it: "Lee Hae-won, deputy minister for defense policy," or "X, deputy
  assistant secretary for East Asia at the US State Department";
- a later definite description: "Kang ... The minister said" gives Kang the role "minister".

A role keeps its modifiers ("former", "acting", "ousted former", "nominee"): they are part of
what the article says about the person on its date. An affiliation is the organisation or
country the role belongs to ("US State Department", "United States", "Civic Future Party").
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Mention", "Role", "title_before", "apposition_after", "definite_roles", "split_role",
           "ROLE_HEADS"]

# Nouns that make a phrase a role. Chosen from the demo corpus and the gold set's beat
# (diplomacy, defence, politics, markets), plus their common synonyms.
ROLE_HEADS = frozenset("""
minister adviser advisor secretary undersecretary under-secretary president vice-president premier
ambassador ambassador-designate envoy spokesperson spokesman spokeswoman chairman chairwoman chair
director director-general chief commander general admiral lawmaker legislator representative
senator congressman congresswoman governor mayor leader negotiator deputy head ceo executive
analyst professor researcher fellow official diplomat aide attache counselor councillor
nominee designate king queen emperor chancellor speaker justice judge prosecutor colonel
lieutenant captain officer economist strategist founder president-elect candidate delegate
commissioner administrator inspector member expert scholar specialist lecturer coordinator
representative chairperson chief-of-staff
sherpa consul consul-general attaché foreign-minister superintendent marshal commandant lawyer
attorney
""".split())
# Honorifics that may sit between a title and a name ("party spokesperson Rep. Shim").
_HONORIFIC = re.compile(r"^(?:Rep|Sen|Gen|Lt|Col|Maj|Adm|Capt|Amb|Dr|Prof|Mr|Mrs|Ms)\.?$")
# Lower-case words a title may contain before the name ("defense minister nominee X").
_TITLE_WORDS = ROLE_HEADS | frozenset("""
former acting ousted outgoing incoming interim new then late first second third vice deputy
senior top chief principal special assistant executive national security foreign defense defence
unification trade finance interior justice industry economy economic presidential prime party
ruling opposition floor policy military intelligence press nuclear state general spy army navy
air force marine marines joint staff of for and on the affairs main presidential-office committee
""".split())
_STOP = frozenset("""and a an his her their its our said says told met with by to in at from as when after
before that which who whom while during about than between including like visiting meeting
""".split())
# Nationality words and country names that make an affiliation when they open a title.
COUNTRIES = {"u.s.": "United States", "us": "United States", "american": "United States",
             "united states": "United States", "south korean": "South Korea",
             "south korea": "South Korea", "korean": "South Korea", "north korean": "North Korea",
             "north korea": "North Korea", "japanese": "Japan", "japan": "Japan",
             "chinese": "China", "china": "China", "russian": "Russia", "russia": "Russia",
             "taiwanese": "Taiwan", "british": "United Kingdom", "french": "France",
             "german": "Germany", "australian": "Australia", "philippine": "Philippines",
             "indian": "India", "eu": "European Union", "un": "United Nations",
             "u.n.": "United Nations", "seoul": "South Korea", "tokyo": "Japan",
             "beijing": "China", "washington": "United States", "pyongyang": "North Korea",
             "moscow": "Russia", "nato": "NATO", "asean": "ASEAN", "indonesian": "Indonesia",
             "vietnamese": "Vietnam", "thai": "Thailand", "malaysian": "Malaysia",
             "singaporean": "Singapore", "mongolian": "Mongolia", "ukrainian": "Ukraine",
             "canadian": "Canada", "italian": "Italy", "spanish": "Spain", "turkish": "Turkey",
             "israeli": "Israel", "iranian": "Iran", "polish": "Poland", "dutch": "Netherlands",
             "swedish": "Sweden", "european": "European Union", "brazilian": "Brazil",
             "mexican": "Mexico", "saudi": "Saudi Arabia", "pakistani": "Pakistan",
             "new zealand": "New Zealand", "cambodian": "Cambodia", "lao": "Laos"}
_ORG_END = re.compile(r"\b(Party|Ministry|Department|Office|Council|Agency|Institute|Command|Forces|"
                      r"Bank|University|Assembly|Group|Corp|Corporation|Co|Service|Committee|"
                      r"Commission|Administration|Embassy|Center|Centre|Foundation|Association|"
                      r"Federation|Union|Fund|Electronics|Motors|Industries|Army|Navy|Staff|"
                      r"House|Pentagon|Government|Court|Club|Board|Guard|Police|Secretariat)$")
_DETERMINERS = {"the", "a", "an", "his", "her", "its", "their"}
_TITLE_OPENERS = {"chief", "deputy", "vice", "first", "second", "senior", "acting", "former", "principal",
                  "special", "assistant", "executive", "top"}
_NATIONALITIES = ("south korean", "north korean", "korean", "chinese", "japanese", "american", "russian",
                  "british", "french", "german", "australian", "philippine", "indian", "taiwanese")
_ORG_WORD = re.compile(_ORG_END.pattern.rstrip("$") + r"\b")
# The capitalised run opening an apposition; it may be an organisation ("Asan Institute fellow").
_CAPS_RUN = re.compile(r"(?:[A-Z][\w.&'’-]*\s+)+")
_WORD = re.compile(r"[\w.'’-]+|[^\w\s]")
_APPOSITION_END = re.compile(r",|;|(?<![A-Z])\.(?=\s|$)|\s—|\s–|\s-\s|\)|\s(?:said|says)\b")
_AFFIL_SPLIT = re.compile(r"\s(?:at|with|of the|for the|in the)\s+(?:the\s+)?"
                          r"(?=(?:(?:ruling|main|opposition)\s+)*[A-Z])")


@dataclass(frozen=True)
class Mention:
    """One mention of a person: character offsets and the person's cluster number."""

    start: int
    end: int
    cluster: int


@dataclass(frozen=True)
class Role:
    """A role as of the article, with the organisation or country it belongs to."""

    role: str
    affiliation: str | None


def _is_head(word: str) -> bool:
    return word.lower().strip(".,") in ROLE_HEADS


def _tidy(role: str) -> str:
    role = re.sub(r"\s+", " ", role).strip(" ,;:-–—")
    role = re.sub(r"^(?:the|a|an|now|also|currently|who is|who was|his|her|their|its)\s+", "", role,
                  flags=re.I)
    return role


def split_role(phrase: str) -> Role | None:
    """Splits a title phrase into role and affiliation; None when it names no role."""
    phrase = _tidy(phrase)
    if not phrase or not any(_is_head(w) for w in re.split(r"[\s/]+", phrase)):
        return None
    affiliation = None
    # "the government's top spokesperson": a common-noun owner says nothing to keep
    phrase = re.sub(r"^(?:government|committee|ministry|agency|company|party|office|military|president|"
                    r"army|navy|country|city|council|board|bank|group|firm|union)['’]s?\s+", "", phrase)
    poss = re.match(r"^(?:(?:ruling|main|opposition)\s+)*([A-Z].*?)['’]s?\s+(.+)$", phrase)
    if poss and not any(_is_head(w) for w in poss.group(1).split()[-1:]):
        affiliation, phrase = poss.group(1), poss.group(2)
    elif poss and re.search(r"\s[A-Z][\w-]+$", poss.group(1)):
        affiliation, phrase = poss.group(1), poss.group(2)  # "Prime Minister Akira Tsutsumi's"
    parts = _AFFIL_SPLIT.split(phrase, maxsplit=1)
    if len(parts) == 2 and any(_is_head(w) for w in parts[0].split()):
        phrase, affiliation = parts[0], parts[1].strip()
    else:
        of = re.match(r"^(.+?)\s(?:of|for)\s+((?:[A-Z][\w'’.-]*\s?)+)$", phrase)
        if of and any(_is_head(w) for w in of.group(1).split()) and _ORG_WORD.search(of.group(2)):
            phrase, affiliation = of.group(1), of.group(2)  # "commander of United States Forces Korea"
    # "Civic Future Party spokesperson", "former National Intelligence Service Director": a
    # named organisation (two words or more, ending like one) between modifiers and the title
    words = phrase.split()
    lead = 0
    while lead < len(words) and words[lead][:1].islower():
        lead += 1
    for i in range(len(words) - 1, lead + 1, -1) if affiliation is None else ():
        org = " ".join(words[lead:i])
        if _ORG_END.search(org) and any(_is_head(w) for w in words[i:]) \
                and words[lead].lower() not in _TITLE_OPENERS:
            # "Chinese Foreign Ministry" -> "Foreign Ministry"; "Japan Coast Guard" stays whole
            org = re.sub(r"^(?:" + "|".join(_NATIONALITIES) + r")\s+", "", org, flags=re.I)
            affiliation, phrase = org, " ".join(words[:lead] + words[i:])
            break
    lowered = phrase.lower()
    for name in sorted(COUNTRIES, key=len, reverse=True):
        if lowered.startswith(name + " ") and affiliation is None:
            affiliation, phrase = COUNTRIES[name], phrase[len(name) + 1:]
            break
    if affiliation:
        affiliation = re.sub(r"^(?:the|ruling|main|opposition|\s)+(?=[A-Z])", "", affiliation.strip(" ,."))
        affiliation = COUNTRIES.get(affiliation.lower(), affiliation)
        if affiliation not in COUNTRIES.values() and re.search(r"\b(?:Ministry|Embassy|Government)\b",
                                                                affiliation):
            # "Japanese Foreign Ministry" -> "Foreign Ministry", but "Korean Red Cross" is a name
            affiliation = re.sub(r"^(?:" + "|".join(_NATIONALITIES) + r")\s+(?=[A-Z])", "", affiliation,
                                 flags=re.I)
    phrase = _tidy(phrase)
    if not phrase or not any(_is_head(w) for w in re.split(r"[\s/]+", phrase)):
        return None
    return Role(phrase, affiliation or None)


def title_before(text: str, sentence_start: int, name_start: int) -> Role | None:
    """Returns the title written right before a name in its sentence ("Foreign Minister X")."""
    left = text[sentence_start:name_start]
    left = left[left.rfind("\n") + 1:]  # a title never runs over a paragraph break
    if re.search(r",\s*$", left):  # "his lawyer, Kim Hyo-jin", "An embassy spokesperson, Wu Haitao"
        words = left.rstrip(" ,").split()[-6:]
        dets = [i for i, w in enumerate(words) if w.lower() in _DETERMINERS]
        if dets and len(words) - dets[-1] > 1 and any(_is_head(w) for w in words[-2:]):
            return split_role(" ".join(words[dets[-1] + 1:]))
    words = _WORD.findall(left)
    taken: list[str] = []
    for word in reversed(words):
        low = word.lower()
        if _HONORIFIC.match(word) and not taken:
            continue
        if low in _STOP or not re.match(r"[\w]", word):
            break
        if word[:1].isupper() or low in _TITLE_WORDS or re.match(r".+['’]s?$", word):
            taken.append(word)
            continue
        break
    while taken and taken[-1].lower() in {"of", "for", "and", "on", "the", "affairs"}:
        taken.pop()
    if not taken:
        return None
    phrase = " ".join(reversed(taken))
    # The title must run up to the name: its last word is a role head or ends "of X" after one.
    last = taken[0]
    if not _is_head(last) and not (re.search(r"\b(?:of|for)\s+\w+(?:\s+\w+)*$", phrase)
                                   and any(_is_head(w) for w in taken)):
        return None  # "presidential chief of staff", "Secretary of State" pass; "Seoul talks" does not
    return split_role(phrase)


def _org_opening(phrase: str) -> bool:
    m = _CAPS_RUN.match(phrase)
    return bool(m) and bool(_ORG_END.search(m.group(0).strip()))


def apposition_after(text: str, name_end: int) -> Role | None:
    """Returns the role in an apposition right after a name ("X, deputy minister for Y, said")."""
    rest = text[name_end:name_end + 220]
    party = re.match(r"\s*,?\s+of\s+(?:the\s+)?(?:(?:ruling|main|opposition|minor|conservative|liberal|"
                     r"progressive)\s+)*((?:[A-Z][\w'’-]*\s?)+)", rest)
    if party and _ORG_WORD.search(party.group(1).strip()):
        # "Rep. Seo Ha-neul of the ruling Democratic Renewal Party", "Ono of Keio University"
        return Role("", party.group(1).strip())
    verb = re.match(r"\s+(?:will\s+serve|will\s+be|serves|was\s+named|was\s+appointed|"
                    r"has\s+been\s+named|has\s+been\s+appointed|became|becomes)\s+(?:as\s+)?"
                    r"((?:the|a|an)\s+[^,.;\"“”]{3,90})", rest)
    if verb:  # "Hong will serve as the president's special envoy to Southeast Asia"
        return split_role(re.split(r"\s(?:who|which|that|until|after|before|when|from|since|"
                                   r"for\s+(?:the\s+)?(?:next|two|three|four|five|six))\b",
                                   verb.group(1))[0])
    m = re.match(r"\s*,\s+", rest)
    if not m:
        return None
    rest = rest[m.end():]
    if re.match(r"(?:\d+|and|or|but|with|in|on|at|to|for|as|who\s+(?:took|has|had|will|is\s+to|"
                r"was\s+to|said|says|spoke|asked|declined)|whose|which|speaking|according|"
                r"the\s+\w+\s+said)\b", rest):
        return None
    end = _APPOSITION_END.search(rest)
    phrase = rest[:end.start()] if end else rest
    phrase = re.split(r"\s(?:who|which|that|whose|since|until)\b", phrase)[0]
    if len(phrase.split()) > 16 or re.search(r"\b(?:said|says|told|added)\b", phrase):
        return None
    first = phrase.split()[0] if phrase.split() else ""
    if first[:1].isupper() and first.lower() not in COUNTRIES and first.lower() not in _TITLE_WORDS \
            and not re.search(r"['’]s?$", first) and not _org_opening(phrase):
        # a capitalised word after a comma is usually another name in a list, not a role
        return None
    phrase = re.sub(r"^.*\band now\s+", "", phrase)
    parts = re.split(r"\s+and\s+(?:a\s+|an\s+|the\s+)?", phrase)
    if len(parts) > 1 and any(_is_head(w) for w in parts[-1].split()) and parts[-1][:1].islower():
        phrase = parts[-1]  # "a veteran China hand and former vice foreign minister"
    return split_role(phrase)


_DEFINITE = re.compile(r"\b[Tt]he\s+((?:(?:former|acting|vice|deputy|foreign|defense|defence|"
                       r"prime|top|senior|chief|new|national security|unification|trade|finance)\s+)*"
                       r"(?:minister|adviser|advisor|secretary|ambassador|envoy|general|admiral|"
                       r"spokesperson|spokesman|spokeswoman|president|premier|chairman|chairwoman|"
                       r"governor|lawmaker|senator|negotiator|commander|professor|"
                       r"analyst|director|chief|nominee|leader))\b(?!['’])(?!\s+(?:of|for)\b)(?!\s+[A-Z])")
# Heads that name the same office ("the premier" after "Prime Minister X").
SYNONYMS = {"premier": "prime minister", "advisor": "adviser", "spokesman": "spokesperson",
            "spokeswoman": "spokesperson", "chairwoman": "chair", "chairman": "chair"}


def definite_roles(text: str, quoted: list[tuple[int, int]]) -> list[tuple[int, str]]:
    """Returns (offset, role) of each "the minister" style description outside quotes, not
    followed by "of" or a name; the caller decides whom it names."""
    return [(m.start(), m.group(1)) for m in _DEFINITE.finditer(text)
            if not any(a <= m.start() < b for a, b in quoted)]
