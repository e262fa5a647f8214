"""Custom actions, served by `rasa run actions` (rasa-sdk), one module per concern.

Topic answers themselves are plain responses rendered inside the Rasa server,
so they keep working if this action server is down. Actions hold the logic
that needs the conversation's history, such as menu numbers.
"""
