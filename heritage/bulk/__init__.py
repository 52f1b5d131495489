"""Sites in bulk: import from and export to CSV and XLSX spreadsheets.

`sheets` reads and writes the files (bounded, formulas refused, CSV injection escaped), `checking`
is the dry run that names every bad row and column, `transfer` imports a checked file in one
transaction and exports sites back in the same columns. The CLI and the admin call these.
"""
