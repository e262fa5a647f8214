"""The TwiML of one voice turn: what is said, in which voice, and how we listen.

Voices and speech-recognition languages per language come from data/voice.yml.
TwiML is built with the twilio package's VoiceResponse and Gather only. The
call flow (bot/channels/voice_flow.py) decides what to say; this module says it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from twilio.twiml.voice_response import Gather, VoiceResponse

from bot.channels.speech_text import speakable
from bot.data_files import load_data_file
from bot.language.registry import language_settings
from bot.rendering.renderer import VOICE_VARIANT, renderer

WEBHOOK_PATH = "/webhooks/twilio_voice/webhook"
TURN_PARAMETER = "turn"  # in the query of the URL Twilio posts a call's next request to
NUMBER_FINISH_KEY = "#"  # ends a phone number typed on the keypad


@dataclass(frozen=True)
class VoiceSettings:
    # None where Twilio has no text-to-speech voice for the language: the
    # caller hears English and is offered an interpreter or a text message.
    say_voice: str | None
    say_language: str | None
    gather_language: str
    speech: bool
    hints: str

    @property
    def can_say(self) -> bool:
        return bool(self.say_voice and self.say_language)


def voice_config() -> dict[str, Any]:
    return load_data_file("voice.yml")


def voice_settings(language: str) -> VoiceSettings:
    entry = voice_config().get("languages", {}).get(language)
    if entry is None:  # a language without voice settings: keypad only
        default = voice_config()["languages"][language_settings().default]
        return VoiceSettings(
            default["say_voice"], default["say_language"], default["gather_language"], False, ""
        )
    return VoiceSettings(
        entry.get("say_voice"),
        entry.get("say_language"),
        entry["gather_language"],
        bool(entry.get("speech")),
        entry.get("hints", ""),
    )


class Speaker:
    """Builds the TwiML of one turn in one language."""

    def __init__(self, language: str, turn: int = 0) -> None:
        """`turn`: the call's turn that this TwiML answers. Twilio's next request
        names it, so that a retried request is known as one (bot.channels.twilio_voice)."""
        self.language = language
        self.settings = voice_settings(language)
        self.twiml = VoiceResponse()
        self.next_url = f"{WEBHOOK_PATH}?{TURN_PARAMETER}={turn}" if turn else WEBHOOK_PATH

    def text(self, key: str, **values: str) -> str:
        template = renderer().text(key, self.language, VOICE_VARIANT)
        return speakable(
            template.format(**values) if values else renderer().render(key, self.language, VOICE_VARIANT).text
        )

    def say(self, target: VoiceResponse | Gather, text: str, language: str | None = None) -> None:
        settings = voice_settings(language) if language else self.settings
        if not settings.can_say:  # never read a language with another language's voice
            settings = voice_settings(language_settings().default)
        if text:
            target.say(speakable(text), voice=settings.say_voice, language=settings.say_language)

    def gather(self, speech: bool = True, num_digits: int = 1) -> Gather:
        """Listen for one key (or up to `num_digits`, ended by #), or for speech in
        the conversation's language."""
        use_speech = speech and self.settings.speech
        options: dict[str, Any] = {}
        if use_speech:
            options = {"language": self.settings.gather_language, "speech_timeout": "auto"}
            if self.settings.hints:
                options["hints"] = self.settings.hints
        gather = Gather(
            input="speech dtmf" if use_speech else "dtmf",
            action=self.next_url,
            method="POST",
            num_digits=num_digits,
            timeout=voice_config().get("gather_timeout_s", 6),
            **({"finish_on_key": NUMBER_FINISH_KEY} if num_digits > 1 else {}),
            **options,
        )
        self.twiml.append(gather)
        return gather

    def close_with_redirect(self) -> str:
        # Silence: Twilio moves past the <Gather> to the next verb and posts
        # back with neither Digits nor SpeechResult, which counts as no input.
        self.twiml.redirect(self.next_url, method="POST")
        return str(self.twiml)
