"""Helpers shared by the test packages (importable as ``support`` via pytest's ``pythonpath``).

One module per kind of test: ``waiting`` (the one condition wait), ``sandbox_api`` (raw HTTP to the
sandbox), ``apptest`` (Streamlit AppTest look-ups), ``engine`` (an engine harness and client rows),
``browser`` (Playwright conventions) and ``portal`` (the portal under test in behaviour tests).
"""
