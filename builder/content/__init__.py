"""Stage 1: reading content files into the model and checking them (schemas, references, house rules)."""
