"""The live preview: `guidance serve` and its incremental rebuilds."""
