"""Talks to an OpenAI-compatible chat endpoint (Ollama, vLLM, llama.cpp server) and keeps only
the sentences of its answer that the cited passages support.

The model is asked to cite passage numbers after each sentence. Each sentence of its reply is
then checked against the passages it cites (all passages when it cites none): a sentence stays
only when enough of its content words occur in one of them. A model that adds facts, or answers
from its own memory, loses those sentences; what is left keeps a citation each.
"""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from typing import Any

import httpx

from .query import STOPWORDS
from .text import content_words, sentences

__all__ = ["chat", "compose", "supported", "Passage", "SUPPORT_MIN", "LLMError"]

log = logging.getLogger(__name__)

# Share of a sentence's content words that must occur in one cited passage. 0.6, set by hand,
# not tuned on data: a sentence that restates a passage keeps most of its names, numbers and
# nouns even when the grammar changes, while one that adds a claim brings new ones.
SUPPORT_MIN = 0.6
_CITE = re.compile(r"\[(\d+(?:\s*,\s*\d+)*)\]")
_NO_ANSWER = re.compile(r"\bno answer\b", re.I)


class LLMError(Exception):
    """The LLM endpoint could not be reached or gave no usable answer."""


@dataclass
class Passage:
    """A sentence offered to the model, with the article it cites."""

    text: str
    article: dict[str, Any]  # id, title, outlet, published_at


def _endpoint(url: str) -> str:
    base = url.rstrip("/")
    if base.endswith("/chat/completions"):
        return base
    if not base.endswith("/v1"):
        base += "/v1"
    return base + "/chat/completions"


def chat(settings: Any, messages: list[dict[str, str]], max_tokens: int = 256) -> str:
    """Returns the reply of the configured endpoint to chat ``messages``; raises LLMError."""
    headers = {"Authorization": f"Bearer {settings.llm_api_key}"} if settings.llm_api_key else {}
    body = {"model": settings.llm_model or "default", "messages": messages,
            "temperature": 0.0, "max_tokens": max_tokens}
    try:
        response = httpx.post(_endpoint(settings.llm_url), json=body, headers=headers,
                              timeout=settings.llm_timeout)
        response.raise_for_status()
        return str(response.json()["choices"][0]["message"]["content"] or "")
    except (httpx.HTTPError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise LLMError(f"llm: {settings.llm_url}: {type(exc).__name__}: {exc}") from None


def supported(sentence: str, passage: str) -> float:
    """Returns the share of the sentence's content words that occur in the passage."""
    words = content_words(sentence, STOPWORDS)
    if not words:
        return 0.0
    return len(words & content_words(passage, STOPWORDS)) / len(words)


def _prompt(question: str, passages: list[Passage]) -> list[dict[str, str]]:
    lines = []
    for n, p in enumerate(passages, 1):
        meta = ", ".join(x for x in (p.article.get("outlet"), (p.article.get("published_at") or "")[:10])
                         if x)
        lines.append(f"[{n}] ({meta}) {p.text}")
    return [
        {"role": "system", "content": "You answer questions about the news using only the numbered "
         "passages given. Write one to three short sentences. End each sentence with the numbers "
         "of the passages it comes from in square brackets, like [2]. If the passages do not "
         "answer the question, reply exactly: NO ANSWER."},
        {"role": "user", "content": "Passages:\n" + "\n".join(lines) + f"\n\nQuestion: {question}"},
    ]


def compose(settings: Any, question: str, passages: list[Passage]) -> list[tuple[str, Passage]]:
    """Returns the model's answer as (sentence, supporting passage) pairs, unsupported sentences
    dropped; an empty list when the model finds no answer. Raises LLMError."""
    reply = chat(settings, _prompt(question, passages), max_tokens=96)
    if not reply.strip() or _NO_ANSWER.search(reply):
        return []
    kept: list[tuple[str, Passage]] = []
    for sentence in sentences(reply):
        cited = [int(n) for group in _CITE.findall(sentence) for n in group.split(",")]
        text = " ".join(_CITE.sub("", sentence).split())
        text = re.sub(r"\s+([.,;:!?])", r"\1", text)
        if not content_words(text, STOPWORDS):
            continue
        pool = [passages[n - 1] for n in cited if 1 <= n <= len(passages)] or passages
        best = max(pool, key=lambda p: supported(text, p.text))
        score = supported(text, best.text)
        if score >= SUPPORT_MIN:
            kept.append((text, best))
        else:
            log.info("llm: dropped unsupported sentence (%.2f): %s", score, text)
    return kept
