from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.utils.decorators import method_decorator
from django.utils.translation import get_language
from django.views.decorators.http import require_GET, require_http_methods

from portal import accounts
from portal.forms import LoginForm, PortalPasswordResetForm, RegistrationForm
from portal.ratelimits import limited


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True
    authentication_form = LoginForm


@method_decorator(limited("accounts.password_reset"), name="post")
class PasswordResetView(auth_views.PasswordResetView):
    form_class = PortalPasswordResetForm


@require_http_methods(["GET", "POST"])
@limited("accounts.register")
def register(request):
    if request.user.is_authenticated:
        return redirect("home")
    form = RegistrationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # The same answer whether or not the account could be created (accounts.citizen_register):
        # what happened is told by e-mail, to the address concerned.
        accounts.citizen_register(
            username=form.cleaned_data["username"],
            email=form.cleaned_data["email"],
            password=form.cleaned_data["password1"],
            mobile=form.cleaned_data.get("mobile", ""),
            language=get_language() or "zh-hans",
        )
        return redirect("register_done")
    return render(request, "registration/register.html", {"form": form})


@require_GET
def register_done(request):
    """What to do next, after any registration: read the e-mail, log in."""
    if request.user.is_authenticated:
        return redirect("home")
    return render(request, "registration/register_done.html")
