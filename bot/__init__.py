"""Los Angeles 311 Know Your Rights assistant: our side of the Rasa project.

Everything that is not Rasa's own lives here: language handling, rendering of
catalog text, the resource directory, privacy helpers and operator tools.
"""
