"""The citizen-facing petition pages: intake, receipt, tracking, rating, "my tickets", the public
column 部门回应 and attachment downloads.

Each view checks who may act, validates a form, makes one service call and redirects; refusals
(DomainError) come back as form errors. Who may see a ticket's private side is decided in one
place, `_may_track`: its citizen's account, or a visitor who gave the query code this session.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_http_methods, require_POST

from petitions import selectors, services
from petitions.forms import PetitionForm, PublicFilterForm, RatingForm, TrackForm
from petitions.models import Attachment, Petition
from portal import clocks, params
from portal.exceptions import DomainError
from portal.masking import mask_personal_data
from portal.pagecache import as_given, page_number, shared_part, shared_with_anonymous
from portal.pagination import CappedPaginator
from portal.ratelimits import limited
from portal.scoping import scope_queryset
from portal.uploads import attachment_response, public_file_name

RECEIPT_SESSION_KEY = "petitions.receipt"
TRACKED_SESSION_KEY = "petitions.tracked"
TRACKED_MAX = 20  # references a visitor may have unlocked in one session
PUBLIC_PAGE_SIZE = 20
# The public column counts at most this many rows (a cheap capped COUNT on a huge table); deeper
# pages are reached through the filters and the search box.
PUBLIC_MAX_ROWS = 100 * PUBLIC_PAGE_SIZE
MINE_PAGE_SIZE = 20


# --- who may see a ticket's private side -----------------------------------------------------


def _remember_tracked(request, reference: str) -> None:
    tracked = [ref for ref in request.session.get(TRACKED_SESSION_KEY, []) if ref != reference]
    request.session[TRACKED_SESSION_KEY] = [*tracked, reference][-TRACKED_MAX:]


def _may_track(request, petition: Petition) -> bool:
    """The ticket's citizen (signed in), or a visitor who gave its query code in this session."""
    if request.user.is_authenticated and petition.citizen_id == request.user.pk:
        return True
    return petition.reference in request.session.get(TRACKED_SESSION_KEY, [])


def _staff_may_see(user, petition: Petition) -> bool:
    """Staff whose departments the ticket concerns (portal.scoping, as in the admin)."""
    if not (user.is_authenticated and user.is_staff and user.has_perm("petitions.view_attachment")):
        return False
    return scope_queryset(Petition.objects.filter(pk=petition.pk), user, ("lead_department", "co_departments")).exists()


# --- intake ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@limited("petitions.submit")
def new(request):
    if request.method == "POST":
        form = PetitionForm(request.POST, request.FILES, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                petition, code = services.petition_submit(
                    citizen=request.user,
                    kind=data["kind"],
                    category=data["category"],
                    title=data["title"],
                    content=data["content"],
                    location=data["location"],
                    contact_name=data["contact_name"],
                    contact_mobile=data["contact_mobile"],
                    contact_email=data["contact_email"],
                    publish_consent=data["publish_consent"],
                    files=data["attachments"],
                )
            except DomainError as error:
                form.refused(error)
            else:
                request.session[RECEIPT_SESSION_KEY] = {"reference": petition.reference, "code": code}
                _remember_tracked(request, petition.reference)
                return redirect("petitions:receipt")
    else:
        form = PetitionForm(user=request.user)
    return render(request, "petitions/new.html", {"form": form})


@never_cache
@login_required
def receipt(request):
    """The receipt, shown once: the query code exists nowhere else (only its digest is stored)."""
    shown = request.session.pop(RECEIPT_SESSION_KEY, None)
    if not shown:
        return redirect("petitions:mine")
    petition = get_object_or_404(Petition.objects.select_related("category"), reference=shown["reference"])
    due_dates = clocks.clocks_explain(selectors.petition_clocks(petition))
    return render(
        request,
        "petitions/receipt.html",
        {"petition": petition, "query_code": shown["code"], "due_dates": due_dates},
    )


@login_required
def mine(request):
    page = Paginator(selectors.petitions_of_citizen(request.user), MINE_PAGE_SIZE).get_page(
        params.parse_page(request.GET.get("page"))
    )
    # Each ticket's due dates and how they were computed: one query for the whole page.
    due_dates = selectors.petition_due_dates(page.object_list)
    rows = [(petition, due_dates[petition.pk]) for petition in page.object_list]
    return render(request, "petitions/mine.html", {"page": page, "rows": rows})


# --- tracking and rating ---------------------------------------------------------------------


@never_cache
@require_http_methods(["GET", "POST"])
@limited("petitions.track", method=("POST",))
def track(request):
    if request.method == "POST":
        form = TrackForm(request.POST)
        if form.is_valid():
            petition = selectors.petition_for_tracking(form.cleaned_data["reference"], form.cleaned_data["query_code"])
            if petition is not None:
                request.session.cycle_key()  # a fresh session id for the unlocked session
                _remember_tracked(request, petition.reference)
                return redirect("petitions:track_detail", reference=petition.reference)
            # The same words for a wrong number and a wrong code: neither can be probed.
            form.add_error(None, _("No ticket matches this tracking number and query code. Check both and try again."))
    else:
        form = TrackForm(initial={"reference": params.parse_text(request.GET.get("reference"), max_length=24)})
    return render(request, "petitions/track.html", {"form": form})


def _tracked_petition(request, reference: str) -> Petition | None:
    petition = (
        Petition.objects.select_related("category", "lead_department").filter(reference=reference.upper()).first()
    )
    return petition if petition is not None and _may_track(request, petition) else None


def _to_track_form(reference: str):
    return redirect(f"{reverse('petitions:track')}?{urlencode({'reference': reference[:24]})}")


def _render_tracking(request, petition: Petition, rating_form: RatingForm | None = None, status: int = 200):
    now = timezone.now()
    may_rate = selectors.awaiting_rating(petition, now)
    replies = list(petition.replies.select_related("department").prefetch_related("attachments"))
    context = {
        "petition": petition,
        "events": selectors.timeline(petition, public_only=True),
        "due_dates": clocks.clocks_explain(selectors.petition_clocks(petition)),
        "replies": replies,
        "attachments": [a for a in petition.attachments.all() if a.reply_id is None],
        "may_rate": may_rate,
        "rating_form": rating_form or (RatingForm() if may_rate else None),
        "is_owner": request.user.is_authenticated and petition.citizen_id == request.user.pk,
    }
    return render(request, "petitions/track_detail.html", context, status=status)


@never_cache
def track_detail(request, reference: str):
    petition = _tracked_petition(request, reference)
    if petition is None:
        return _to_track_form(reference)
    return _render_tracking(request, petition)


@never_cache
@require_POST
@limited("petitions.rate")
def rate(request, reference: str):
    petition = _tracked_petition(request, reference)
    if petition is None:
        return _to_track_form(reference)
    form = RatingForm(request.POST)
    if form.is_valid():
        try:
            petition = services.petition_rate(
                petition=petition, rating=form.cleaned_data["rating"], comment=form.cleaned_data["comment"]
            )
        except DomainError as error:
            form.add_error(None, str(error))
        else:
            if petition.state == Petition.State.REEXAMINING:
                messages.success(request, _("Thank you. Your ticket has been reopened for re-examination (复查)."))
            else:
                messages.success(request, _("Thank you for your rating. The ticket is now closed (已办结)."))
            return redirect("petitions:track_detail", reference=petition.reference)
    return _render_tracking(request, petition, rating_form=form)


# --- the public column 部门回应 ---------------------------------------------------------------


def _index_body(request) -> str:
    form = PublicFilterForm(request.GET or None)
    filters = selectors.PublicFilter()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.PublicFilter(
            department=data["department"],
            kind=data["kind"],
            category=data["category"],
            month=data["month"],
            query=data["q"].strip(),
        )
    paginator = CappedPaginator(selectors.public_petitions(filters), PUBLIC_PAGE_SIZE, max_rows=PUBLIC_MAX_ROWS)
    page = paginator.get_page(params.parse_page(request.GET.get("page")))
    page.object_list = [_masked_for_public(petition) for petition in page.object_list]
    # Rendered without anything personal (no user, no CSRF token): anonymous visitors share it.
    return render_to_string(
        "petitions/includes/public_list.html",
        {"form": form, "page": page, "filtered": any(vars(filters).values())},
        request=request,  # for {% querystring %} in the pager; the template uses nothing personal
    )


# The public column reads these GET parameters and no other (PublicFilterForm, the pager); the
# shared page and list are keyed on them alone (portal.pagecache).
INDEX_QUERY = {
    "q": as_given,
    "department": as_given,
    "kind": as_given,
    "category": as_given,
    "month": as_given,
    "page": page_number(PUBLIC_MAX_ROWS // PUBLIC_PAGE_SIZE),
}


@shared_with_anonymous(query=INDEX_QUERY)
@require_http_methods(["GET", "HEAD"])
def index(request):
    """Published tickets, newest first, filtered and searched. The list is rendered without
    anything personal and shared by every visitor until public content changes; the page around
    it (header, user menu) is rendered for each visitor."""
    body = shared_part(request, "petitions.index", lambda: _index_body(request))
    # Our own rendered template, possibly back from the cache as a plain str.
    return render(request, "petitions/index.html", {"body": mark_safe(body)})  # noqa: S308


def _masked_for_public(petition: Petition) -> Petition:
    """Masked again as the page renders (portal.masking), so that text published under older,
    weaker rules is covered too; text masked at publication comes out unchanged."""
    petition.public_title = mask_personal_data(petition.public_title)
    petition.public_content = mask_personal_data(petition.public_content)
    return petition


def _detail_part(reference: str) -> dict | None:
    petition = selectors.public_petition(reference)
    if petition is None:
        return None  # not stored: probing unknown numbers must not fill the cache
    _masked_for_public(petition)
    replies = list(petition.replies.all())
    for reply in replies:
        reply.public_body = mask_personal_data(reply.public_body)
        reply.public_files = list(reply.attachments.all())  # in Attachment's order, as _public_file_name counts
        for number, attachment in enumerate(reply.public_files, start=1):
            attachment.public_name = public_file_name(number=number, extension=attachment.stored_extension)
    body = render_to_string("petitions/includes/public_detail.html", {"petition": petition, "replies": replies})
    return {"title": petition.public_title, "body": body}


@shared_with_anonymous
@require_http_methods(["GET", "HEAD"])
def detail(request, reference: str):
    part = shared_part(request, "petitions.detail", lambda: _detail_part(reference.upper()))
    if not part:
        raise Http404
    # Our own rendered template, possibly back from the cache as a plain str.
    return render(request, "petitions/detail.html", {"title": part["title"], "body": mark_safe(part["body"])})  # noqa: S308


# --- attachments -----------------------------------------------------------------------------


def _may_download(request, attachment: Attachment) -> bool:
    petition = attachment.petition
    if attachment.reply_id is not None and petition.published_at is not None:
        return True
    return _may_track(request, petition) or _staff_may_see(request.user, petition)


@require_http_methods(["GET", "HEAD"])
def attachment(request, pk: int):
    """A stored file, only for those who may see it (otherwise 404, whether or not it exists)."""
    found = get_object_or_404(
        Attachment.objects.select_related("petition").only(
            "id",
            "file",
            "original_name",
            "content_type",
            "reply_id",
            "petition__id",
            "petition__reference",
            "petition__citizen_id",
            "petition__published_at",
        ),
        pk=pk,
    )
    if not _may_download(request, found):
        raise Http404
    # The public gets the file under its neutral public name (portal.uploads.public_file_name), as
    # the public page lists it, and may share it from caches; its owner and the staff get the
    # uploaded name, in a response no cache keeps.
    published = found.reply_id is not None and found.petition.published_at is not None
    for_public = published and not (_may_track(request, found.petition) or _staff_may_see(request.user, found.petition))
    return attachment_response(found, public_name=_public_file_name(found) if for_public else None)


def _public_file_name(attachment: Attachment) -> str:
    """Its public name, numbered by its place among its reply's files (Attachment's ordering)."""
    siblings = list(Attachment.objects.filter(reply_id=attachment.reply_id).values_list("id", flat=True))
    return public_file_name(number=siblings.index(attachment.pk) + 1, extension=attachment.stored_extension)
