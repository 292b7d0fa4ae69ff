"""The public API of :mod:`oncoboard.service` is deliberate: pin it."""

from __future__ import annotations

import oncoboard.service


def test_exported_members_are_pinned() -> None:
    assert oncoboard.service.__all__ == [
        "API_PREFIX",
        "Principal",
        "Role",
        "Settings",
        "SettingsError",
        "create_app",
    ]
    assert [r.value for r in oncoboard.service.Role] == ["clinician", "analyst", "admin"]


def test_importing_the_package_does_not_import_fastapi() -> None:
    import subprocess
    import sys

    code = "import sys, oncoboard.service; print('fastapi' in sys.modules)"
    result = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True
    )
    assert result.stdout.strip() == "False"
