"""Streamlit-only components shared by the dashboard's pages (which only compose them).

* Frame: ``navigation`` (``st.navigation`` with the ``pages/`` folder), ``chrome`` (banner, title,
  error guard, sidebar), ``auth`` (sign-in).
* State: ``session`` (settings, the per-session door, the process-wide run registry),
  ``resources`` (cached resources and look-ups), ``state`` (widget-state persistence).
* What is shown: ``display`` (tables and Markdown escaping), ``labels`` (the one label table of
  the statuses), ``tables``, ``live`` (plans and background runs on the Onboard page).
* Settings page: ``connection_panel``, ``blueprint_editor`` (with ``blueprint_form``, the draft),
  ``manager_check``, ``limits_form``; ``bounds`` reads number bounds from the product's fields.

Nothing here holds onboarding logic: that lives in ``onboarding/``, reached through its public
names (``tests/unit/test_policy.py``).
"""
