"""Our Rasa input/output channels (one small module per channel) and their helpers."""
