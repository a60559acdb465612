"""The citizens' side of public suggestions (公众建言): the campaigns, a campaign's page with its
published suggestions, one published suggestion with its answers, following, the suggestion
form, similar suggestions while typing, "my suggestions" with withdrawal, and files.

Each view checks who may act, validates a form, makes one service call and redirects; refusals
(DomainError) come back as form errors or messages. The public pages are rendered without
anything personal and shared by every visitor through portal.pagecache until public content
changes (the services announce it); the parts that belong to one visitor (the follow button) are
rendered around the shared parts.
"""

from __future__ import annotations

import filetype
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.cache import patch_cache_control
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from portal import params
from portal.exceptions import DomainError
from portal.masking import mask_personal_data
from portal.pagecache import as_given, page_number, shared_part, shared_with_anonymous
from portal.pagination import CappedPaginator
from portal.ratelimits import limited
from portal.scoping import sees_all_departments, user_department_ids
from portal.uploads import attachment_response, public_file_name
from suggestions import selectors
from suggestions.forms import FollowForm, PublicFilterForm, SuggestionForm, WithdrawForm
from suggestions.models import Campaign, Phase, Suggestion, SuggestionAttachment
from suggestions.services import follows, intake

PUBLIC_PAGE_SIZE = 20
# A campaign's list counts at most this many rows (portal.pagination); deeper pages are reached
# through the filters and the search box.
PUBLIC_MAX_ROWS = 100 * PUBLIC_PAGE_SIZE
MINE_PAGE_SIZE = 20
SIMILAR_MIN_LENGTH = 2  # characters of a title before similar suggestions are looked for
BANNER_TYPES = {"image/jpeg", "image/png", "image/gif", "image/webp"}


def _published_pk(pk: int) -> int:
    """A suggestion id from the address within a bigint's range, else 404 (never a server error)."""
    number = params.parse_id(str(pk))
    if number is None:
        raise Http404
    return number


def _author_names(suggestion: Suggestion) -> list[str]:
    """The author's name as given with the suggestion, if the selector loaded it: masked in every
    public text (the answers and measures departments write may name the author)."""
    name = suggestion.__dict__.get("contact_name")
    return [name] if name else []


def _mask_public(suggestion: Suggestion) -> Suggestion:
    """Masked again as the page renders (portal.masking), so that text published under older,
    weaker rules is covered too; text masked at publication comes out unchanged."""
    loaded = suggestion.__dict__  # only what the selector loaded: a deferred field would cost a query
    names = _author_names(suggestion)
    for field in ("public_title", "public_problem", "public_measures"):
        if field in loaded:
            setattr(suggestion, field, mask_personal_data(loaded[field], names=names))
    # The office's citation of an excellent suggestion: masked on selection, with the author's
    # name too (it may name them whether or not they agreed to be named).
    if loaded.get("excellent_citation"):
        suggestion.excellent_citation = mask_personal_data(loaded["excellent_citation"], names=names)
    # The author's name only where they consented (and with any number typed into it masked).
    if "name_consent" in loaded and "contact_name" in loaded:
        suggestion.author_shown = mask_personal_data(suggestion.public_author)
    return suggestion


# --- the campaigns ---------------------------------------------------------------------------


def _phase_summary(campaign: Campaign, today) -> dict:
    first, last = selectors.collection_window(campaign)
    phase = campaign.phase_on(today)
    return {
        "campaign": campaign,
        "phase": phase,
        "phase_label": Phase(phase).label if phase else "",
        "collecting": phase == Phase.COLLECTION,
        "collection_first": first,
        "collection_last": last,
        "before": today < first,
        "after": today > last,
        "ended": today > campaign.ends_on,
    }


def _index_body(request) -> str:
    today = timezone.localdate()
    current, past = selectors.public_campaigns(today)
    return render_to_string(
        "suggestions/includes/campaign_list.html",
        {
            "current": [_phase_summary(campaign, today) for campaign in current],
            "past": [_phase_summary(campaign, today) for campaign in past],
        },
    )


@shared_with_anonymous
@require_http_methods(["GET", "HEAD"])
def index(request):
    """Running and coming campaigns first, then past ones; shared by every visitor."""
    body = shared_part(request, "suggestions.index", lambda: _index_body(request))
    # Our own rendered template, possibly back from the cache as a plain str.
    return render(request, "suggestions/index.html", {"body": mark_safe(body)})  # noqa: S308


# The campaign page reads these GET parameters and no other (PublicFilterForm, the pager).
CAMPAIGN_QUERY = {
    "q": as_given,
    "category": as_given,
    "department": as_given,
    "outcome": as_given,
    "month": as_given,
    "page": page_number(PUBLIC_MAX_ROWS // PUBLIC_PAGE_SIZE),
}


def _campaign_part(request, slug: str) -> dict | None:
    campaign = selectors.public_campaign(slug)
    if campaign is None:
        return None  # not stored: probing unknown addresses must not fill the cache
    today = timezone.localdate()
    form = PublicFilterForm(
        request.GET or None, categories=list(campaign.categories.all()), departments=list(campaign.departments.all())
    )
    filters = selectors.PublicFilter()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.PublicFilter(
            category=data["category"],
            department=data["department"],
            outcome=data["outcome"],
            month=data["month"],
            query=data["q"].strip(),
        )
    paginator = CappedPaginator(
        selectors.public_suggestions(campaign, filters), PUBLIC_PAGE_SIZE, max_rows=PUBLIC_MAX_ROWS
    )
    page = paginator.get_page(params.parse_page(request.GET.get("page")))
    page.object_list = [_mask_public(suggestion) for suggestion in page.object_list]
    excellent = [_mask_public(suggestion) for suggestion in selectors.excellent_suggestions(campaign)]
    context = _phase_summary(campaign, today) | {
        "timeline": selectors.phase_timeline(campaign, today),
        "counts": selectors.campaign_counts(campaign).rows(),
        "tips": [line.strip() for line in campaign.tips.splitlines() if line.strip()],
        "news": selectors.campaign_news(campaign),
        "excellent": excellent,
        "analysis": selectors.campaign_analysis(campaign),
        "report": selectors.campaign_published_report(campaign),
        "form": form,
        "page": page,
        "filtered": any(vars(filters).values()),
        "department_filter": bool(form.fields["department"].choices[1:]),
    }
    # Rendered without anything personal (no user, no CSRF token): every visitor shares it.
    body = render_to_string("suggestions/includes/campaign_body.html", context, request=request)
    return {"title": campaign.title, "body": body}


@shared_with_anonymous(query=CAMPAIGN_QUERY)
@require_http_methods(["GET", "HEAD"])
def campaign(request, slug: str):
    part = shared_part(request, "suggestions.campaign", lambda: _campaign_part(request, slug))
    if not part:
        raise Http404
    # Our own rendered template, possibly back from the cache as a plain str.
    return render(request, "suggestions/campaign.html", {"title": part["title"], "body": mark_safe(part["body"])})  # noqa: S308


@require_http_methods(["GET", "HEAD"])
def banner(request, slug: str):
    """A published campaign's banner image (uploaded files are never served by their address)."""
    found = get_object_or_404(Campaign.objects.published().only("id", "banner"), slug=slug)
    if not found.banner:
        raise Http404
    try:
        handle = found.banner.open("rb")
    except (FileNotFoundError, ValueError):
        raise Http404 from None
    kind = filetype.guess(handle.read(261))
    handle.seek(0)
    if kind is None or kind.mime not in BANNER_TYPES:
        handle.close()
        raise Http404
    response = FileResponse(handle, content_type=kind.mime)
    response["X-Content-Type-Options"] = "nosniff"
    patch_cache_control(response, public=True, max_age=3600)
    return response


# --- one published suggestion ----------------------------------------------------------------


def _detail_part(slug: str, pk: int) -> dict | None:
    suggestion = selectors.public_suggestion(slug, pk)
    if suggestion is None:
        return None  # not stored: probing unknown numbers must not fill the cache
    _mask_public(suggestion)
    answers = list(suggestion.public_answers)  # the lead department's first (Forwarding's ordering)
    for answer in answers:
        answer.public_answer = mask_personal_data(answer.public_answer, names=_author_names(suggestion))
    measures, progress = selectors.measures_of(suggestion)
    for measure in measures:
        measure.description = mask_personal_data(measure.description, names=_author_names(suggestion))
    files = list(suggestion.attachments.all())  # in the attachments' order, as _public_file_name counts
    for number, attachment in enumerate(files, start=1):
        attachment.public_name = public_file_name(number=number, extension=attachment.stored_extension)
    context = {
        "suggestion": suggestion,
        "campaign": suggestion.campaign,
        "lead_answer": next((answer for answer in answers if answer.is_lead), None),
        "other_answers": [answer for answer in answers if not answer.is_lead],
        "measures": measures,
        "progress": progress,
        "files": files,
        "merged_count": selectors.merged_count(suggestion),
    }
    return {
        "title": suggestion.public_title,
        "campaign_slug": suggestion.campaign.slug,
        "campaign_title": suggestion.campaign.title,
        "header": render_to_string("suggestions/includes/detail_header.html", context),
        "facts": render_to_string("suggestions/includes/detail_facts.html", context),
        "body": render_to_string("suggestions/includes/detail_body.html", context),
        "follower_count": suggestion.follower_count,
        "followable": suggestion.state != Suggestion.State.MERGED,
    }


@shared_with_anonymous
@require_http_methods(["GET", "HEAD"])
def detail(request, slug: str, pk: int):
    pk = _published_pk(pk)
    part = shared_part(request, "suggestions.detail", lambda: _detail_part(slug, pk))
    if not part:
        raise Http404
    context = {key: mark_safe(part[key]) for key in ("header", "facts", "body")}  # noqa: S308 (our own render)
    context |= {
        "title": part["title"],
        "slug": part["campaign_slug"],
        "pk": pk,
        "follower_count": part["follower_count"],
        "followable": part["followable"],
        # The visitor's own: whether they follow it (a signed-in visitor's page is never shared).
        "following": selectors.has_follow(request.user, pk) if request.user.is_authenticated else False,
    }
    return render(request, "suggestions/detail.html", context)


@login_required
@require_POST
@limited("suggestions.follow")
def follow(request, slug: str, pk: int):
    suggestion = selectors.published_suggestion(slug, _published_pk(pk))
    if suggestion is None:
        raise Http404
    form = FollowForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Choose whether to follow the suggestion or to stop following it."))
        return redirect("suggestions:detail", slug=slug, pk=suggestion.pk)
    following = form.cleaned_data["action"] == "follow"
    try:
        if following:
            follows.suggestion_follow(suggestion=suggestion, user=request.user)
        else:
            follows.suggestion_unfollow(suggestion=suggestion, user=request.user)
    except DomainError as error:
        messages.error(request, str(error))
    else:
        if following:
            messages.success(request, _("You follow this suggestion. Its answer will show on this page."))
        else:
            messages.success(request, _("You no longer follow this suggestion."))
    return redirect("suggestions:detail", slug=slug, pk=suggestion.pk)


# --- submitting ------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
@limited("suggestions.submit")
def submit(request, slug: str):
    """The suggestion form, in the campaign's collection phase only; before and after it the page
    says when collection opens or that it has closed, with no form."""
    campaign = get_object_or_404(Campaign.objects.published(), slug=slug)
    today = timezone.localdate()
    context = _phase_summary(campaign, today) | {"tips": [t.strip() for t in campaign.tips.splitlines() if t.strip()]}
    if not context["collecting"]:
        # A form sent just after collection closed: its text is shown back, so nothing typed is lost.
        context["typed"] = (
            {
                name: params.parse_text(request.POST.get(name), max_length=5000)
                for name in ("title", "problem", "measures")
            }
            if request.method == "POST"
            else None
        )
        return render(request, "suggestions/submit.html", context)
    if request.method == "POST":
        form = SuggestionForm(request.POST, request.FILES, campaign=campaign, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                suggestion = intake.suggestion_submit(
                    citizen=request.user,
                    campaign=campaign,
                    category=data["category"],
                    title=data["title"],
                    problem=data["problem"],
                    measures=data["measures"],
                    area=data["area"],
                    contact_name=data["contact_name"],
                    contact_mobile=data["contact_mobile"],
                    contact_email=data["contact_email"],
                    publish_consent=data["publish_consent"],
                    name_consent=data["name_consent"],
                    files=data["attachments"],
                )
            except DomainError as error:
                form.refused(error)
            else:
                messages.success(
                    request,
                    _(
                        "Thank you. Your suggestion was received with the tracking number %(reference)s; the "
                        "reviewers decide on it within 24 hours."
                    )
                    % {"reference": suggestion.reference},
                )
                return redirect("suggestions:mine_detail", reference=suggestion.reference)
    else:
        form = SuggestionForm(campaign=campaign, user=request.user)
    # static/js/suggestions.js offers similar published suggestions while the title is typed.
    form.fields["title"].widget.attrs.update(
        {"data-similar-url": reverse("suggestions:similar", args=[campaign.slug]), "autocomplete": "off"}
    )
    context["form"] = form
    return render(request, "suggestions/submit.html", context)


@require_http_methods(["GET"])
@limited("suggestions.similar", method=("GET",))
def similar(request, slug: str):
    """Up to five published suggestions of the campaign like the title being typed (JSON, for
    static/js/suggestions.js; the form works without it)."""
    campaign = selectors.public_campaign(slug)
    if campaign is None:
        raise Http404
    title = params.parse_text(request.GET.get("title"), max_length=100)
    found = selectors.similar_suggestions(campaign, title) if len(title) >= SIMILAR_MIN_LENGTH else []
    results = [
        {
            "title": mask_personal_data(suggestion.public_title),
            "number": suggestion.number,
            "url": reverse("suggestions:detail", args=[campaign.slug, suggestion.pk]),
            "answer": suggestion.get_outcome_display() if suggestion.answered_at else "",
            "followers": suggestion.follower_count,
        }
        for suggestion in found
    ]
    response = JsonResponse({"results": results})
    patch_cache_control(response, private=True, no_store=True)
    return response


# --- my suggestions --------------------------------------------------------------------------


@login_required
def mine(request):
    page = Paginator(selectors.suggestions_of_citizen(request.user), MINE_PAGE_SIZE).get_page(
        params.parse_page(request.GET.get("page"))
    )
    return render(request, "suggestions/mine.html", {"page": page})


def _render_mine_detail(request, suggestion: Suggestion, withdraw_form: WithdrawForm | None = None):
    answers = [forwarding for forwarding in suggestion.forwardings.all() if forwarding.answered_at]
    measures, progress = selectors.measures_of(suggestion)
    pending = suggestion.state == Suggestion.State.PENDING
    context = {
        "suggestion": suggestion,
        "events": selectors.public_timeline(suggestion),
        "lead_answer": next((answer for answer in answers if answer.is_lead), None),
        "other_answers": [answer for answer in answers if not answer.is_lead],
        "forwarded_to": [forwarding.department for forwarding in suggestion.forwardings.all()],
        "measures": measures,
        "progress": progress,
        "files": list(suggestion.attachments.all()),
        "withdraw_form": (withdraw_form or WithdrawForm()) if pending else None,
        "public_url": (
            reverse("suggestions:detail", args=[suggestion.campaign.slug, suggestion.pk])
            if suggestion.published_at
            else ""
        ),
    }
    return render(request, "suggestions/mine_detail.html", context)


@login_required
def mine_detail(request, reference: str):
    suggestion = selectors.own_suggestion(request.user, reference)
    if suggestion is None:
        raise Http404
    return _render_mine_detail(request, suggestion)


@login_required
@require_POST
@limited("suggestions.withdraw")
def withdraw(request, reference: str):
    suggestion = selectors.own_suggestion(request.user, reference)
    if suggestion is None:
        raise Http404
    form = WithdrawForm(request.POST)
    if form.is_valid():
        try:
            intake.suggestion_withdraw(suggestion=suggestion, citizen=request.user, reason=form.cleaned_data["reason"])
        except DomainError as error:
            # Reviewed meanwhile, or withdrawn already: the page no longer offers the form.
            messages.error(request, str(error))
        else:
            messages.success(request, _("Your suggestion was withdrawn (已撤回)."))
        return redirect("suggestions:mine_detail", reference=suggestion.reference)
    return _render_mine_detail(request, suggestion, withdraw_form=form)


# --- files -----------------------------------------------------------------------------------


def _staff_may_see(user, suggestion: Suggestion) -> bool:
    """Staff who work on the suggestion: the office and reviewers (every suggestion), the
    campaign's invited experts, and staff of a department it was forwarded to."""
    if not (user.is_authenticated and user.is_active and user.is_staff):
        return False
    if not user.has_perm("suggestions.view_suggestion"):
        return False
    if sees_all_departments(user) or user.has_perm("suggestions.moderate_suggestion"):
        return True
    if suggestion.campaign.experts.filter(pk=user.pk).exists():
        return True
    return suggestion.forwardings.filter(department_id__in=user_department_ids(user)).exists()


@require_http_methods(["GET", "HEAD"])
def attachment(request, pk: int):
    """A stored file, only for those who may see it (otherwise 404, whether or not it exists):
    everyone for a published suggestion of a published campaign, under its neutral public name;
    its author and the staff working on it always, under the uploaded name, in a response no cache
    keeps."""
    found = get_object_or_404(
        SuggestionAttachment.objects.select_related("suggestion__campaign").only(
            "id",
            "file",
            "original_name",
            "content_type",
            "suggestion__id",
            "suggestion__campaign_id",
            "suggestion__citizen_id",
            "suggestion__published_at",
            "suggestion__campaign__id",
            "suggestion__campaign__is_published",
        ),
        pk=_published_pk(pk),
    )
    suggestion = found.suggestion
    own = request.user.is_authenticated and suggestion.citizen_id == request.user.pk
    private_access = own or _staff_may_see(request.user, suggestion)
    # Public exactly where its page is: a published suggestion of a published campaign (a campaign
    # taken off the site takes its suggestions' files with it).
    published = suggestion.published_at is not None and suggestion.campaign.is_published
    if not (published or private_access):
        raise Http404
    return attachment_response(found, public_name=None if private_access else _public_file_name(found))


def _public_file_name(attachment: SuggestionAttachment) -> str:
    """Its public name, numbered by its place among its suggestion's files (as the page lists them)."""
    siblings = list(
        SuggestionAttachment.objects.filter(suggestion_id=attachment.suggestion_id).values_list("id", flat=True)
    )
    return public_file_name(number=siblings.index(attachment.pk) + 1, extension=attachment.stored_extension)
