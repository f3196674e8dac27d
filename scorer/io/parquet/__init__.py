"""Parquet: events read from files and partitioned folders (`read`), written by `scorer convert` (`write`)."""
