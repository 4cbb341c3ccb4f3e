"""Prints the speed of the text steps (sentences, keywords + hashtags, summaries) and, with
``--quality``, their quality gates beside the baselines.

Speed is measured on real news text from ../shared/datasets (DEV parts only): the 247 DEV
stories of 500N-KPCrowd and the 120 DEV CNN/DM articles of summaries/, each step run over every
article in one process, single-threaded; best of ``--repeat`` runs. Words are whitespace-separated
tokens of title and text. Figures depend on the machine in the header and on what else runs.

    .venv/bin/python bench/enrich_text.py              # speed table
    .venv/bin/python bench/enrich_text.py --quality    # + KPCrowd F1@10 and CNN/DM ROUGE (DEV)
    .venv/bin/python bench/enrich_text.py --holdout    # the same on HOLDOUT only: run it once,
                                                       # after freezing, and tune nothing on it
"""

from __future__ import annotations

import argparse
import time

from machine import describe_machine  # noqa: E402  (bench/ is on sys.path)

from newsdesk.enrich.hashtags import article_hashtags
from newsdesk.enrich.keywords import KeywordsEnricher, keyphrases, scored
from newsdesk.enrich.sentences import split_sentences
from newsdesk.enrich.summaries import SummariesEnricher, article_summary
from newsdesk.enrich.textquality import f1_at_k, lead_sentences, load_cnndm, load_kpcrowd
from newsdesk.models import Article


def corpus() -> list[Article]:
    arts = [Article(title=d.title, text=d.text) for d in load_kpcrowd()]
    arts += [Article(title="", text=d.text) for d in load_cnndm()]
    return arts


def timed(step, articles: list[Article], repeat: int) -> float:
    best = float("inf")
    for _ in range(repeat):
        start = time.perf_counter()
        step(articles)
        best = min(best, time.perf_counter() - start)
    return best


def both_steps(articles: list[Article]) -> None:
    """Runs the two steps as ingest does, on fresh copies (a filled field is kept, not redone)."""
    fresh = [Article(title=a.title, text=a.text) for a in articles]
    KeywordsEnricher().enrich(fresh, None)
    SummariesEnricher().enrich(fresh, None)


def speed(repeat: int) -> None:
    articles = corpus()
    words = sum(len(a.title.split()) + len(a.text.split()) for a in articles)
    scored("", "warm up the wordfreq table")
    steps = {
        "sentences": lambda arts: [split_sentences(a.text) for a in arts],
        "keyphrases": lambda arts: [keyphrases(a.title, a.text) for a in arts],
        "keyphrases + hashtags": lambda arts: [article_hashtags(a, ranked=scored(a.title, a.text))
                                               for a in arts],
        "summary": lambda arts: [article_summary(a.text) for a in arts],
        "both enrichers": both_steps,
    }
    print(describe_machine())
    print(f"{len(articles)} articles, {words} words (KPCrowd DEV + CNN/DM DEV), best of {repeat}")
    print(f"{'step':<24}{'seconds':>9}{'articles/s':>12}{'words/s':>11}")
    for name, step in steps.items():
        seconds = timed(step, articles, repeat)
        print(f"{name:<24}{seconds:>9.2f}{len(articles) / seconds:>12.1f}{words / seconds:>11.0f}")


def quality(holdout: bool = False) -> None:
    split = "HOLDOUT" if holdout else "DEV"
    docs = load_kpcrowd(holdout=holdout)
    gold = [d.gold for d in docs]
    ours = f1_at_k([keyphrases(d.title, d.text) for d in docs], gold)
    print(f"\nKeyphrases, 500N-KPCrowd {split} ({len(docs)} stories), F1@10 stemmed exact match")
    print(f"{'system':<22}{'P@10':>8}{'R@10':>8}{'F1@10':>8}")
    print(f"{'newsdesk':<22}{ours['precision']:>8.4f}{ours['recall']:>8.4f}{ours['f1']:>8.4f}")
    try:
        import yake

        ext = yake.KeywordExtractor(lan="en", n=3, top=10)
        base = f1_at_k([[k for k, _ in ext.extract_keywords(d.title + "\n" + d.text)]
                        for d in docs], gold)
        print(f"{'YAKE 0.7.3 (n=3)':<22}{base['precision']:>8.4f}{base['recall']:>8.4f}"
              f"{base['f1']:>8.4f}")
    except ImportError:
        print("YAKE not installed (pip install -e .[test])")
    from newsdesk.enrich.textquality import rouge_scores

    items = load_cnndm(holdout=holdout)
    refs = [d.reference_lines for d in items]
    rows = {
        "newsdesk": [("\n".join(i["text"] for i in article_summary(d.text))) for d in items],
        "Lead-3": [lead_sentences(d.text, 3) for d in items],
    }
    print(f"\nSummaries, CNN/DM {split} of summaries/ ({len(items)} articles), ROUGE F x100, "
          "stemmed")
    print(f"{'system':<22}{'R-1':>8}{'R-2':>8}{'R-Lsum':>8}")
    for name, preds in rows.items():
        r = rouge_scores(preds, refs)
        print(f"{name:<22}{r['rouge1']:>8.2f}{r['rouge2']:>8.2f}{r['rougeLsum']:>8.2f}")
    from newsdesk.enrich.sentences import sentence_texts

    cited = total = 0
    for d in items:
        sentences = sentence_texts(d.text)
        for item in article_summary(d.text):
            total += 1
            index = item["source_sentence"]
            cited += 0 <= index < len(sentences) and sentences[index] == item["text"]
    print(f"summary sentences that are exactly the sentence they cite: {cited} of {total}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--quality", action="store_true")
    parser.add_argument("--holdout", action="store_true", help="quality on HOLDOUT only")
    args = parser.parse_args()
    if args.holdout:
        print(describe_machine())
        quality(holdout=True)
        return
    speed(max(1, args.repeat))
    if args.quality:
        quality()


if __name__ == "__main__":
    main()
