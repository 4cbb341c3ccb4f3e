"""Trains the small PER/ORG/LOC/MISC tagger shipped in newsdesk/enrich/ner_model on CoNLL-2003 train.

Usage (CPU only, about 40 minutes on 2 cores):

    .venv/bin/python scripts/train_ner.py [--data ../shared/datasets/ner-conll2003] [--minutes 40]

It converts train.txt and dev.txt to spaCy DocBins, trains a tok2vec (hash embeddings, CNN) + NER
pipeline with `spacy train`, keeps the checkpoint with the best dev F1 and copies it into the
package. Only the train and dev splits are read; the test split is never touched.
"""

from __future__ import annotations

import argparse
import re
import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from newsdesk.enrich.conll import read_conll, tag_spans  # noqa: E402

# Sizes: width 96 and these hash-table rows keep the weights near 5 MB (float32) while leaving
# room for CoNLL's vocabulary; the spaCy "efficiency" defaults otherwise (5000/1000/2500/2500 rows).
CONFIG = """
[paths]
train = null
dev = null

[system]
gpu_allocator = null
seed = 0

[nlp]
lang = "en"
pipeline = ["tok2vec", "ner"]
batch_size = 1000

[corpora]

[corpora.train]
@readers = "spacy.Corpus.v1"
path = ${paths.train}
max_length = 0

[corpora.dev]
@readers = "spacy.Corpus.v1"
path = ${paths.dev}
max_length = 0

[training]
dev_corpus = "corpora.dev"
train_corpus = "corpora.train"
seed = ${system.seed}
gpu_allocator = ${system.gpu_allocator}
dropout = 0.15
accumulate_gradient = 1
patience = 4000
max_epochs = 0
max_steps = 40000
eval_frequency = 400
frozen_components = []
annotating_components = []

[training.optimizer]
@optimizers = "Adam.v1"
beta1 = 0.9
beta2 = 0.999
L2_is_weight_decay = true
L2 = 0.01
grad_clip = 1.0
use_averages = true
eps = 1e-08
learn_rate = 0.001

[training.batcher]
@batchers = "spacy.batch_by_words.v1"
discard_oversize = false
tolerance = 0.2

[training.batcher.size]
@schedules = "compounding.v1"
start = 100
stop = 1000
compound = 1.001

[training.logger]
@loggers = "spacy.ConsoleLogger.v1"
progress_bar = false

[training.score_weights]
ents_f = 1.0
ents_p = 0.0
ents_r = 0.0

[initialize]

[components]

[components.tok2vec]
factory = "tok2vec"

[components.tok2vec.model]
@architectures = "spacy.Tok2Vec.v2"

[components.tok2vec.model.embed]
@architectures = "spacy.MultiHashEmbed.v2"
width = 96
attrs = ["NORM", "PREFIX", "SUFFIX", "SHAPE"]
rows = [7000, 1500, 3000, 1500]
include_static_vectors = false

[components.tok2vec.model.encode]
@architectures = "spacy.MaxoutWindowEncoder.v2"
width = 96
depth = 4
window_size = 1
maxout_pieces = 3

[components.ner]
factory = "ner"
update_with_oracle_cut_size = 100

[components.ner.model]
@architectures = "spacy.TransitionBasedParser.v2"
state_type = "ner"
extra_state_tokens = false
hidden_width = 64
maxout_pieces = 2
use_upper = true

[components.ner.model.tok2vec]
@architectures = "spacy.Tok2VecListener.v1"
width = 96
upstream = "*"
"""


def to_docbin(src: Path, dest: Path, sentences_per_doc: int) -> int:
    """Writes CoNLL sentences as spaCy docs of a few sentences each (some context for the CNN)."""
    from spacy.tokens import Doc, DocBin
    from spacy.vocab import Vocab

    vocab = Vocab()
    sentences = read_conll(src)
    bin_ = DocBin(attrs=["ENT_IOB", "ENT_TYPE", "SENT_START"])
    for first in range(0, len(sentences), sentences_per_doc):
        group = sentences[first:first + sentences_per_doc]
        words, starts, ents = [], [], []
        for sent in group:
            offset = len(words)
            words.extend(sent.words)
            starts.extend([True] + [False] * (len(sent.words) - 1))
            ents.extend((offset + s, offset + e, label) for s, e, label in tag_spans(sent.tags))
        doc = Doc(vocab, words=words, sent_starts=starts)
        doc.ents = [doc.char_span(doc[s].idx, doc[e - 1].idx + len(doc[e - 1]), label=label)
                    for s, e, label in ents]
        bin_.add(doc)
    bin_.to_disk(dest)
    return len(sentences)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--data", type=Path, default=ROOT.parent / "shared" / "datasets" / "ner-conll2003")
    parser.add_argument("--out", type=Path, default=ROOT / "newsdesk" / "enrich" / "ner_model")
    parser.add_argument("--work", type=Path, default=None, help="scratch folder (default: a temp dir)")
    parser.add_argument("--minutes", type=float, default=40.0, help="wall-time cap of the training")
    args = parser.parse_args(argv)

    work = args.work or Path(tempfile.mkdtemp(prefix="newsdesk-ner-"))
    work.mkdir(parents=True, exist_ok=True)
    for split in ("train", "dev"):
        n = to_docbin(args.data / f"{split}.txt", work / f"{split}.spacy", sentences_per_doc=8)
        print(f"{split}: {n} sentences", flush=True)
    (work / "config.cfg").write_text(CONFIG, encoding="utf-8")
    cmd = [sys.executable, "-m", "spacy", "train", str(work / "config.cfg"), "--output",
           str(work / "out"), "--paths.train", str(work / "train.spacy"),
           "--paths.dev", str(work / "dev.spacy")]
    try:
        subprocess.run(cmd, check=True, timeout=args.minutes * 60)
    except subprocess.TimeoutExpired:
        print(f"stopped after {args.minutes} minutes; keeping the best checkpoint so far", flush=True)
    best = work / "out" / "model-best"
    if not (best / "meta.json").is_file():
        print(f"train_ner: no checkpoint in {best}", file=sys.stderr)
        return 1
    if args.out.exists():
        shutil.rmtree(args.out)
    shutil.copytree(best, args.out)
    # the scratch paths of this run mean nothing inside the package
    cfg = args.out / "config.cfg"
    cfg.write_text(re.sub(r'^(train|dev) = ".*"$', r"\1 = null", cfg.read_text(encoding="utf-8"),
                          flags=re.M), encoding="utf-8")
    print(f"model copied to {args.out}", flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
