"""Keep what people send out of the logs: no message text, number or report field at INFO or above.

Our own code never logs such values, but Rasa, Sanic and rasa-sdk do: Rasa's
REST channel logs the text of a message that failed, its RemoteAction error
quotes the action server's error body (which carries the whole tracker:
every message and slot), and a traceback's last line is the exception's
message, which can hold any value (SQLAlchemy puts the query's parameters
there). So one logging filter, on every handler, rewrites each record above
DEBUG before it is written:

* the values a channel registered for the message being handled
  (`keep_out_of_logs`: its text and the sender's number) become "[message]",
  wherever they appear, also JSON- or repr-escaped (Rasa's structured logs);
* phone numbers, e-mail addresses and house numbers become placeholders
  (bot.privacy.redaction), wherever they come from;
* a traceback keeps its frames (file, line, code) but not the exceptions'
  messages.

DEBUG records are left whole: DEBUG logs message text by design, and
production never runs at DEBUG (README, Settings).

Where it is installed: `install()` attaches the filter to the handlers that
exist when it runs, so it must run after the process has configured its
logging. In a Rasa server process that is when Rasa builds our NLG
(bot.rendering.nlg.CatalogNLG), which every server process does on loading
the model, after Rasa, Sanic and `--log-file` have set up their handlers. The
action server installs it at start-up (bot.cli.actions).
"""

from __future__ import annotations

import json
import logging
import traceback
from contextvars import ContextVar
from types import TracebackType

from bot.privacy.redaction import redact

MIN_PRIVATE_CHARS = 3  # shorter values ("1", "ok") would blank out unrelated words
MESSAGE_PLACEHOLDER = "[message]"
WITHHELD = "[message withheld: it may hold what a person sent]"
_SCRUBBED = "kyr_scrubbed"

_private_values: ContextVar[tuple[str, ...]] = ContextVar("kyr_private_values", default=())


def keep_out_of_logs(*values: str | None) -> None:
    """Values that no log record may show while the current request is handled.

    Context variables follow the request's task and every task it starts, so
    this covers whatever Rasa logs while it handles the message.
    """
    kept = {value.strip() for value in values if value}
    _private_values.set(
        tuple(sorted((v for v in kept if len(v) >= MIN_PRIVATE_CHARS), key=len, reverse=True))
    )


def scrub(text: str) -> str:
    for value in _private_values.get():
        for form in {
            value,
            json.dumps(value)[1:-1],
            json.dumps(value, ensure_ascii=False)[1:-1],
            repr(value)[1:-1],
        }:
            text = text.replace(form, MESSAGE_PLACEHOLDER)
    return redact(text)


ExcInfo = tuple[type[BaseException], BaseException, TracebackType | None]


def withheld_traceback(exc_info: ExcInfo) -> str:
    """A traceback with its frames, and each exception's type but not its message."""
    lines: list[str] = []
    seen: set[int] = set()

    def add(error: BaseException) -> None:
        seen.add(id(error))
        if error.__cause__ is not None and id(error.__cause__) not in seen:
            add(error.__cause__)
            lines.append("\nThe above exception was the direct cause of the following exception:\n\n")
        elif (
            error.__context__ is not None
            and not error.__suppress_context__
            and id(error.__context__) not in seen
        ):
            add(error.__context__)
            lines.append("\nDuring handling of the above exception, another exception occurred:\n\n")
        if error.__traceback__ is not None:
            lines.append("Traceback (most recent call last):\n")
            lines.extend(traceback.format_list(traceback.extract_tb(error.__traceback__)))
        lines.append(f"{type(error).__module__}.{type(error).__qualname__}: {WITHHELD}\n")

    add(exc_info[1])
    return "".join(lines).rstrip("\n")


class PrivacyFilter(logging.Filter):
    """Rewrites records above DEBUG (see the module docstring); never drops one."""

    def filter(self, record: logging.LogRecord) -> bool:
        if record.levelno <= logging.DEBUG or getattr(record, _SCRUBBED, False):
            return True
        try:
            message = record.getMessage()
        except Exception:  # noqa: BLE001 - a malformed record must still not leak its arguments
            message = str(record.msg)
        record.msg, record.args = scrub(message), ()
        if record.exc_info and record.exc_info[1] is not None:
            record.exc_text = withheld_traceback(record.exc_info)
            record.exc_info = None
        elif record.exc_text:
            record.exc_text = scrub(record.exc_text)
        if record.stack_info:
            record.stack_info = scrub(record.stack_info)
        setattr(record, _SCRUBBED, True)
        return True


_FILTER = PrivacyFilter()


def install() -> None:
    """Attach the filter to every handler configured so far (root's, Rasa's, Sanic's...)."""
    loggers = [logging.getLogger()] + [
        logger for logger in logging.root.manager.loggerDict.values() if isinstance(logger, logging.Logger)
    ]
    handlers = {handler for logger in loggers for handler in logger.handlers}
    if logging.lastResort is not None:
        handlers.add(logging.lastResort)
    for handler in handlers:
        if not any(isinstance(f, PrivacyFilter) for f in handler.filters):
            handler.addFilter(_FILTER)
