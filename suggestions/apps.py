from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class SuggestionsConfig(AppConfig):
    name = "suggestions"
    verbose_name = _("Public suggestions (公众建言)")
    # No `public_area` yet: until this app serves its public pages, no menu item, home card, deadline
    # rule or /stats/ section mentions it (portal.areas). Declare one, with `clock_area`, when it does.
