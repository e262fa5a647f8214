"""Which language a person writes in, and which one the conversation is in: the
supported-language registry, detection and choice.
"""
