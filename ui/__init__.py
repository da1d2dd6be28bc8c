"""Streamlit-only helpers shared by the dashboard's pages.

``chrome``: page frame (banner, title, error guard, sidebar); ``session``: settings, the
per-session service and the process-wide run registry; ``resources``: cached resources and
look-ups; ``state``: widget-state persistence; ``display``: tables, labels and Markdown escaping for what the pages show.
Nothing here holds onboarding logic: that lives in ``onboarding/``.
"""
