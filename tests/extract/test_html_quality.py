"""Quality gate: body-text F1 of the HTML extractor on the DEV pages of extraction-benchmark."""

from __future__ import annotations

from pathlib import Path

import pytest

from newsdesk.extract.evaluation import (
    benchmark_dir,
    load_pages,
    match_counts,
    newsdesk_body,
    page_split,
    run_system,
    score,
    score_pages,
    trafilatura_body,
)

DATASET = benchmark_dir(Path(__file__))

# Floor: measured F1 0.9704 (P 0.9679, R 0.9730) on the 88 DEV pages with trafilatura 2.3.1,
# minus 0.005. trafilatura.extract with default options scores 0.9545 (P 0.9356, R 0.9741) on
# the same pages; the gate also recomputes that figure and requires us to match or beat it.
# Never lower the floor silently: a drop means extraction got worse.
F1_FLOOR = 0.965
DEV_PAGES = 88


@pytest.fixture(scope="module")
def dev_pages():
    try:
        return load_pages(DATASET, "dev")
    except FileNotFoundError:
        pytest.skip(f"extraction benchmark not found at {DATASET} (shared datasets are absent)")


def test_gate_reads_only_the_dev_split(dev_pages):
    assert len(dev_pages) == DEV_PAGES
    assert all(page.id[0] in "01234567" for page in dev_pages)


def test_body_f1_holds_the_floor_and_beats_trafilatura_default(dev_pages):
    ours = run_system(newsdesk_body, dev_pages).scores
    theirs = run_system(trafilatura_body(), dev_pages).scores
    summary = (
        f"newsdesk P {ours.precision:.4f} R {ours.recall:.4f} F1 {ours.f1:.4f}; "
        f"trafilatura default P {theirs.precision:.4f} R {theirs.recall:.4f} F1 {theirs.f1:.4f}"
    )
    assert ours.pages == DEV_PAGES
    assert ours.f1 >= F1_FLOOR, summary
    assert ours.f1 >= theirs.f1, summary


# The metric itself (newsdesk/extract/evaluation.py), checked by hand-counted cases.


def test_identical_text_scores_one():
    counts = match_counts("one two three four five", "one, two: three four five!")
    assert (counts.precision, counts.recall) == (1.0, 1.0)


def test_shingles_are_case_sensitive_multisets():
    # truth shingles: abcd, bcde; prediction: abcd twice, bcda, cdab, dabc
    counts = match_counts("a b c d a b c d", "a b c d e")
    # tp 1 (one abcd), fp 4 (the other abcd, bcda, cdab, dabc), fn 1 (bcde); normalised by 6
    assert counts.tp == pytest.approx(1 / 6) and counts.fp == pytest.approx(4 / 6)
    assert counts.recall == pytest.approx(0.5)
    assert match_counts("A b c d", "a b c d").tp == 0


def test_short_texts_are_one_shingle():
    assert match_counts("Breaking news", "Breaking news").precision == 1.0
    assert match_counts("Breaking", "Breaking news").recall == 0.0


def test_empty_prediction_is_left_out_of_precision_and_counts_zero_recall():
    scores = score(
        {"a": "one two three four", "b": None}, {"a": "one two three four", "b": "x y z w"}
    )
    assert (scores.precision, scores.recall, scores.empty) == (1.0, 0.5, 1)
    assert scores.f1 == pytest.approx(2 * 1.0 * 0.5 / 1.5)


def test_page_weights_do_not_depend_on_length():
    long_truth = " ".join(f"w{i}" for i in range(1000))
    scores = score_pages([match_counts(long_truth, long_truth), match_counts("x", "a b c d e")])
    assert scores.precision == pytest.approx(0.5)


def test_splits_follow_the_first_hex_digit():
    assert [page_split(i) for i in ("0a", "7f", "8a", "fa", "Ab")] == [
        "dev",
        "dev",
        "holdout",
        "holdout",
        "holdout",
    ]
