"""Review: what changed between two revisions, for whom, and reports of problems."""
