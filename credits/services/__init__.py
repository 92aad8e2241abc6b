"""Every write of the credits app, one module per operation family."""
