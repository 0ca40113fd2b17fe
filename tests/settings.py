"""The settings of the test process: the project's one settings module (smanav.settings), given a
secret key made for this run.

Outside debug smanav refuses to start without SMANAV_SECRET_KEY, and tests run outside debug, as
production does. The key exists only in this process and the processes it starts, so nothing it signs
outlives the run.
"""

import os
import secrets

os.environ.setdefault("SMANAV_SECRET_KEY", secrets.token_urlsafe(50))

from smanav.settings import *  # noqa: F403
