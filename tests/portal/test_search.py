"""Chinese full-text search (portal.search): jieba segmentation and the GIN-indexed tsvector query."""

import pytest
from django.db import connection

from petitions.models import Petition
from portal.search import query_words, search, segment


def test_segmentation_emits_words_and_their_parts():
    words = segment("小区门口道路积水严重,下雨天无法通行").split()
    assert {"道路", "积水", "下雨", "下雨天"} <= set(words)
    assert "," not in words


def test_query_words_ignore_punctuation_and_are_bounded():
    assert query_words("道路 积水!") == ["道路", "积水"]
    assert len(query_words("路" * 200 + " " + " ".join(["词"] * 50))) <= 12


def _ticket(title, content):
    from petitions import services
    from petitions.models import Category
    from tests.factories import citizen

    category, _ = Category.objects.get_or_create(name="城市管理")
    user = citizen()
    petition, _ = services.petition_submit(
        citizen=user, kind="message", category=category, title=title, content=content, contact_name="测试"
    )
    return petition


@pytest.mark.django_db
def test_search_matches_every_word_and_uses_the_gin_index():
    flooded = _ticket("道路积水", "小区门口道路积水严重")
    _ticket("噪音扰民", "夜间施工噪音")
    found = search(Petition.objects.all(), "search_document", "道路积水")
    assert list(found) == [flooded]
    assert not search(Petition.objects.all(), "search_document", "道路噪音").exists()
    assert search(Petition.objects.all(), "search_document", "  ").count() == 2
    sql, params = found.query.sql_with_params()
    with connection.cursor() as cursor:
        # The question is whether the GIN index can serve the match, not which plan wins on a
        # table of two rows: without sequential and plain index scans (a backward scan of the
        # ordering index with a filter, chosen or not by the statistics another test left), only a
        # bitmap scan with an index condition remains, and only the GIN index has one.
        cursor.execute("SET LOCAL enable_seqscan = off")
        cursor.execute("SET LOCAL enable_indexscan = off")
        cursor.execute("EXPLAIN " + sql, params)
        plan = "\n".join(row[0] for row in cursor.fetchall())
    assert "petition_search_gin" in plan


def test_each_web_process_loads_the_dictionary_before_its_first_request():
    """No visitor waits the second jieba needs to load: portal/wsgi.py loads it at start-up."""
    import os
    import subprocess
    import sys

    probe = "import jieba; import portal.wsgi; print(jieba.dt.initialized)"
    env = os.environ | {"DJANGO_SETTINGS_MODULE": "tests.settings"}
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, env=env, timeout=60)
    assert result.stdout.strip().splitlines()[-1] == "True", result.stderr
