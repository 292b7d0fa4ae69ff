"""The Oncoboard web service: a JSON API and a web UI behind login, with roles and an audit trail.

``clinician`` users read and write patients' cases; ``analyst`` users see only the
de-identified cohort; ``admin`` users manage users and tokens and read the audit trail. Every
read of a patient is audited with the user's name. Start it with ``oncoboard serve``; see
``docs/api.md``.

Environment
-----------
``ONCOBOARD_ENV``
    ``development`` (default) or ``production``.
``ONCOBOARD_SECRET_KEY``
    Signs session tokens; required (at least 32 characters, not a default) outside
    development.
``ONCOBOARD_DATABASE_URL``
    The store (see :mod:`oncoboard.store`).
``ONCOBOARD_MAX_UPLOAD_BYTES``, ``ONCOBOARD_SESSION_MINUTES``
    Request body limit (default 1 MiB) and session lifetime (default 480 minutes).
"""

from oncoboard.service._app import API_PREFIX, create_app
from oncoboard.service._settings import Settings, SettingsError
from oncoboard.service._users import Principal, Role

__all__ = ["API_PREFIX", "Principal", "Role", "Settings", "SettingsError", "create_app"]
