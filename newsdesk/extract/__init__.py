"""Turns raw documents into clean articles (HTML pages, page captures, plain text)."""

from .extractor import decode_text, extract_document, sniff_kind

__all__ = ["extract_document", "decode_text", "sniff_kind"]
