"""U.S.-Japan space partnership briefing."""
