"""The settings of the test process: the project's one settings module (smanav.settings), given a
secret key made for this run.

Outside debug smanav refuses to start without SMANAV_SECRET_KEY, and tests run outside debug, as
production does. The key exists only in this process and the processes it starts, so nothing it signs
outlives the run.
"""

import os
import secrets

os.environ.setdefault("SMANAV_SECRET_KEY", secrets.token_urlsafe(50))
# The test client and the browser tests' live server speak plain HTTP on loopback: HTTPS redirect, HSTS
# and secure-only cookies (on by default outside debug) are off here; tests/web/test_headers.py checks
# the defaults in a process of their own.
os.environ.setdefault("SMANAV_HTTPS_REDIRECT", "0")
os.environ.setdefault("SMANAV_SECURE_COOKIES", "0")
os.environ.setdefault("SMANAV_HSTS_SECONDS", "0")

from smanav.settings import *  # noqa: F403
