"""Every write in the check-in app. Views, the API and admin actions call these."""
