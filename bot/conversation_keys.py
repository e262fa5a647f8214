"""Names that the channels, NLU, policies, actions and renderer share: one definition each.

Slots are declared in domain.yml; these are their names in code. The report
form's slots are derived from its schema (data/report_form.yml).
"""

# Slot: the conversation's language code (set by bot.policies.language and the language menu).
LANGUAGE_SLOT = "language"

# UserMessage metadata: the language a channel starts a conversation in (a
# dialed number's language, or the language a caller chose on the phone).
DEFAULT_LANGUAGE_METADATA = "default_language"

# UserMessage metadata: the conversation's language, passed by a channel when
# the NLU needs it (a romanized message in the conversation's own language is
# answered, not sent to the language menu again).
CONVERSATION_LANGUAGE_METADATA = "conversation_language"

# Parse data: what bot.nlu.language found out about the message's language.
LANGUAGE_DETECTION_KEY = "language_detection"

# What our NLG returns with each text, and so what a BotUttered event's
# metadata and a channel's output message carry besides the text.
MESSAGE_LANGUAGE = "language"  # the language the text is really in (after any fallback)
LEGAL_NOTICE = "legal_notice"  # this message carried the one-time legal notice
DRAFT_NOTICE = "draft_notice"  # the language whose one-time "translation being checked" notice it carried
UTTER_ACTION = "utter_action"  # the response key Rasa rendered (added by Rasa itself)
# The resource ids of a text message's numbered list, in order: a reply of a number picks one.
NUMBERED_RESOURCES = "numbered_resources"

# What an action passes to ask for a response's full text where the channel
# would otherwise send its short variant (MORE on SMS).
FULL_TEXT_VARIANT = "full"
