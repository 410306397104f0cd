"""A real SMTP server for the tests (aiosmtpd on a loopback port): it keeps what it is sent,
and can refuse chosen recipients, answer slowly, or ask for a password."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword

from tests.helpers.live_server import free_port

REFUSAL = "550 5.1.1 <{address}>: no such mailbox here"


@dataclass
class Received:
    mail_from: str
    rcpt_tos: list[str]
    raw: bytes
    message: EmailMessage


@dataclass
class Inbox:
    """The server's handler. `refuse`: addresses refused as a sender (MAIL FROM, 553) or a
    recipient (RCPT TO, REFUSAL); `delay`: seconds to wait before answering RCPT TO."""

    refuse: set[str] = field(default_factory=set)
    delay: float = 0.0
    received: list[Received] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    async def handle_MAIL(self, server, session, envelope, address, mail_options) -> str:
        if address in self.refuse:
            return f"553 5.7.1 <{address}>: not allowed to send from here"
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options) -> str:
        if self.delay:
            await asyncio.sleep(self.delay)
        if address in self.refuse:
            return REFUSAL.format(address=address)
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope) -> str:
        raw = envelope.original_content or envelope.content
        message = message_from_bytes(raw, policy=policy.default)
        with self.lock:
            self.received.append(
                Received(envelope.mail_from, list(envelope.rcpt_tos), raw, message)
            )
        return "250 2.0.0 Accepted"

    def to(self, address: str) -> list[Received]:
        return [r for r in self.received if address in r.rcpt_tos]


class Passwords:
    """AUTH PLAIN/LOGIN against one account."""

    def __init__(self, login: str, password: str) -> None:
        self.expected = (login.encode(), password.encode())

    def __call__(self, server, session, envelope, mechanism, auth_data: Any) -> AuthResult:
        ok = isinstance(auth_data, LoginPassword) and tuple(auth_data) == self.expected
        return AuthResult(success=ok, handled=False)


@dataclass
class SmtpServer:
    port: int
    inbox: Inbox


@contextmanager
def smtp_server(
    inbox: Inbox | None = None, port: int | None = None, **options: Any
) -> Iterator[SmtpServer]:
    inbox = inbox or Inbox()
    port = port or free_port()
    controller = Controller(inbox, hostname="127.0.0.1", port=port, **options)
    controller.start()
    try:
        yield SmtpServer(port, inbox)
    finally:
        controller.stop()
