"""Privacy by design: conversation ids that hide phone numbers, and redaction of contact details."""
