"""Fits the keyphrase weights of newsdesk.enrich.keywords on the DEV files of 500N-KPCrowd.

Logistic regression (L2, Newton steps) over every candidate of every DEV story, label = the
candidate's Porter-stemmed form is a gold key. Prints the 5-fold cross-validated F1@10 (folds
by story) for a few regularisation strengths, then the weights fitted on all of DEV, ready to
paste into ``WEIGHTS``. HOLDOUT files are never read.

    .venv/bin/python bench/keyphrases_fit.py
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from newsdesk.enrich import keywords  # noqa: E402
from newsdesk.enrich.textquality import _stemmer, f1_at_k, load_kpcrowd, stem_phrase  # noqa: E402


def design(docs):
    """Returns per-story (candidates, feature matrix, labels)."""
    stemmer = _stemmer()
    out = []
    for doc in docs:
        want = {stem_phrase(g, stemmer) for g in doc.gold}
        rows = keywords.feature_rows(doc.title, doc.text)
        if not rows:
            out.append(([], np.zeros((0, len(keywords.FEATURES))), np.zeros(0)))
            continue
        cands = [c for c, _ in rows]
        x = np.array([f for _, f in rows], dtype=float)
        y = np.array([float(any(stem_phrase(form, stemmer) in want for form in c.forms))
                      for c in cands])
        out.append((cands, x, y))
    return out


def fit(x: np.ndarray, y: np.ndarray, l2: float) -> np.ndarray:
    """Returns logistic-regression weights (Newton's method, L2 on all but the bias)."""
    w = np.zeros(x.shape[1])
    reg = np.full(x.shape[1], l2)
    reg[0] = 0.0
    for _ in range(30):
        p = 1 / (1 + np.exp(-(x @ w)))
        grad = x.T @ (p - y) + reg * w
        hess = (x * (p * (1 - p))[:, None]).T @ x + np.diag(reg) + 1e-9 * np.eye(len(w))
        step = np.linalg.solve(hess, grad)
        w -= step
        if np.abs(step).max() < 1e-6:
            break
    return w


def predict(cands, x, w, k=10):
    order = np.argsort(-(x @ w), kind="stable")
    return [cands[i].surface for i in order[:k * 2]]


def main() -> None:
    docs = load_kpcrowd()
    data = design(docs)
    gold = [d.gold for d in docs]
    folds = np.arange(len(docs)) % 5
    for l2 in (0.1, 1.0, 10.0):
        preds: list[list[str]] = [[] for _ in docs]
        for fold in range(5):
            train = [i for i in range(len(docs)) if folds[i] != fold]
            x = np.vstack([data[i][1] for i in train])
            y = np.concatenate([data[i][2] for i in train])
            w = fit(x, y, l2)
            for i in range(len(docs)):
                if folds[i] == fold and len(data[i][0]):
                    preds[i] = predict(data[i][0], data[i][1], w)
        print(f"l2={l2:<5} 5-fold CV on DEV F1@10 {f1_at_k(preds, gold)['f1']:.4f}")
    x = np.vstack([d[1] for d in data if len(d[0])])
    y = np.concatenate([d[2] for d in data if len(d[0])])
    w = fit(x, y, 1.0)
    preds = [predict(c, xx, w) if len(c) else [] for c, xx, _ in data]
    print(f"fitted on all DEV, scored on DEV: F1@10 {f1_at_k(preds, gold)['f1']:.4f}")
    print("WEIGHTS = {")
    print("    " + ", ".join(f'"{n}": {v:.3f}' for n, v in zip(keywords.FEATURES, w, strict=True)))
    print("}")
    current = [keywords.keyphrases(d.title, d.text) for d in docs]
    print(f"shipped WEIGHTS via keyphrases(): F1@10 {f1_at_k(current, gold)['f1']:.4f}")


if __name__ == "__main__":
    main()
