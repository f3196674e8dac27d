"""`python -m scorer`: the command line, as the installed `scorer` command runs it."""

from scorer.cli import run

run()
