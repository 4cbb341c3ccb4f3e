"""Loads the keyphrase and summary sets of ../shared/datasets and scores against them.

Keyphrases (500N-KPCrowd, datasets README): F1@10 per document, phrases lower-cased and
Porter-stemmed word by word, exact match against the gold list, averaged over documents.
Summaries (the CNN/DM part of summaries/frank_docs.jsonl): ROUGE-1/2/Lsum F with stemming by
rouge-score's tokeniser, averaged over articles. Both need the ``test`` extra (nltk,
rouge-score), imported only when scoring.

DEV parts only unless ``holdout=True`` is passed, for the final independent check: KPCrowd
files with an even number in their name, CNN/DM ids whose last hex digit is 0-7. Never tune on
the HOLDOUT parts.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from pathlib import Path

__all__ = ["datasets_root", "KeyDoc", "load_kpcrowd", "f1_at_k", "SummaryDoc", "load_cnndm",
           "rouge_scores", "lead_sentences"]


def datasets_root() -> Path:
    """Returns ../shared/datasets relative to the repository root."""
    return Path(__file__).resolve().parents[2].parent / "shared" / "datasets"


@dataclass
class KeyDoc:
    """One KPCrowd story: title (its first line), body and gold keyphrases."""

    name: str
    title: str
    text: str
    gold: list[str]


def load_kpcrowd(holdout: bool = False, root: Path | None = None) -> list[KeyDoc]:
    """Returns the DEV (even-numbered) or HOLDOUT (odd) stories of 500N-KPCrowd, by name."""
    base = (root or datasets_root()) / "keyphrases" / "500N-KPCrowd-v1.1"
    docs = []
    for path in sorted((base / "docsutf8").glob("*.txt")):
        number = int(re.search(r"(\d+)\.txt$", path.name).group(1))
        if (number % 2 == 1) != holdout:
            continue
        raw = path.read_text(encoding="utf-8")
        title, _, body = raw.partition("\n")
        gold = (base / "keys" / (path.stem + ".key")).read_text(encoding="utf-8").splitlines()
        docs.append(KeyDoc(path.stem, title.strip(), body, [g.strip() for g in gold if g.strip()]))
    return docs


def _stemmer():
    from nltk.stem import PorterStemmer

    return PorterStemmer()


def stem_phrase(phrase: str, stemmer=None) -> str:
    """Returns the phrase lower-cased with each whitespace-separated word Porter-stemmed."""
    stemmer = stemmer or _stemmer()
    return " ".join(stemmer.stem(w) for w in phrase.lower().split())


def f1_at_k(predicted: list[list[str]], gold: list[list[str]], k: int = 10) -> dict[str, float]:
    """Returns mean precision, recall and F1 at k over documents (stemmed exact match)."""
    stemmer = _stemmer()
    p_sum = r_sum = f_sum = 0.0
    for pred, keys in zip(predicted, gold, strict=True):
        want = {stem_phrase(g, stemmer) for g in keys}
        got: list[str] = []
        for phrase in pred:
            s = stem_phrase(phrase, stemmer)
            if s not in got:
                got.append(s)
            if len(got) == k:
                break
        hits = len(set(got) & want)
        p = hits / len(got) if got else 0.0
        r = hits / len(want) if want else 0.0
        p_sum += p
        r_sum += r
        f_sum += 2 * p * r / (p + r) if hits else 0.0
    n = max(len(gold), 1)
    return {"precision": p_sum / n, "recall": r_sum / n, "f1": f_sum / n}


@dataclass
class SummaryDoc:
    """One CNN/DM article of the FRANK set with its reference summary."""

    id: str
    text: str
    reference: str

    @property
    def reference_lines(self) -> str:
        """Returns the reference with one sentence a line, as ROUGE-Lsum wants it (the file
        holds it as one tokenised string: "... on Friday . Next ...")."""
        return "\n".join(re.split(r"(?<=[.!?])\s+", self.reference.strip()))


def load_cnndm(holdout: bool = False, root: Path | None = None) -> list[SummaryDoc]:
    """Returns the CNN/DM articles of frank_docs.jsonl: DEV ids end in 0-7, HOLDOUT in 8-f."""
    path = (root or datasets_root()) / "summaries" / "frank_docs.jsonl"
    docs = []
    with path.open(encoding="utf-8") as fh:
        for line in fh:
            item = json.loads(line)
            reference = item.get("reference") or item.get("reference_summary")
            if not reference:
                continue  # XSum items carry no reference
            doc_id = str(item.get("id") or item.get("hash"))
            if (doc_id[-1].lower() in "89abcdef") != holdout:
                continue
            text = item.get("article") or item.get("text") or item.get("document")
            docs.append(SummaryDoc(doc_id, text, reference))
    return docs


def lead_sentences(text: str, n: int = 3) -> str:
    """Returns the first n sentences (the Lead-n baseline) by newsdesk's sentence splitter."""
    from .sentences import sentence_texts

    return "\n".join(sentence_texts(text)[:n])


def rouge_scores(predictions: list[str], references: list[str]) -> dict[str, float]:
    """Returns mean ROUGE-1/2/Lsum F (x100, stemmed); sentences are newline-separated."""
    from rouge_score import rouge_scorer

    scorer = rouge_scorer.RougeScorer(["rouge1", "rouge2", "rougeLsum"], use_stemmer=True)
    sums = {"rouge1": 0.0, "rouge2": 0.0, "rougeLsum": 0.0}
    for pred, ref in zip(predictions, references, strict=True):
        result = scorer.score(ref, pred)
        for name in sums:
            sums[name] += result[name].fmeasure
    n = max(len(references), 1)
    return {name: 100 * value / n for name, value in sums.items()}
