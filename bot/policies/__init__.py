"""Our Rasa dialogue policies (named in config.yml)."""
