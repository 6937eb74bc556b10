"""Collections of assets and the onboarding paths assigned from them."""
