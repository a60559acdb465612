"""Chinese full-text search: jieba-segmented text in PostgreSQL `simple` tsvectors with GIN.

PostgreSQL's parsers do not split Chinese into words, so each searchable record keeps a
`*_search_document` column holding its text segmented by jieba (search mode, which also emits
the shorter words inside long ones). Queries are segmented the same way and must match every
word. The GIN index is an expression index on `to_tsvector('simple', document)`, built by
`gin_index`; on SQLite (the embedded default) search falls back to matching each word with LIKE.
"""

from __future__ import annotations

import logging
import operator
import re
from collections.abc import Collection
from functools import reduce

import jieba
from django.contrib.postgres.indexes import GinIndex
from django.contrib.postgres.search import SearchQuery, SearchRank, SearchVector
from django.db import connection
from django.db.models import Q, QuerySet

jieba.setLogLevel(logging.WARNING)
_WORD = re.compile(r"\w", re.UNICODE)
MAX_QUERY_WORDS = 12
# Words of a text looked for by `similar`, at most: its pairs must stay a short query.
MAX_SIMILAR_WORDS = 8


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


def similar(queryset: QuerySet, field: str, text: str, *, limit: int = 5, ignore: Collection[str] = ()) -> QuerySet:
    """At most `limit` rows of `queryset` whose `field` document shares words with `text`, the
    closest first: "has someone raised this already?" while a citizen types a title.

    A row must share two of the text's words (one, if the text has only one): a single common word
    would match half the table. Single characters and the words in `ignore` (a domain's own
    commonplaces: 建议, 问题) are not looked for. The closest are ranked by PostgreSQL's ts_rank;
    on SQLite (the embedded default) the rows sharing two words come in the queryset's order."""
    # Search mode, as documents are segmented: 公交线路 also looks for 公交 and 线路.
    found = _words(jieba.cut_for_search(text or ""))
    words = list(dict.fromkeys(word for word in found if len(word) > 1 and word not in ignore))
    words = words[:MAX_SIMILAR_WORDS]
    if not words:
        return queryset.none()
    groups = [words] if len(words) == 1 else [[a, b] for index, a in enumerate(words) for b in words[index + 1 :]]
    if connection.vendor != "postgresql":
        condition = reduce(
            operator.or_,
            (reduce(operator.and_, (Q(**{f"{field}__icontains": word}) for word in group)) for group in groups),
        )
        return queryset.filter(condition)[:limit]

    def plain(*parts: str) -> SearchQuery:
        return SearchQuery(" ".join(parts), config="simple", search_type="plain")

    wanted = reduce(operator.or_, (plain(*group) for group in groups))
    return (
        queryset.alias(_search=vector(field))
        .filter(_search=wanted)
        .annotate(_similarity=SearchRank(vector(field), reduce(operator.or_, (plain(word) for word in words))))
        .order_by("-_similarity", "-pk")[:limit]
    )
