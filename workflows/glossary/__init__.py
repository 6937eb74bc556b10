"""The shared glossary: terms both teams agree on, their versions and sign-offs."""
