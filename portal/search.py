"""Chinese full-text search: jieba-segmented text in PostgreSQL `simple` tsvectors with GIN.

PostgreSQL's parsers do not split Chinese into words, so each searchable record keeps a
`*_search_document` column holding its text segmented by jieba (search mode, which also emits
the shorter words inside long ones). Queries are segmented the same way and must match every
word. The GIN index is an expression index on `to_tsvector('simple', document)`, built by
`gin_index`; on SQLite (the embedded default) search falls back to matching each word with LIKE.
"""

from __future__ import annotations

import logging
import re

import jieba
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

jieba.setLogLevel(logging.WARNING)
_WORD = re.compile(r"\w", re.UNICODE)
MAX_QUERY_WORDS = 12


def warm_up() -> None:
    """Load jieba's dictionary now (about a second) rather than on the first search or
    submission a visitor makes; portal/wsgi.py calls it as each web process starts."""
    jieba.initialize()


def _words(tokens) -> list[str]:
    return [token.strip().lower() for token in tokens if token.strip() and _WORD.search(token)]


def segment(*texts: str) -> str:
    """The words of `texts`, space-separated, for a search document column."""
    words: list[str] = []
    for text in texts:
        if text:
            words.extend(_words(jieba.cut_for_search(text)))
    return " ".join(words)


def query_words(query: str) -> list[str]:
    return _words(jieba.cut(query or ""))[:MAX_QUERY_WORDS]


def vector(field: str) -> SearchVector:
    return SearchVector(field, config="simple")


def gin_index(field: str, name: str) -> GinIndex:
    return GinIndex(vector(field), name=name)


def search(queryset: QuerySet, field: str, query: str) -> QuerySet:
    """Rows of `queryset` whose `field` document holds every word of `query`."""
    words = query_words(query)
    if not words:
        return queryset
    if connection.vendor == "postgresql":
        return queryset.alias(_search=vector(field)).filter(
            _search=SearchQuery(" ".join(words), config="simple", search_type="plain")
        )
    condition = Q()
    for word in words:
        condition &= Q(**{f"{field}__icontains": word})
    return queryset.filter(condition)
