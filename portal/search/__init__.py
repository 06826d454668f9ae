"""Portal full-text search: a Whoosh backend for Wagtail/modelsearch, with Chinese analysis."""
