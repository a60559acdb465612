"""Clock-subject declarations (portal.subjects) for the start-up check's tests: each entry of
BrokenSubjectsConfig is wrong in one way."""

from django.apps import AppConfig

from portal.subjects import ClockSubject


class DisplayOnly(ClockSubject):
    """Shows its subject but leaves out the domain's urge and extend services."""

    def reference(self, obj) -> str:
        return f"N-{obj.pk}"


class NotAnAdapter:
    def urge(self, **kwargs):
        return 0

    def extend(self, **kwargs):
        return None


class BrokenSubjectsConfig(AppConfig):
    name = "tests.portal.subject_app"
    label = "broken_subjects"
    clock_subjects = {
        "nowhere.Thing": "petitions.subjects.PetitionSubject",  # no such model
        "petitions.Category": "tests.portal.subject_app.Missing",  # no such class
        "petitions.Reply": "tests.portal.subject_app.NotAnAdapter",  # not a ClockSubject
        "petitions.HandlingNote": "tests.portal.subject_app.DisplayOnly",  # no urge, no extend
        "petitions.Petition": "petitions.subjects.PetitionSubject",  # petitions declares it already
    }


class ListedSubjectsConfig(AppConfig):
    name = "tests.portal.subject_app"
    label = "listed_subjects"
    clock_subjects = ["petitions.Petition"]  # not a dict of model to adapter
