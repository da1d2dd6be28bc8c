"""The Results page's "onboarded over time" chart alone, on five fixed onboardings (browser test)."""

from __future__ import annotations

import streamlit as st

from onboarding.journal import ClientRecord
from ui import display

START = 1_764_530_000.0
"""2025-11-30 19:13:20 UTC; one client every 15 minutes after it."""

records = [
    ClientRecord(portal="p", client_id=f"C{i}", name="n", status="onboarded", onboarded_at=START + i * 900)
    for i in range(5)
]
st.altair_chart(display.over_time_chart(display.onboarded_over_time(records)), key="over_time")
