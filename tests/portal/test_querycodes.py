"""portal.querycodes: the code a citizen keeps with a reference, stored only as a keyed digest."""

from portal import querycodes
from portal.querycodes import QUERY_CODE_ALPHABET


def test_codes_avoid_confusable_characters_and_match_only_under_their_own_key():
    code = querycodes.query_code_new()
    assert len(code) == 8 and set(code) <= set(QUERY_CODE_ALPHABET)
    assert not set("01OIL") & set(QUERY_CODE_ALPHABET)
    digest = querycodes.query_code_digest(code, salt="petitions.query_code")
    assert code not in digest
    assert querycodes.query_code_matches(digest, f" {code.lower()} ", salt="petitions.query_code")
    assert not querycodes.query_code_matches(digest, code, salt="suggestions.query_code")
    assert not querycodes.query_code_matches(digest, "", salt="petitions.query_code")
