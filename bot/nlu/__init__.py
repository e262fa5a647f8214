"""Our Rasa NLU pipeline components (named in config.yml): contact redaction,
language and rule-based intents.
"""
