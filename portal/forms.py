from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils.translation import gettext_lazy as _


class LoginForm(AuthenticationForm):
    username = forms.CharField(
        label=_("Employee number"),
        widget=forms.TextInput(attrs={"autofocus": True, "autocomplete": "username"}),
    )
    error_messages = {
        "invalid_login": _("Employee number or password is wrong. Both are case-sensitive."),
        "inactive": _("This account is inactive. Ask your outlet manager."),
    }


class ImportUploadForm(forms.Form):
    file = forms.FileField(
        label=_("File (.csv or .xlsx)"),
        widget=forms.ClearableFileInput(attrs={"accept": ".csv,.xlsx"}),
    )
    strict = forms.BooleanField(
        label=_("All or nothing: import no row if any row has an error"), required=False
    )
