"""Re-authentication before sensitive reads (exports of personal data — C18).

Uses allauth's re-authentication page: the view raises, allauth's middleware asks for the
password (or the second factor) and resumes the request."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, cast

from allauth.account.internal.flows.reauthentication import did_recently_reauthenticate
from allauth.core.exceptions import ReauthenticationRequired
from django.http import HttpRequest
from django.http.response import HttpResponseBase


def recent_authentication_required[View: Callable[..., HttpResponseBase]](view: View) -> View:
    @wraps(view)
    def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
        if not did_recently_reauthenticate(request):
            raise ReauthenticationRequired()
        return view(request, *args, **kwargs)

    return cast(View, wrapper)
