"""Everything that crosses the village boundary: summaries, disclosure control, bundles, delivery."""
