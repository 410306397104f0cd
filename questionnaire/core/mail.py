"""Email through the clinic's own SMTP server, with the standard library only.

The settings come from config.SETTINGS; this module opens one connection for a batch of
messages and says, for each message, whether the server took it, refused it for good (a 5xx
answer: record it and move on) or for now (a 4xx answer, a timeout, a lost connection: try
again later).
"""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Mapping
from dataclasses import dataclass, field
from email.headerregistry import Address
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid
from types import TracebackType
from typing import Any

from questionnaire.core.models import utcnow

MAX_REASON = 500  # what the outbox keeps of an error (Alert.last_error)


@dataclass(frozen=True)
class MailSettings:
    host: str
    port: int
    username: str
    password: str = field(repr=False)  # never in a log line or a traceback
    starttls: bool
    use_ssl: bool
    timeout: int
    sender: str
    site_url: str

    @classmethod
    def from_config(cls, config: Mapping[str, Any]) -> MailSettings:
        return cls(
            host=config["SMTP_HOST"],
            port=config["SMTP_PORT"],
            username=config["SMTP_USERNAME"],
            password=config["SMTP_PASSWORD"],
            starttls=config["SMTP_STARTTLS"],
            use_ssl=config["SMTP_SSL"],
            timeout=config["SMTP_TIMEOUT"],
            sender=config["ALERT_FROM"],
            site_url=config["SITE_URL"],
        )

    @property
    def on(self) -> bool:
        return bool(self.host)

    @property
    def security(self) -> str:
        if self.use_ssl:
            return "TLS from the start (SMTP_SSL)"
        if self.starttls:
            return "STARTTLS"
        return "none (plain SMTP)"


class Refused(Exception):
    """The server refused this message for good: sending it again would not help."""


class NotNow(Exception):
    """This message could not be sent now: a later attempt may succeed."""


class Unreachable(NotNow):
    """No conversation with the server at all (connection, TLS or sign-in failed)."""


def reason(exc: BaseException) -> str:
    """The server's own words where it gave any, for the admins' page."""
    text: bytes | str
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        code, text = next(iter(exc.recipients.values()))
    elif isinstance(exc, smtplib.SMTPResponseException):
        code, text = exc.smtp_code, exc.smtp_error
    else:
        return f"{type(exc).__name__}: {exc}"[:MAX_REASON]
    words = text.decode("utf-8", "replace") if isinstance(text, bytes) else str(text)
    return f"{code} {words}"[:MAX_REASON]


def _code(exc: BaseException) -> int:
    if isinstance(exc, smtplib.SMTPRecipientsRefused):
        return next(iter(exc.recipients.values()))[0]
    if isinstance(exc, smtplib.SMTPResponseException):
        return exc.smtp_code
    return 0


def message(
    settings: MailSettings, sender_name: str, to: str, subject: str, body: str
) -> EmailMessage:
    msg = EmailMessage()
    msg["From"] = Address(display_name=sender_name, addr_spec=settings.sender)
    msg["To"] = to
    msg["Subject"] = subject
    msg["Date"] = format_datetime(utcnow())
    msg["Message-ID"] = make_msgid(domain=settings.sender.rpartition("@")[2])
    # RFC 3834: machine-made, so out-of-office replies and the like stay quiet.
    msg["Auto-Submitted"] = "auto-generated"
    msg.set_content(body)
    return msg


class Connection:
    """One SMTP conversation for a batch of messages: `with Connection(s) as c: c.send(m)`.
    Entering raises Unreachable when no conversation starts."""

    def __init__(self, settings: MailSettings) -> None:
        self.settings = settings
        self.smtp: smtplib.SMTP | None = None

    def __enter__(self) -> Connection:
        s = self.settings
        smtp: smtplib.SMTP | None = None
        try:
            if s.use_ssl:
                smtp = smtplib.SMTP_SSL(
                    s.host, s.port, timeout=s.timeout, context=ssl.create_default_context()
                )
            else:
                smtp = smtplib.SMTP(s.host, s.port, timeout=s.timeout)
            if s.starttls:
                smtp.starttls(context=ssl.create_default_context())
            if s.username:
                smtp.login(s.username, s.password)
        except OSError as exc:  # smtplib's own errors are OSErrors too
            if smtp is not None:
                smtp.close()
            where = f"{s.host}:{s.port}"
            raise Unreachable(f"Could not use the mail server {where}: {reason(exc)}") from exc
        self.smtp = smtp
        return self

    def send(self, msg: EmailMessage) -> None:
        """Raises Refused (a 5xx for this recipient or message), NotNow (a 4xx), or
        Unreachable (the conversation is over, or the server will take nothing from our
        sender address: a setting to fix, not a message to give up on)."""
        if self.smtp is None:
            raise Unreachable("The connection to the mail server was lost")
        try:
            self.smtp.send_message(msg)
        except (smtplib.SMTPServerDisconnected, smtplib.SMTPSenderRefused) as exc:
            self._end(exc)
        except smtplib.SMTPException as exc:  # a subclass of OSError: before it
            if _code(exc) >= 500:
                raise Refused(reason(exc)) from exc
            raise NotNow(reason(exc)) from exc
        except OSError as exc:  # a timeout, a reset connection
            self._end(exc)

    def _end(self, exc: BaseException) -> None:
        smtp, self.smtp = self.smtp, None
        if smtp is not None:
            smtp.close()
        where = f"{self.settings.host}:{self.settings.port}"
        raise Unreachable(
            f"The conversation with the mail server {where} ended: {reason(exc)}"
        ) from exc

    def __exit__(
        self,
        _type: type[BaseException] | None,
        _exc: BaseException | None,
        _tb: TracebackType | None,
    ) -> None:
        if self.smtp is not None:
            try:
                self.smtp.quit()
            except OSError:  # smtplib's errors too: the messages are already accounted for
                self.smtp.close()
