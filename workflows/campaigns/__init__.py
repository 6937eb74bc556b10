"""Campaign briefs: what marketing tells reps about a campaign, and who has read them."""
