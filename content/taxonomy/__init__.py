"""The taxonomy: buyer stages, personas, industries, content types and tags, with their
defaults and admin pages."""
