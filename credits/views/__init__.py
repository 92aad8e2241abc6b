"""Credits pages, one module per area; each module holds its own urlpatterns."""
