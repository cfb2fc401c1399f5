"""Stage 2: git history: dates, editions, publishing."""
