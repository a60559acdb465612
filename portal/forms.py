from django import forms
from django.contrib.admin.forms import AdminAuthenticationForm
from django.contrib.auth.forms import AuthenticationForm, PasswordResetForm, UserCreationForm
from django.core.validators import RegexValidator
from django.utils import timezone
from django.utils.text import format_lazy
from django.utils.translation import gettext_lazy as _

from portal.models import User
from portal.text import clean_text
from portal.uploads import MAX_FILE_BYTES, MAX_FILES, MultipleFileField, check_uploads


class CleanTextMixin:
    """Every form of the portal, the admin's included, cleans what it is sent before it
    validates: control characters are removed from every submitted text (portal.text; NUL too),
    keeping tabs and line breaks only in multi-line fields (a Textarea). Passwords are left as
    typed. One place, so no form can store a character that breaks a page, PostgreSQL or an
    export; tests/portal/test_forms.py checks that every form and every admin form has it (the
    admin's through portal.admin_input.AdminInputMixin)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.is_bound:
            self.data = self._cleaned_data_of(self.data)

    def _cleaned_data_of(self, data):
        multiline, untouched = set(), set()
        for name, field in self.fields.items():
            key = self.add_prefix(name)
            if isinstance(field.widget, forms.PasswordInput):
                untouched.add(key)
            elif isinstance(field.widget, forms.Textarea):
                multiline.add(key)

        def clean(key, value):
            if key in untouched or not isinstance(value, str):
                return value
            return clean_text(value, multiline=key in multiline)

        if hasattr(data, "setlist"):  # a QueryDict (request.POST / request.GET)
            cleaned = data.copy()
            for key, values in data.lists():
                cleaned.setlist(key, [clean(key, value) for value in values])
            return cleaned
        return {
            key: [clean(key, item) for item in value] if isinstance(value, list | tuple) else clean(key, value)
            for key, value in data.items()
        }


class PortalForm(CleanTextMixin, forms.Form):
    """The base of the portal's forms (see CleanTextMixin)."""


class PortalModelForm(CleanTextMixin, forms.ModelForm):
    """The base of the portal's model forms (see CleanTextMixin)."""


def with_clean_text(form_class):
    """`form_class`, made to clean its input if it does not already (forms the admin builds)."""
    if issubclass(form_class, CleanTextMixin):
        return form_class
    return type(form_class.__name__, (CleanTextMixin, form_class), {"__module__": form_class.__module__})


mobile_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number, e.g. 13800138000."))


def attachments_field(*, label=None, help_text=None) -> MultipleFileField:
    """Optional files in one input (PDF, JPEG, PNG or GIF); the form checks them by content with
    `portal.uploads.check_uploads`."""
    if label is None:
        label = _("Attachments")
    if help_text is None:
        help_text = format_lazy(
            _("Up to {count} files, PDF documents or JPEG, PNG or GIF images, each at most {size} MB."),
            count=MAX_FILES,
            size=MAX_FILE_BYTES // (1024 * 1024),
        )
    return MultipleFileField(label=label, required=False, help_text=help_text)


class DisplayNameChoiceField(forms.ModelChoiceField):
    """Choices labelled by the object's `display_name`: its name in the page's language (an app's
    categories, departments)."""

    def label_from_instance(self, obj) -> str:
        return obj.display_name


def text_field(label, *, required: bool = True, max_length: int = 5000, rows: int = 4, help_text="") -> forms.CharField:
    """A multi-line text of at most `max_length` characters, in a box `rows` lines high (a reason,
    a note, an answer: the action forms of every app)."""
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        help_text=help_text,
        widget=forms.Textarea(attrs={"rows": rows}),
    )


FILES_AGAIN = _("Please choose your files again: for your security, files are not kept when a form is returned.")


class CitizenIntakeFormMixin:
    """What every app's online form for a signed-in citizen does alike (petitions' ticket,
    suggestions' suggestion): the contact fields start from the account (`user=`), the files of
    its `attachments` field are checked by content, and a form returned with any error says,
    next to that field, to choose the files again (a browser never re-sends them)."""

    def __init__(self, *args, user=None, **kwargs):
        if user is not None and not kwargs.get("data"):
            kwargs.setdefault(
                "initial",
                {
                    "contact_name": user.get_full_name() or user.get_username(),
                    "contact_mobile": getattr(user, "mobile", ""),
                    "contact_email": user.email,
                },
            )
        super().__init__(*args, **kwargs)

    def clean_attachments(self):
        return check_uploads(self.cleaned_data.get("attachments") or [])

    def _post_clean(self):
        # After the subclass's clean(), so that its own errors count too.
        super()._post_clean()
        if self.errors and self.files.getlist(self.add_prefix("attachments")) and "attachments" not in self.errors:
            self.add_error("attachments", FILES_AGAIN)

    def refused(self, error) -> None:
        """The service refused the valid form (a DomainError): its message above the form, and
        the files to choose again if any were sent."""
        self.add_error(None, str(error))
        if self.cleaned_data.get("attachments"):
            self.add_error("attachments", FILES_AGAIN)


class OfflineRecordForm(PortalForm):
    """The base of the forms office staff fill in for a citizen whose matter came through an
    offline channel (petitions' 接访登记; suggestions' letters, field visits and hotline calls):
    how to reach the citizen (private, never published), the files they handed in, checked by
    content like every upload, and the day it was received, never in the future.

    A subclass names its date field (`received_date_field`) with the refusal of a future date, and
    orders its fields with `field_order` (these shared ones come first otherwise)."""

    contact_name = forms.CharField(label=_("Contact name"), max_length=50, required=False)
    contact_mobile = forms.CharField(
        label=_("Mobile number"), max_length=20, required=False, validators=[mobile_validator]
    )
    contact_email = forms.EmailField(label=_("E-mail address"), required=False)
    attachments = attachments_field()

    received_date_field = ""
    future_date_error = _("The date cannot be in the future.")

    def clean_attachments(self):
        return check_uploads(self.cleaned_data.get("attachments") or [])

    def clean(self):
        cleaned = super().clean()
        day = cleaned.get(self.received_date_field) if self.received_date_field else None
        if day and day > timezone.localdate():
            self.add_error(self.received_date_field, self.future_date_error)
        return cleaned


class RegistrationForm(CleanTextMixin, UserCreationForm):
    email = forms.EmailField(
        label=_("E-mail"),
        help_text=_("For password resets and replies to your tickets."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    mobile = forms.CharField(
        label=_("Mobile number (optional)"),
        required=False,
        max_length=11,
        validators=[mobile_validator],
        widget=forms.TextInput(attrs={"autocomplete": "tel-national", "inputmode": "tel"}),
    )

    # Whether the username or the e-mail address is registered already is not said here, as the
    # password reset does not say it: the form would tell anyone which accounts exist.
    # portal.accounts.citizen_register answers by e-mail, to the address concerned.
    def clean_username(self):
        return self.cleaned_data.get("username")

    def validate_unique(self):
        pass

    class Meta(UserCreationForm.Meta):
        model = User
        fields = ("username", "email", "mobile")


class LoginForm(CleanTextMixin, AuthenticationForm):
    """Django's login form, its username cleaned like every other input (what django-axes records)."""


class AdminLoginForm(CleanTextMixin, AdminAuthenticationForm):
    """The admin's login form, cleaned likewise (admin.site.login_form, portal/urls.py)."""


class PortalPasswordResetForm(CleanTextMixin, PasswordResetForm):
    """Django's password reset form, its address cleaned like every other input."""
