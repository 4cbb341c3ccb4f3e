"""Finds direct quotes in an article and who said them.

A quote is a run of quoted text (curly or straight marks); a quote left open at the end of a
paragraph goes on in the next paragraph that opens with a quote mark (news style for long
quotes). Its speaker comes from the attribution next to it, in this order:

1. right after it: `"...," Kim said`, `"...," said Kim`, `"...," an official said`;
2. before it in the same sentence: `Kim said: "..."`, `Kim said the plan was "on track"`;
3. the speaker of the quote before it in the same paragraph or the one it continues.

The speaker phrase resolves to a named person (a mention inside it, or "he"/"she"/"the
minister" for the last person named), an organisation ("the Foreign Ministry said"), or a
description kept as written: "a Foreign Ministry official" (anonymous) or "an English-language
joint press release" (a statement, not anonymous). Unattributed quoted phrases are left out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

__all__ = ["Quote", "Speaker", "find_fragments", "find_quotes", "SPEECH_VERBS"]

SPEECH_VERBS = ("said|says|say|told|tells|added|adds|asked|stressed|noted|warned|wrote|writes|"
                "stated|explained|insisted|argued|declared|continued|emphasized|emphasised|"
                "recalled|replied|read|reads|posted|tweeted|urged|vowed|pledged|claimed|"
                "announced|remarked|concluded|admitted|acknowledged|cautioned|countered|"
                "quipped|complained|suggested|predicted|conceded|maintained|observed|responded|called|"
                "described")
_VERB = re.compile(rf"\b(?:{SPEECH_VERBS})\b")
_AFTER_WHO_VERB = re.compile(rf"^[\s,—–-]*(?P<who>[^\"“”;]{{1,160}}?)\s+(?P<verb>{SPEECH_VERBS})\b")
_AFTER_VERB_WHO = re.compile(rf"^[\s,—–-]*(?P<verb>{SPEECH_VERBS})\s+(?P<who>[^\"“”;,.]{{1,120}})")
_ACCORDING = re.compile(r"\b[Aa]ccording to\s+(?P<who>[^\"“”;,]{1,120})")
_OPEN = "“\""
# Head nouns of an unnamed source who is a person (anonymous) rather than a document.
_PERSON_NOUNS = re.compile(r"\b(?:officials?|sources?|diplomats?|aides?|persons?|people|officers?|"
                           r"insiders?|lawmakers?|members?|analysts?|researchers?|advisers?|"
                           r"advisors?|negotiators?|executives?|spokes(?:person|man|woman)|"
                           r"staffers?|envoys?|commanders?|experts?|residents?|witnesses?|"
                           r"defectors?|employees?|managers?|traders?|dealers?|observers?)\b", re.I)
_DESCRIPTION = re.compile(r"^(?:a|an|one|two|three|several|another|some|many|other|senior|"
                          r"unnamed|the|his|her|their|its)\b", re.I)
# A named source that is no person or organisation entity ("North Korea's state media").
_SOURCE_NOUN = re.compile(r"\b(?:media|agency|office|ministry|statement|report|release|government|"
                          r"military|command|embassy|committee|council|party|newspaper|broadcaster|"
                          r"spokesperson|spokesman|spokeswoman|officials)$", re.I)
_ANON_CUT = re.compile(r",|\s+(?:who|speaking|on condition|in a statement|in an?\b|on (?:Mon|Tues|Wednes|"
                       r"Thurs|Fri|Satur|Sun)day|told|later|also|earlier|separately)\b")
_PRONOUN = re.compile(r"^(?:he|she)$", re.I)


@dataclass
class Speaker:
    """Who said a quote: a person's cluster, an organisation's name, or a description."""

    cluster: int | None = None  # a person cluster of the article
    organization: str | None = None
    description: str | None = None
    anonymous: bool = False


@dataclass
class Quote:
    """A direct quote with its speaker and where its fragments are in the text."""

    text: str
    speaker: Speaker
    spans: list[tuple[int, int]] = field(default_factory=list)


@dataclass
class _Fragment:
    start: int  # first character inside the marks
    end: int
    paragraph: int
    closed: bool
    continues: bool = False  # an open fragment that goes on in the next paragraph


def find_fragments(text: str, paragraphs: list[tuple[int, int]]) -> list[_Fragment]:
    """Returns the quoted runs of each paragraph, linking those that run across paragraphs."""
    frags: list[_Fragment] = []
    for n, (ps, pe) in enumerate(paragraphs):
        i = ps
        while i < pe:
            c = text[i]
            if c in _OPEN:
                closer = "”" if c == "“" else "\""
                j = text.find(closer, i + 1, pe)
                if j < 0 and c == "“":
                    j = text.find("\"", i + 1, pe)
                if j < 0:
                    frags.append(_Fragment(i + 1, pe, n, closed=False))
                    break
                frags.append(_Fragment(i + 1, j, n, closed=True))
                i = j + 1
                continue
            i += 1
    for a, b in zip(frags, frags[1:], strict=False):
        if not a.closed and b.paragraph == a.paragraph + 1 and text[paragraphs[b.paragraph][0]] in _OPEN:
            a.continues = True
    return frags


def _sentence_of(sentences: list[tuple[int, int]], pos: int) -> tuple[int, int]:
    for s, e in sentences:
        if s <= pos < e:
            return s, e
    return pos, pos


def find_quotes(text: str, paragraphs: list[tuple[int, int]], sentences: list[tuple[int, int]],
                resolve, min_words: int = 3) -> list[Quote]:
    """Returns the attributed quotes of a text, fragments of one speaker merged.

    ``resolve(who_start, who_end, quote_start)`` turns the speaker phrase at those offsets into
    a Speaker, or None when it names nobody.
    """
    frags = find_fragments(text, paragraphs)
    speakers: list[Speaker | None] = []
    inherited: set[int] = set()
    for k, f in enumerate(frags):
        speaker = _attribute(text, f, frags, sentences, paragraphs, resolve)
        if speaker is None and k:
            prev = frags[k - 1]
            same_para = prev.paragraph == f.paragraph
            # a paragraph that is nothing but a quote goes on with the last speaker (news style)
            follows = prev.paragraph == f.paragraph - 1 and f.start - 1 == paragraphs[f.paragraph][0] \
                and _bare(text, f, paragraphs)
            if (same_para or prev.continues or follows) and speakers[k - 1] is not None:
                speaker = speakers[k - 1]
                inherited.add(k)
        speakers.append(speaker)
    # A quote opened in a paragraph whose speaker comes only in a later paragraph of it: the
    # continuation's speaker flows back.
    for k in range(len(frags) - 2, -1, -1):
        if speakers[k] is None and frags[k].continues:
            speakers[k] = speakers[k + 1]
    quotes: list[Quote] = []
    prev_frag: _Fragment | None = None
    for k, (f, sp) in enumerate(zip(frags, speakers, strict=True)):
        body = text[f.start:f.end].strip().rstrip(",")
        if sp is None or len(body.split()) < min_words and not (prev_frag and prev_frag.continues):
            prev_frag = f
            continue
        joined = quotes and prev_frag is not None and quotes[-1].speaker is sp \
            and quotes[-1].spans[-1] == (prev_frag.start, prev_frag.end) \
            and (prev_frag.paragraph == f.paragraph or prev_frag.continues or k in inherited)
        if joined:
            sep = "\n\n" if prev_frag.paragraph != f.paragraph else " "
            quotes[-1].text += sep + body
            quotes[-1].spans.append((f.start, f.end))
        else:
            quotes.append(Quote(body, sp, [(f.start, f.end)]))
        prev_frag = f
    return quotes


def _bare(text: str, f: _Fragment, paragraphs: list[tuple[int, int]]) -> bool:
    """Tells whether a fragment fills its paragraph (nothing but the quote and its marks)."""
    return not text[f.end:paragraphs[f.paragraph][1]].strip(" \"”.,")


def _attribute(text: str, f: _Fragment, frags: list[_Fragment], sentences, paragraphs,
               resolve) -> Speaker | None:
    """Returns the speaker named next to one fragment, or None."""
    pe = paragraphs[f.paragraph][1]
    nxt = [g.start - 1 for g in frags if g.start > f.end and g.paragraph == f.paragraph]
    after_end = min([pe, *nxt])
    s_start, s_end = _sentence_of(sentences, f.start)
    ended = re.search(r"[.!?]\W*$", text[f.start:f.end]) is not None
    if f.closed and not (ended and re.match(r"\s*[A-Z]", text[f.end + 1:f.end + 4])):
        # (a quote that ends its sentence is not attributed by the next sentence)
        after_start = f.end + 1
        after = text[after_start:min(after_end, max(s_end, after_start + 1) + 200)]
        # the attribution ends at the first sentence end after the quote
        stop = re.search(r"(?<!\b[A-Z])(?<!\bMr)(?<!\bMs)(?<!\bDr)[.!?](?=\s|$)", after)
        if stop:
            after = after[:stop.start()]
        m = _AFTER_VERB_WHO.match(after)
        if m:
            sp = resolve(after_start + m.start("who"), after_start + m.end("who"), f.start)
            if sp is not None:
                return sp
        m = _AFTER_WHO_VERB.match(after)
        if m and len(m.group("who").split()) <= 14:
            sp = resolve(after_start + m.start("who"), after_start + m.end("who"), f.start)
            if sp is not None:
                return sp
    # before the quote, in its sentence (after any earlier fragment)
    prev_end = max([g.end + 1 for g in frags if g.end < f.start and g.paragraph == f.paragraph],
                   default=paragraphs[f.paragraph][0])
    b_start = max(prev_end, s_start if s_start < f.start else paragraphs[f.paragraph][0])
    before = text[b_start:f.start - 1]
    verbs = list(_VERB.finditer(before))
    for k in range(len(verbs) - 1, -1, -1):
        v = verbs[k]
        # only the words since the previous verb can be this verb's subject; an earlier verb's
        # subject is tried next ("The embassy said it had asked them to "..."")
        c0 = verbs[k - 1].end() if k else 0
        clause = before[c0:v.start()]
        # "Kim said", "Kim, a professor at X, said", "Voss, in a post on social media, wrote":
        # the whole clause, then the words after its last comma, then those before its first
        last, first = clause.rfind(","), clause.find(",")
        for a, b in ((0, len(clause)), (last + 1, len(clause)), (0, first if first >= 0 else len(clause))):
            if clause[a:b].strip():
                sp = resolve(b_start + c0 + a, b_start + c0 + b, f.start)
                if sp is not None:
                    return sp
    m = _ACCORDING.search(before)
    if m:
        return resolve(b_start + m.start("who"), b_start + m.end("who"), f.start)
    return None


def describe(phrase: str) -> Speaker | None:
    """Returns a description speaker for an unnamed source ("a senior official"), or None."""
    phrase = phrase.strip(" ,")
    if not _DESCRIPTION.match(phrase):
        if re.fullmatch(r"[A-Z][\w'’.-]*(?:\s[\w'’.-]+){0,4}", phrase) and _SOURCE_NOUN.search(phrase):
            return Speaker(description=phrase, anonymous=bool(_PERSON_NOUNS.search(phrase.split()[-1])))
        return None
    cut = _ANON_CUT.search(phrase)
    desc = phrase[:cut.start()] if cut else phrase
    desc = desc.strip(" ,")
    if len(desc.split()) > 10 or len(desc.split()) < 2:
        return None
    return Speaker(description=desc, anonymous=bool(_PERSON_NOUNS.search(desc)))
