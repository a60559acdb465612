"""Which query parameters each GET view reads, found rather than listed by hand.

tests/security/test_bad_input.py sends every view hostile values (payloads.HOSTILE_PARAMETER_VALUES)
in each parameter it reads, and in the common ones (COMMON_PARAMETERS) whether it reads them or
not. What a view reads is found by running it once while request.GET records every name looked
up (`recording_query_reads`); what an admin list reads comes from its filters, search, ordering
and date hierarchy (`admin_list_parameters`). A new view or filter is covered without anyone
declaring its parameters.
"""

from __future__ import annotations

import threading
from collections.abc import Iterator
from contextlib import contextmanager

from django.core.handlers.wsgi import WSGIRequest
from django.http import QueryDict
from django.utils.functional import cached_property

from tests.security.access import OK, URLS
from tests.security.world import ANONYMOUS, CLERK, SUPERUSER

# Names the portal's views and the admin use; sent to every view, read or not.
COMMON_PARAMETERS = (
    "q",
    "month",
    "page",
    "state",
    "kind",
    "channel",
    "department",
    "category",
    "period",
    "sort",
    "o",
    "p",
    "e",
    "reference",
    "next",
)
# The admin's own parameters (django.contrib.admin.views.main and options): search, ordering and
# page are sent one by one, the rest together with the common ones.
ADMIN_PARAMETERS = ("q", "o", "p")
ADMIN_OTHER_PARAMETERS = ("e", "all", "_popup", "_to_field", "_facets", "_changelist_filters")

_recorder = threading.local()


class RecordingQueryDict(QueryDict):
    """A QueryDict that notes every parameter name looked up in it (while recording)."""

    def _note(self, key):
        names = getattr(_recorder, "names", None)
        if names is not None and isinstance(key, str):
            names.add(key)

    def __getitem__(self, key):
        self._note(key)
        return super().__getitem__(key)

    def __contains__(self, key):
        self._note(key)
        return super().__contains__(key)

    def get(self, key, default=None):
        self._note(key)
        return super().get(key, default)

    def getlist(self, key, default=None):
        self._note(key)
        return super().getlist(key, default)


def _recording_get(request) -> QueryDict:
    return RecordingQueryDict(request.META.get("QUERY_STRING", ""), encoding=request._encoding)


@contextmanager
def recording_query_reads() -> Iterator[set[str]]:
    """Within the block, requests' GET records the names views look up; yields that set."""
    original = WSGIRequest.__dict__["GET"]
    recording = cached_property(_recording_get)
    recording.__set_name__(WSGIRequest, "GET")
    _recorder.names = names = set()
    WSGIRequest.GET = recording
    try:
        yield names
    finally:
        WSGIRequest.GET = original
        _recorder.names = None


def admin_list_parameters(model_admin, request) -> set[str]:
    """The parameters an admin list reads: its filters', its date hierarchy's and the admin's own."""
    changelist = model_admin.get_changelist_instance(request)
    names = set(ADMIN_PARAMETERS)
    for spec in changelist.filter_specs:
        names.update(spec.expected_parameters())
    if changelist.date_hierarchy:
        names.update(f"{changelist.date_hierarchy}__{part}" for part in ("year", "month", "day"))
    return names


def probing_role(access) -> str | None:
    """Who sends the hostile parameters to a view: an anonymous visitor where one sees the page,
    else a clerk where a clerk does, else the superuser (the parameters are parsed the same for
    everyone who sees the page)."""
    for role in (ANONYMOUS, CLERK, SUPERUSER):
        if access.outcomes[role] == OK:
            return role
    return None


def get_views() -> list[tuple[str, str]]:
    """(URL name, role) of every GET view in the access matrix that some prober sees."""
    return [
        (name, role)
        for name, access in sorted(URLS.items())
        if access.method == "get" and (role := probing_role(access)) is not None
    ]
