"""Reading and writing files: event files of every format, rule files' YAML, atomic writes.

`load.read_events` is the one entry for events: it tells each file's format
(`formats`), reads hand-coded files event by event (`exact`) or, when large,
by columns (`columns`), and machine-coded exports through `gdelt` and
`icews`. `files` holds the limits every read respects.
"""
