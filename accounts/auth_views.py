"""Logging in and resetting a password, with limits against guessing and mail-bombing.

Failed logins are counted per account (whoever tries) and per client IP (whatever
accounts it tries); past either limit every attempt is refused for the rest of
the window, the right password included, without asking the database. Password
reset emails are limited per address and per IP; past a limit the page still
says the email was sent, so it tells nobody whether an account exists.
"""

import math

from django.contrib.auth import views as auth_views
from django.http import HttpResponse, HttpResponseRedirect

from config.throttle import Limit, client_ip, private

LOGIN_BY_ACCOUNT = Limit("login:account", limit=10, window=15 * 60)
# High: a conference venue's Wi-Fi puts hundreds of attendees behind one address,
# and their typos must not lock the whole venue out.
LOGIN_BY_IP = Limit("login:ip", limit=200, window=15 * 60)
RESET_BY_ADDRESS = Limit("reset:address", limit=3, window=60 * 60)
RESET_BY_IP = Limit("reset:ip", limit=20, window=60 * 60)


class LoginView(auth_views.LoginView):
    redirect_authenticated_user = True

    def post(self, request, *args, **kwargs) -> HttpResponse:
        account = private(request.POST.get("username", ""))
        wait = max(LOGIN_BY_ACCOUNT.wait(account), LOGIN_BY_IP.wait(client_ip(request)))
        if wait:
            minutes = math.ceil(wait / 60)
            context = self.get_context_data(
                form=self.get_form_class()(request),  # unbound: no password is checked
                locked_out=f"{minutes} minute{'s' if minutes != 1 else ''}",
            )
            response = self.render_to_response(context, status=429)
            response["Retry-After"] = str(wait)
            return response
        return super().post(request, *args, **kwargs)

    def form_invalid(self, form) -> HttpResponse:
        username = form.data.get("username", "")
        if username:  # a wrong password (an empty form is no guess)
            LOGIN_BY_ACCOUNT.hit(private(username))
            LOGIN_BY_IP.hit(client_ip(self.request))
        return super().form_invalid(form)

    def form_valid(self, form) -> HttpResponse:
        LOGIN_BY_ACCOUNT.reset(private(form.get_user().email))
        return super().form_valid(form)


class PasswordResetView(auth_views.PasswordResetView):
    def form_valid(self, form) -> HttpResponse:
        address = private(form.cleaned_data["email"])
        if RESET_BY_ADDRESS.hit(address) or RESET_BY_IP.hit(client_ip(self.request)):
            return HttpResponseRedirect(self.get_success_url())  # as if sent
        return super().form_valid(form)
