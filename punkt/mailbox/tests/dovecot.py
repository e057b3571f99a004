"""A real IMAP server on loopback for the mailbox's tests and its benchmark: Debian's
Dovecot on free ports, from a configuration written to a temporary directory (a
passwd-file user, maildir, TLS with a freshly made self-signed certificate, IMAPS and
STARTTLS)."""

from __future__ import annotations

import imaplib
import os
import pwd
import shutil
import socket
import ssl
import subprocess
import tempfile
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from punkt.core.testing import free_port

DOVECOT = shutil.which("dovecot") or "/usr/sbin/dovecot"
USER, PASSWORD = "desk", "haslo-testowe-1"


@dataclass
class Imap:
    host: str
    port: int  # IMAPS
    starttls_port: int
    ca_file: str
    user: str
    password: str
    log: Path
    #: the user's maildir (the benchmark drops mail straight into it)
    maildir: Path

    def client(self) -> imaplib.IMAP4_SSL:
        context = ssl.create_default_context(cafile=self.ca_file)
        client = imaplib.IMAP4_SSL(self.host, self.port, ssl_context=context, timeout=10)
        client.login(self.user, self.password)
        return client

    def new_folder(self) -> str:
        name = f"t{uuid.uuid4().hex[:12]}"
        client = self.client()
        try:
            assert client.create(name)[0] == "OK"
        finally:
            client.logout()
        return name

    def append(self, folder: str, *raws: bytes) -> None:
        client = self.client()
        try:
            for raw in raws:
                status, data = client.append(folder, None, None, raw)
                assert status == "OK", data
        finally:
            client.logout()


def _wait(port: int, proc: subprocess.Popen[bytes], log: Path) -> None:
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"dovecot exited: {log.read_text() if log.exists() else ''}")
        with socket.socket() as s:
            if s.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.05)
    raise RuntimeError("dovecot did not start")


def available() -> bool:
    return os.path.exists(DOVECOT) and shutil.which("openssl") is not None


@contextmanager
def dovecot() -> Iterator[Imap]:
    """Run Dovecot until the block ends (``available()`` first)."""
    # not under pytest's 0700 directory: Dovecot's own users read the passwd file
    root = Path(tempfile.mkdtemp(prefix="punkt-dovecot-"))
    os.chmod(root, 0o755)
    cert, key = root / "cert.pem", root / "key.pem"
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
                    "-subj", "/CN=localhost", "-keyout", str(key), "-out", str(cert),
                    "-addext", "subjectAltName=IP:127.0.0.1,DNS:localhost",
                    "-addext", "basicConstraints=critical,CA:TRUE",
                    "-addext", "keyUsage=critical,digitalSignature,keyCertSign"],
                   check=True, capture_output=True)
    me = pwd.getpwuid(os.getuid())
    # Dovecot refuses mail users with UID 0: under root the mail belongs to "dovecot"
    mail_user = pwd.getpwnam("dovecot") if os.getuid() == 0 else me
    home = root / "home"
    home.mkdir()
    for d in ("run", "state"):
        (root / d).mkdir()
    if os.getuid() == 0:
        os.chown(home, mail_user.pw_uid, mail_user.pw_gid)
    (root / "passwd").write_text(f"{USER}:{{PLAIN}}{PASSWORD}::::::\n")
    port, tls_port = free_port(), free_port()
    log = root / "dovecot.log"
    internal = "dovecot" if os.getuid() == 0 else me.pw_name
    login = "dovenull" if os.getuid() == 0 else me.pw_name
    conf = root / "dovecot.conf"
    conf.write_text(f"""
base_dir = {root}/run
state_dir = {root}/state
log_path = {log}
protocols = imap
listen = 127.0.0.1
default_internal_user = {internal}
default_login_user = {login}
first_valid_uid = {mail_user.pw_uid}
ssl = required
ssl_cert = <{cert}
ssl_key = <{key}
ssl_min_protocol = TLSv1.2
auth_mechanisms = plain login
mail_location = maildir:{home}/%u
passdb {{
  driver = passwd-file
  args = scheme=PLAIN username_format=%u {root}/passwd
}}
userdb {{
  driver = static
  args = uid={mail_user.pw_uid} gid={mail_user.pw_gid} home={home}/%u
}}
service imap-login {{
  inet_listener imap {{
    address = 127.0.0.1
    port = {tls_port}
  }}
  inet_listener imaps {{
    address = 127.0.0.1
    port = {port}
    ssl = yes
  }}
}}
service anvil {{
  chroot =
}}
service imap-login {{
  chroot =
}}
""")
    proc = subprocess.Popen([DOVECOT, "-F", "-c", str(conf)], stdout=subprocess.PIPE,
                            stderr=subprocess.STDOUT)
    try:
        _wait(port, proc, log)
        _wait(tls_port, proc, log)
        yield Imap("127.0.0.1", port, tls_port, str(cert), USER, PASSWORD, log, home / USER)
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        shutil.rmtree(root, ignore_errors=True)
