"""What the readers of machine-coded event data (GDELT, ICEWS) share: CAMEO codes, countries, rows, streams, columns."""
