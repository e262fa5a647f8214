"""`python -m bot actions`: the action server (rasa-sdk) as `python -m rasa_sdk` runs it, made private.

Two differences, both about what leaves the process:

* the privacy log filter (bot.privacy.log_filter) is on every log handler,
  and what a request carries (the latest message, the slots' values) is
  registered as private while it is handled;
* a failed action answers 500 with a short error. rasa-sdk's own error
  handler puts the whole request in the reply, that is the tracker with
  every message and slot (a call-back number too), and Rasa then logs that
  reply at ERROR.

Everything else (options, logging set-up, workers, SSL) is rasa-sdk's:
this is `rasa_sdk.__main__.main_from_args` and `rasa_sdk.endpoint.run`
with those two additions.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from rasa_sdk import utils
from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
from rasa_sdk.endpoint import create_app, create_argument_parser, create_ssl_context
from rasa_sdk.plugin import plugin_manager
from sanic import response
from sanic.exceptions import SanicException
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.privacy import log_filter

logger = logging.getLogger(__name__)
ACTIONS_HOST_SETTING = "ACTIONS_HOST"
DEFAULT_ACTIONS_HOST = "127.0.0.1"


async def failed_action(request: Request, exception: Exception) -> HTTPResponse:
    if isinstance(exception, SanicException):  # 404, 405...: Sanic's own answer
        return request.app.error_handler.default(request, exception)
    logger.error("An action failed (%s).", type(exception).__name__, exc_info=exception)
    return response.json({"error": f"The action failed ({type(exception).__name__})."}, status=500)


async def register_private_values(request: Request) -> None:
    """The request's latest message and slot values may not appear in any log."""
    try:
        tracker: dict[str, Any] = (request.json or {}).get("tracker") or {}
    except Exception:  # noqa: BLE001 - rasa-sdk answers a bad body itself
        return
    latest = (tracker.get("latest_message") or {}).get("text")
    slots = [value for value in (tracker.get("slots") or {}).values() if isinstance(value, str)]
    log_filter.keep_out_of_logs(latest if isinstance(latest, str) else None, *slots)


def main(args: list[str]) -> int:
    options = create_argument_parser().parse_args(args)
    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(options.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        options.log_file,
        options.loglevel,
        options.logging_config_file,
    )
    utils.update_sanic_log_level()
    log_filter.install()  # after every handler above exists

    app = create_app(options.actions, cors_origins=options.cors, auto_reload=options.auto_reload)
    app.error_handler.add(Exception, failed_action)
    app.register_middleware(register_private_values, "request")
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    ssl_context = create_ssl_context(options.ssl_certificate, options.ssl_keyfile, options.ssl_password)
    # Loopback unless told otherwise: only the Rasa server calls the action
    # server. Containers set ACTIONS_HOST=0.0.0.0 on their internal network.
    host = os.environ.get(ACTIONS_HOST_SETTING) or DEFAULT_ACTIONS_HOST
    app.run(host, options.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())
    return 0
