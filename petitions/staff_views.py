"""Offline intake (接访登记) by office staff, and the printable slip (回执单) it leads to.

A clerk records a plaza reception, hotline call or mailbox letter on the citizen's behalf; the
tracking number and the query code are then printed once on a slip the citizen takes home.
Only the code's digest is stored, so the slip page reads the code from the session and forgets it.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods

from petitions import policies, selectors, services
from petitions.admin import SLIP_SESSION_KEY
from petitions.admin_forms import RecordForm
from petitions.models import Petition
from portal.exceptions import DomainError

DEFAULT_OFFICE_NAME = gettext_lazy("Petition office (网络问政办公室)")


def _require_recorder(user) -> None:
    if not (user.is_staff and user.has_perm("petitions.record_petition")):
        raise PermissionDenied


@login_required
@require_http_methods(["GET", "POST"])
def record(request):
    _require_recorder(request.user)
    form = RecordForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            petition, code = services.petition_record(
                actor=request.user,
                channel=data["channel"],
                kind=data["kind"],
                category=data["category"],
                title=data["title"],
                content=data["content"],
                location=data["location"],
                contact_name=data["contact_name"],
                contact_mobile=data["contact_mobile"],
                contact_email=data["contact_email"],
                publish_consent=data["publish_consent"],
                reception_place=data["reception_place"],
                reception_date=data["reception_date"],
                files=data["attachments"],
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            request.session[SLIP_SESSION_KEY] = {"reference": petition.reference, "code": code}
            messages.success(request, _("Ticket %(reference)s recorded.") % {"reference": petition.reference})
            return redirect("petitions:slip")
    return render(request, "petitions/record.html", {"form": form})


@never_cache
@login_required
@require_http_methods(["GET"])
def slip(request):
    """The slip, shown once: the query code leaves the session as it is shown."""
    _require_recorder(request.user)
    data = request.session.pop(SLIP_SESSION_KEY, None)
    petition = Petition.objects.filter(reference=(data or {}).get("reference", "")).first()
    if not data or petition is None:
        messages.info(request, _("The slip has already been shown. To print a new one, reissue the query code."))
        return redirect("petitions:record")
    due = {clock.kind: clock for clock in selectors.petition_clocks(petition) if clock.is_open}
    context = {
        "petition": petition,
        "query_code": data["code"],
        "track_url": settings.SITE_URL + reverse("petitions:track"),
        "office_name": getattr(settings, "PETITION_OFFICE_NAME", "") or DEFAULT_OFFICE_NAME,
        "acknowledge_clock": due.get(policies.ACKNOWLEDGE),
        "reply_clock": due.get(policies.REPLY),
        "admin_url": reverse("admin:petitions_petition_change", args=[petition.pk]),
    }
    return render(request, "petitions/slip.html", context)
