from scorer.command import run

run()
