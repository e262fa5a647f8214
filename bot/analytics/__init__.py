"""What the City learns without identifying anyone: anonymous daily counts and the report built from them."""
