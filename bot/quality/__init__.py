"""What we measure of the text people receive: reading level, SMS segments, whether it can be spoken."""
