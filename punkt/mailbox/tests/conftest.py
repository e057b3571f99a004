"""A real IMAP server for the mailbox's tests: Debian's Dovecot on free loopback ports,
from a configuration written to a temporary directory (a passwd-file user, maildir, TLS
with a freshly made self-signed certificate, IMAPS and STARTTLS). Skipped when Dovecot is
not installed, except under CI=true, where that fails the run."""

from __future__ import annotations

import os
from collections.abc import Iterator
from typing import Any

import pytest

from punkt.mailbox.tests.dovecot import Imap, available, dovecot


@pytest.fixture(scope="session")
def imap_server(tmp_path_factory: Any) -> Iterator[Imap]:
    if not available():
        if os.environ.get("CI") == "true":
            pytest.fail("Dovecot is required in CI (CI=true): apt-get install dovecot-imapd")
        pytest.skip("no dovecot (apt-get install dovecot-imapd)")
    with dovecot() as server:
        yield server
