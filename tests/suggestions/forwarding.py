"""Builders for the forwarding, answer and measure tests: three departments with their staff, the
office's clerk, a campaign in its analysis phase and approved suggestions (rows, numbered), the
analysis report as the office uploads it, and suggestions forwarded and answered through the real
services."""

from __future__ import annotations

import itertools
from dataclasses import dataclass

from django.core.files.uploadedfile import SimpleUploadedFile

from portal.models import Department, User
from portal.uploads import DOCUMENT_TYPES, CheckedUpload, check_upload
from suggestions.models import Campaign, Forwarding, Outcome, Phase, Suggestion
from suggestions.services import answers
from tests.factories import DepartmentFactory, citizen, clerk, staff_of
from tests.suggestions.factories import CampaignFactory, SuggestionFactory

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
_names = itertools.count(1)


def report(name: str = "建言分析报告.pdf") -> CheckedUpload:
    return check_upload(SimpleUploadedFile(name, PDF), allowed=DOCUMENT_TYPES)


@dataclass
class Side:
    housing: Department
    transport: Department
    education: Department
    staff_housing: User
    staff_transport: User
    staff_education: User
    clerk: User
    author: User
    campaign: Campaign

    def suggestion(self, **fields) -> Suggestion:
        """An approved suggestion of the side's campaign by its author (a numbered row)."""
        values = {
            "campaign": self.campaign,
            "state": Suggestion.State.APPROVED,
            "citizen": self.author,
            "contact_name": "王小民",
            "contact_email": "wangxm@example.com",
        } | fields
        return SuggestionFactory(**values)

    def forward(self, *suggestions: Suggestion, lead: Department | None = None, others=(), note: str = ""):
        return answers.suggestions_forward(
            suggestions=suggestions,
            actor=self.clerk,
            departments=[lead or self.housing, *others],
            lead=lead or self.housing,
            report=report(),
            note=note,
        )

    def staff(self, department: Department) -> User:
        return {
            self.housing.pk: self.staff_housing,
            self.transport.pk: self.staff_transport,
            self.education.pk: self.staff_education,
        }[department.pk]

    def answer(self, suggestion: Suggestion, department: Department, outcome=Outcome.ADOPTED, text="采纳,年内实施。"):
        forwarding = Forwarding.objects.get(suggestion=suggestion, department=department)
        return answers.suggestion_answer(
            forwarding=forwarding, actor=self.staff(department), outcome=outcome, answer=text
        )


def build_side(phase: str = Phase.ANALYSIS) -> Side:
    n = next(_names)
    housing = DepartmentFactory(name=f"住房和城乡建设局{n}", code=f"ZJ{n}")
    transport = DepartmentFactory(name=f"交通运输局{n}", code=f"JT{n}")
    education = DepartmentFactory(name=f"教育局{n}", code=f"JY{n}")
    return Side(
        housing=housing,
        transport=transport,
        education=education,
        staff_housing=staff_of(housing, f"zj_staff{n}"),
        staff_transport=staff_of(transport, f"jt_staff{n}"),
        staff_education=staff_of(education, f"jy_staff{n}"),
        clerk=clerk(f"office_clerk{n}"),
        author=citizen(f"author{n}"),
        campaign=CampaignFactory(phase=phase),
    )
