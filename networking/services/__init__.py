"""Every write of the networking app, one module per operation family."""
