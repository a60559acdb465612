from django import forms
from django.contrib.auth.forms import UserCreationForm
from django.core.validators import RegexValidator
from django.utils.translation import gettext_lazy as _

from portal.models import User

mobile_validator = RegexValidator(r"^1[3-9]\d{9}$", _("Enter an 11-digit mainland mobile number, e.g. 13800138000."))


class RegistrationForm(UserCreationForm):
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
