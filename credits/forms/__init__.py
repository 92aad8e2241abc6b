"""Forms of the credits pages, one module per area."""
