"""The queries behind each report, one module per report page of the same name."""
