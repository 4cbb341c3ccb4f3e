"""Turns raw documents into clean articles (HTML pages, page captures, plain text)."""

from .extractor import decode_text, extract_document, finish_article, sniff_kind

__all__ = ["extract_document", "finish_article", "decode_text", "sniff_kind"]
