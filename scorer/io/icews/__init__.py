"""ICEWS event files: the row layout (`rows`), blocks of rows by columns (`columns`), whole files (`read`)."""
