"""The village profile: its name, country, languages and emergency numbers."""
