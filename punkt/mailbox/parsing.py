"""Reading one raw mail: who wrote, about what, the text (from the HTML when there is no
plain part), the HTML sanitised with nh3, the attachments, the ids that thread it and why
it must not open a ticket (auto-replies, bounces, lists, our own mail looping back)."""

from __future__ import annotations

import hashlib
import html as htmllib
import re
from dataclasses import dataclass, field
from email import policy
from email.header import decode_header, make_header
from email.message import Message
from email.parser import BytesParser
from email.utils import getaddresses, parseaddr
from html.parser import HTMLParser
from typing import Any

import nh3

#: ``ZG/2026/000123`` (the zeros may be left out) anywhere in the subject
NUMBER = re.compile(r"\bZG/(\d{4})/(\d{1,9})\b")
MSGID = re.compile(r"<([^<>\s]{1,250})>")
BULK = frozenset({"bulk", "junk", "list", "auto_reply"})
#: how the Message-IDs we make begin (replies here, ``punkt-`` in punkt/messaging)
OUR_IDS = ("punkt.", "punkt-")
DAEMONS = frozenset({"mailer-daemon", "postmaster"})


class MailError(ValueError):
    """The mail cannot be read (recorded as refused, the fetch goes on)."""


@dataclass
class Attachment:
    name: str
    data: bytes
    content_type: str


@dataclass
class Parsed:
    message_id: str
    key: str
    from_address: str
    from_name: str
    subject: str
    text: str
    html: str
    references: list[str]
    attachments: list[Attachment] = field(default_factory=list)
    #: why it is not a customer's mail (empty: it is)
    ignore: str = ""


def id_key(message_id: str) -> str:
    return hashlib.sha256(message_id.strip().strip("<>").lower().encode()).hexdigest()


def ticket_number(subject: str) -> str | None:
    match = NUMBER.search(subject)
    if match is None:
        return None
    return f"ZG/{match.group(1)}/{int(match.group(2)):06d}"


class _Text(HTMLParser):
    BLOCK = frozenset({"p", "div", "br", "li", "tr", "h1", "h2", "h3", "h4", "table",
                       "blockquote"})
    SKIP = frozenset({"script", "style", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self.skipping = 0

    def handle_starttag(self, tag: str, attrs: Any) -> None:
        if tag in self.SKIP:
            self.skipping += 1
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_endtag(self, tag: str) -> None:
        if tag in self.SKIP:
            self.skipping = max(0, self.skipping - 1)
        elif tag in self.BLOCK:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self.skipping:
            self.parts.append(data)


def html_to_text(markup: str) -> str:
    parser = _Text()
    parser.feed(markup)
    parser.close()
    text = "".join(parser.parts)
    lines = [" ".join(line.split()) for line in text.splitlines()]
    return re.sub(r"\n{3,}", "\n\n", "\n".join(lines)).strip()


def sanitise(markup: str) -> str:
    """The HTML an agent may see: no scripts, styles, event handlers nor remote images."""
    return nh3.clean(markup, tags=nh3.ALLOWED_TAGS - {"img"}, link_rel="noopener noreferrer",
                     url_schemes={"http", "https", "mailto"})


def _ids(value: Any) -> list[str]:
    return MSGID.findall(str(value or ""))[:50]


def _header(msg: Message, name: str) -> str:
    """The header as it stands (compat32: a string, no parsing)."""
    try:
        value = msg.get(name, "")
        return str(value or "")
    except Exception:  # noqa: BLE001 - a header defect: treat it as absent
        return ""


def decoded(value: Any) -> str:
    """A header's text with its RFC 2047 encoded words decoded (``=?utf-8?b?…?=``); an
    undecodable one as it stands."""
    text = str(value or "")
    if "=?" not in text:
        return " ".join(text.split()) if "\n" in text else text
    try:
        return str(make_header(decode_header(text)))
    except Exception:  # noqa: BLE001 - a broken encoded word: the raw text
        return text


def ignore_reason(msg: Message, *, from_address: str, our_domains: set[str],
                  our_addresses: set[str]) -> str:
    auto = _header(msg, "Auto-Submitted").strip().lower()
    if auto and auto != "no":
        return f"Auto-Submitted: {auto[:50]}"
    precedence = _header(msg, "Precedence").strip().lower()
    if precedence in BULK:
        return f"Precedence: {precedence}"
    if _header(msg, "X-Auto-Response-Suppress"):
        return "X-Auto-Response-Suppress"
    if _header(msg, "List-Id") or _header(msg, "List-Unsubscribe"):
        return "mailing list"
    if msg.get_content_type() == "multipart/report":
        return "delivery report"
    local = from_address.partition("@")[0]
    if not from_address or local.lower() in DAEMONS:
        return "bounce"
    if _header(msg, "Return-Path").strip() == "<>":
        return "bounce"
    own = _ids(_header(msg, "Message-ID"))
    if own and own[0].startswith(OUR_IDS) and own[0].rpartition("@")[2].lower() in our_domains:
        return "our own mail"
    if from_address in our_addresses:
        return "from our own address"
    return ""


def _decode(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    charset = part.get_content_charset() or "utf-8"
    if charset in ("us-ascii", "ascii"):
        charset = "utf-8"  # mislabelled 8-bit text is usually UTF-8
    try:
        return payload.decode(charset, "replace")
    except LookupError:  # an unknown charset
        return payload.decode("utf-8", "replace")


def parse(raw: bytes, *, our_domains: set[str],
          our_addresses: frozenset[str] | set[str] = frozenset(),
          max_parts: int = 200) -> Parsed:
    """Read ``raw``; ``MailError`` when it is not a mail at all."""
    # compat32 reads headers as strings, decoded here only where shown (subject, names):
    # the modern policy parses every header it is asked for, each time (4 ms a mail)
    try:
        msg = BytesParser(policy=policy.compat32).parsebytes(raw)
    except Exception as exc:  # noqa: BLE001 - the parser's errors are many
        raise MailError(f"unreadable: {exc}"[:200]) from None
    if not isinstance(msg, Message) or not msg.keys():
        raise MailError("no headers")
    sender = _header(msg, "From")
    name, address = parseaddr(sender)
    name = decoded(name)
    if len(getaddresses([sender])) > 1:
        address = ""  # several senders: nobody to answer
    address = address.strip().lower() if "@" in address else ""
    ids = _ids(_header(msg, "Message-ID"))
    message_id = ids[0] if ids else ""
    key = id_key(message_id) if message_id else hashlib.sha256(raw).hexdigest()
    subject = " ".join(decoded(_header(msg, "Subject")).split())[:300]
    references = _ids(_header(msg, "In-Reply-To")) + _ids(_header(msg, "References"))
    text, markup = "", ""
    attachments: list[Attachment] = []
    for n, part in enumerate(msg.walk()):
        if n > max_parts:
            break
        if part.is_multipart():
            continue
        disposition = part.get_content_disposition()
        ctype = part.get_content_type()
        if disposition == "attachment" or (disposition == "inline" and part.get_filename()) \
                or ctype not in ("text/plain", "text/html"):
            payload = part.get_payload(decode=True)
            if isinstance(payload, bytes) and payload:
                attachments.append(Attachment(decoded(part.get_filename() or "plik"),
                                              payload, ctype))
            continue
        if ctype == "text/plain" and not text:
            text = _decode(part)
        elif ctype == "text/html" and not markup:
            markup = _decode(part)
    clean = sanitise(markup) if markup else ""
    if not text.strip() and markup:
        text = html_to_text(markup)
    return Parsed(message_id=message_id[:300], key=key, from_address=address[:254],
                  from_name=htmllib.unescape(name)[:200], subject=subject, text=text.strip(),
                  html=clean, references=references, attachments=attachments,
                  ignore=ignore_reason(msg, from_address=address, our_domains=our_domains,
                                       our_addresses=set(our_addresses)))
