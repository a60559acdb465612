"""The staff side of suggestions in the admin. Importing this package registers every admin:

- campaigns: categories, campaigns (phases, experts, closing a phase early) and their news;
- suggestions: the suggestion list with the moderation queue, its workflow actions (approve,
  reject, merge, assess, edit the public version) and the assessments; filters: its list filters.

Each further module of the staff side (forwarding and answers, intake, reports) is imported here too.
"""

from suggestions.admin import (  # noqa: F401 (registers the admins)
    campaigns,
    filters,
    forwarding,
    intake,
    reports,
    suggestions,
)
