"""Reads CoNLL-2003 NER files and scores entity spans against them (entity-level exact match)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Iterable, Iterator

__all__ = ["Sentence", "read_conll", "gold_spans", "score_spans", "STOCK_LABELS", "TYPES", "documents",
           "document_sets", "score_sets"]

# The three types the quality gate scores; MISC is trained on but never scored.
TYPES = ("PER", "ORG", "LOC")

# OntoNotes labels of the stock spaCy model mapped onto CoNLL's (datasets README, NER section).
STOCK_LABELS = {"PERSON": "PER", "ORG": "ORG", "GPE": "LOC", "LOC": "LOC", "FAC": "LOC"}

Span = tuple[int, int, int, str]  # sentence index, first token, end token (exclusive), label


@dataclass(frozen=True)
class Sentence:
    """One CoNLL sentence: its tokens and IOB2 tags."""

    words: tuple[str, ...]
    tags: tuple[str, ...]


def read_conll(path: Path) -> list[Sentence]:
    """Reads a `token TAG` per line file; blank lines end sentences, -DOCSTART- lines are skipped."""
    if not path.is_file():
        raise FileNotFoundError(f"conll: {path} is not a file")
    sentences: list[Sentence] = []
    words: list[str] = []
    tags: list[str] = []
    for lineno, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        parts = line.split()
        if not parts or parts[0] == "-DOCSTART-":
            if words:
                sentences.append(Sentence(tuple(words), tags=tuple(tags)))
                words, tags = [], []
            continue
        if len(parts) < 2:
            raise ValueError(f"conll: {path}:{lineno} has no tag")
        words.append(parts[0])
        tags.append(parts[-1])
    if words:
        sentences.append(Sentence(tuple(words), tuple(tags)))
    return sentences


def tag_spans(tags: Iterable[str]) -> Iterator[tuple[int, int, str]]:
    """Yields (start, end, label) for IOB tags; an I- tag after another label opens a new span."""
    start, label = -1, ""
    for i, tag in enumerate([*tags, "O"]):
        prefix, _, kind = tag.partition("-")
        continues = prefix == "I" and kind == label and start >= 0
        if start >= 0 and not continues:
            yield start, i, label
            start, label = -1, ""
        if prefix in ("B", "I") and not continues:
            start, label = i, kind


def gold_spans(sentences: list[Sentence], types: tuple[str, ...] = TYPES) -> set[Span]:
    """Returns the gold spans of the given types over all sentences."""
    return {(n, s, e, label) for n, sent in enumerate(sentences)
            for s, e, label in tag_spans(sent.tags) if label in types}


def score_spans(gold: set[Span], predicted: set[Span],
                types: tuple[str, ...] = TYPES) -> dict[str, dict[str, float]]:
    """Returns precision, recall and F1 per type and micro-averaged over all types ("ALL")."""
    out: dict[str, dict[str, float]] = {}
    for kind in (*types, "ALL"):
        g = {s for s in gold if kind == "ALL" or s[3] == kind}
        p = {s for s in predicted if kind == "ALL" or s[3] == kind}
        tp = len(g & p)
        prec = tp / len(p) if p else 0.0
        rec = tp / len(g) if g else 0.0
        f1 = 2 * prec * rec / (prec + rec) if prec + rec else 0.0
        out[kind] = {"precision": prec, "recall": rec, "f1": f1, "gold": len(g), "predicted": len(p)}
    return out


def predict_spans(sentences: list[Sentence], nlp, label_map: Callable[[str], str | None],
                  batch_size: int = 256) -> set[Span]:
    """Runs a spaCy pipeline over pre-tokenised sentences and maps its labels; None drops a span."""
    from spacy.tokens import Doc

    docs = (Doc(nlp.vocab, words=list(s.words)) for s in sentences)
    spans: set[Span] = set()
    for n, doc in enumerate(nlp.pipe(docs, batch_size=batch_size)):
        for ent in doc.ents:
            label = label_map(ent.label_)
            if label is not None:
                spans.add((n, ent.start, ent.end, label))
    return spans


_DATELINE = re.compile(r"^[A-Z][A-Za-z .'-]+ \d{4}-\d{2}-\d{2}$")


def documents(sentences: list[Sentence]) -> list[list[Sentence]]:
    """Cuts sentences into news stories: the headline before each dateline ("LONDON
    1996-08-30") opens one (the dev file has no -DOCSTART- lines)."""
    docs: list[list[Sentence]] = []
    current: list[Sentence] = []
    for sent in sentences:
        if _DATELINE.match(" ".join(sent.words)) and len(current) > 1:
            docs.append(current[:-1])
            current = current[-1:]
        current.append(sent)
    if current:
        docs.append(current)
    return docs


def document_sets(docs: list[list[Sentence]], types: tuple[str, ...] = TYPES) -> list[set[tuple[str, str]]]:
    """Returns each document's set of (name, type) as written in its gold spans."""
    return [{(" ".join(s.words[a:b]), label) for s in d for a, b, label in tag_spans(s.tags)
             if label in types} for d in docs]


def score_sets(gold: list[set], predicted: list[set]) -> dict[str, float]:
    """Returns micro precision, recall and F1 of per-document sets."""
    tp = sum(len(p & g) for p, g in zip(predicted, gold, strict=True))
    prec = tp / max(1, sum(map(len, predicted)))
    rec = tp / max(1, sum(map(len, gold)))
    return {"precision": prec, "recall": rec, "f1": 2 * prec * rec / (prec + rec) if prec + rec else 0.0}
