"""DocSpace Onboarding: bulk onboarding of business clients into ONLYOFFICE DocSpace.

All product logic lives in this package; the Streamlit pages and the command line are thin doors
onto it. Nothing here imports the sandbox portal (``docspace_sandbox``): the sandbox is a separate
stand-in for a real portal, reached only over HTTP.
"""

__version__ = "0.1.0"
