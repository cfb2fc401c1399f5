"""guidance: write, validate, render and publish statutory guidance."""
