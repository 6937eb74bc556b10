"""Which content is used: ratings, usage events with their evidence, share links to buyers
and the buyers' public pages, and the quality signals search ranks with."""
