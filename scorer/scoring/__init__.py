"""Scoring math: contributions, decay, running totals, periods and drivers, on columns.

`score.match` asks the engine once; `score.rescore` turns its answers into
one `actor.ActorScore` per actor with any weights.
"""
