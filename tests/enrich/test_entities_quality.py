"""Quality gates of the entities step: NER on CoNLL-2003 dev and the people/quotes gold set.

Floors sit a little below the measured figures (docs/entities.md) so that a regression fails;
never lower one without saying why in docs/entities.md.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.enrich.conll import (
    document_sets,
    documents,
    gold_spans,
    predict_spans,
    read_conll,
    score_sets,
    score_spans,
)
from newsdesk.enrich.entities import EntitiesEnricher
from newsdesk.enrich.nlp import TRAINED_MODEL_PATH, trained_model
from newsdesk.enrich.peoplegold import load_gold, score
from newsdesk.models import Article

ROOT = Path(__file__).resolve().parents[2]
CONLL_DEV = ROOT.parent / "shared" / "datasets" / "ner-conll2003" / "dev.txt"
GOLD = ROOT / "tests" / "data" / "people_quotes_gold.jsonl"

# Measured on CoNLL-2003 dev with the shipped ner_model (docs/entities.md): PER 0.894,
# ORG 0.823, LOC 0.923, ALL 0.886; the stock model scores 0.709 / 0.333 / 0.775 / 0.638.
CONLL_FLOORS = {"PER": 0.87, "ORG": 0.79, "LOC": 0.90, "ALL": 0.87}
# The whole entity step on CoNLL-2003 dev cut into its 181 stories, per-document sets of
# (name, type): measured P 0.894, R 0.757, F1 0.820 (stock model's mentions: F1 0.620).
CONLL_DOCUMENT_F1_FLOOR = 0.80
# Precision and recall on the gold set (docs/entities.md); articles 1-9 were written while the
# rules were developed, so this is a regression gate, not an estimate.
# Measured: person 1.000/1.000, role 1.000/0.946, affiliation 1.000/0.919, speaker 1.000/0.984.
GOLD_FLOORS = {"person": (0.97, 0.97), "role": (0.95, 0.91), "affiliation": (0.95, 0.88),
               "speaker": (0.95, 0.95)}


def test_the_package_ships_the_trained_tagger():
    assert (TRAINED_MODEL_PATH / "meta.json").is_file()
    assert set(trained_model().get_pipe("ner").labels) == {"PER", "ORG", "LOC", "MISC"}


@pytest.mark.skipif(not CONLL_DEV.is_file(), reason="shared datasets not present")
def test_ner_on_conll_dev_stays_above_its_floor():
    dev = read_conll(CONLL_DEV)
    spans = predict_spans(dev, trained_model(), lambda label: label if label != "MISC" else None)
    scores = score_spans(gold_spans(dev), spans)
    print({k: round(v["f1"], 4) for k, v in scores.items()})
    for kind, floor in CONLL_FLOORS.items():
        assert scores[kind]["f1"] >= floor, (kind, scores[kind])


@pytest.mark.skipif(not CONLL_DEV.is_file(), reason="shared datasets not present")
def test_the_entity_step_on_conll_dev_documents_stays_above_its_floor():
    docs = documents(read_conll(CONLL_DEV))
    articles = [Article(title="", text="\n\n".join(" ".join(s.words) for s in d), language="en")
                for d in docs]
    EntitiesEnricher().enrich(articles, None)
    kinds = {"person": "PER", "organization": "ORG", "place": "LOC"}
    predicted = [{(e["name"], kinds[e["type"]]) for e in a.entities if e["type"] in kinds}
                 for a in articles]
    scores = score_sets(document_sets(docs), predicted)
    print({k: round(v, 4) for k, v in scores.items()})
    assert len(docs) > 150
    assert scores["f1"] >= CONLL_DOCUMENT_F1_FLOOR, scores


def test_people_roles_and_speakers_on_the_gold_set():
    gold = load_gold(GOLD)
    assert sum(len(g["people"]) for g in gold) >= 40 and sum(len(g["quotes"]) for g in gold) >= 30
    assert any(q["anonymous"] for g in gold for q in g["quotes"])
    assert any(q.get("continues") for g in gold for q in g["quotes"])
    articles = [Article(title=g["title"], text=g["text"], outlet=g["outlet"],
                        published_at=g["published_at"], language="en") for g in gold]
    EntitiesEnricher().enrich(articles, None)
    scores = score(gold, articles)
    print({k: (round(v["precision"], 3), round(v["recall"], 3)) for k, v in scores.items()})
    for name, (p_floor, r_floor) in GOLD_FLOORS.items():
        assert scores[name]["precision"] >= p_floor, (name, scores[name])
        assert scores[name]["recall"] >= r_floor, (name, scores[name])
