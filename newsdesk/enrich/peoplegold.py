"""Scores people, roles, affiliations and quote speakers against the project's own gold set.

The gold set (tests/data/people_quotes_gold.jsonl) holds fictional diplomacy and security
articles written for newsdesk, each with the people it names (name, roles, affiliations, as
the article states them on its date) and its direct quotes (text, speaker or description).

Matching rules (all case-insensitive, spaces folded):
- person: the predicted person's key equals the gold name's key (``entitynames.person_key``);
- role / affiliation: a (person, role) pair matches when the role strings are equal after
  dropping "the" and punctuation; affiliations likewise;
- speaker: a predicted quote matches a gold quote when its text contains the gold text (and
  the gold ``continues`` text, for quotes over several paragraphs) and the speaker agrees: the
  same person key, or both unnamed with the same description and anonymous flag.
"""

from __future__ import annotations

import json
import re
from pathlib import Path

from ..models import Article
from .entitynames import person_key

__all__ = ["load_gold", "score", "Scores"]

Scores = dict[str, dict[str, float]]


def load_gold(path: Path) -> list[dict]:
    """Reads the gold articles (one JSON object a line)."""
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _norm(text: str | None) -> str:
    text = re.sub(r"[\"“”.,]", "", (text or "").lower())
    text = re.sub(r"^(?:the|a|an)\s+", "", text.strip())
    return re.sub(r"\s+", " ", text).strip()


def _prf(tp: int, predicted: int, gold: int) -> dict[str, float]:
    p = tp / predicted if predicted else 0.0
    r = tp / gold if gold else 0.0
    return {"precision": p, "recall": r, "f1": 2 * p * r / (p + r) if p + r else 0.0,
            "tp": tp, "predicted": predicted, "gold": gold}


def _speaker_ok(pred: dict, gold: dict) -> bool:
    if gold["speaker"]:
        return bool(pred.get("speaker")) and person_key(pred["speaker"]) == person_key(gold["speaker"])
    return (not pred.get("speaker") and bool(pred.get("anonymous")) == bool(gold["anonymous"])
            and _norm(pred.get("speaker_description")) == _norm(gold["speaker_description"]))


def _contains(pred: dict, gold: dict) -> bool:
    text = _norm(pred.get("text"))
    return _norm(gold["text"]) in text and (not gold.get("continues")
                                            or _norm(gold["continues"]) in text)


def score(gold: list[dict], predicted: list[Article]) -> Scores:
    """Returns precision, recall and F1 for person, role, affiliation and speaker."""
    counts = {k: [0, 0, 0] for k in ("person", "role", "affiliation", "speaker")}  # tp, pred, gold
    for item, article in zip(gold, predicted, strict=True):
        people = {person_key(e["name"]): e for e in article.entities if e["type"] == "person"}
        gold_people = {person_key(p["name"]): p for p in item["people"]}
        counts["person"][0] += len(people.keys() & gold_people.keys())
        counts["person"][1] += len(people)
        counts["person"][2] += len(gold_people)
        for field in ("roles", "affiliations"):
            name = "role" if field == "roles" else "affiliation"
            pred_pairs = {(k, _norm(v)) for k, e in people.items() for v in e[field]}
            gold_pairs = {(k, _norm(v)) for k, p in gold_people.items() for v in p[field]}
            counts[name][0] += len(pred_pairs & gold_pairs)
            counts[name][1] += len(pred_pairs)
            counts[name][2] += len(gold_pairs)
        quotes = article.quotes
        counts["speaker"][0] += sum(any(_contains(q, g) and _speaker_ok(q, g) for q in quotes)
                                    for g in item["quotes"])
        # a predicted quote is right when it holds a gold quote and names its speaker
        right = sum(any(_contains(q, g) and _speaker_ok(q, g) for g in item["quotes"]) for q in quotes)
        counts["speaker"][1] += len(quotes)
        counts["speaker"][2] += len(item["quotes"])
        counts["speaker"].append(right)
    out: Scores = {}
    for name, (tp, pred, gold_n, *rights) in counts.items():
        out[name] = _prf(tp, pred, gold_n)
        if name == "speaker":
            # precision counts right predictions (several gold quotes may sit in one merged quote)
            out[name]["precision"] = sum(rights) / pred if pred else 0.0
            p, r = out[name]["precision"], out[name]["recall"]
            out[name]["f1"] = 2 * p * r / (p + r) if p + r else 0.0
    return out
