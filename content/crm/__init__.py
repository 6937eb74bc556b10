"""Importing a CRM opportunity export: reading the file, mapping CRM stages to buyer stages,
previewing and applying the import, and its history."""
