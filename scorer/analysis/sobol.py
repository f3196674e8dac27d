"""Global sensitivity: Sobol' indices of each actor's final balance to each uncertain weight (SALib).

Where `scorer sensitivity` moves one weight at a time with the others held,
this draws all the ranged weights together (Saltelli's scheme on a Sobol'
sequence, `SALib.sample.sobol`) and splits the variance of the final balance
among them (`SALib.analyze.sobol`): S1, the share a weight explains alone, and
ST, the share it takes part in, interactions included. The balance is linear
in the weights, so the two agree up to sampling error and the S1 add up to
about 1; the confidence intervals are SALib's bootstrap.

Each draw is scored without the engine: the final balance is the point
estimate plus each signal's unit contribution times the draw's change of its
weight (`scorer.scoring.units`).
"""

from __future__ import annotations

import warnings

import numpy as np
from SALib.analyze import sobol as analyze
from SALib.sample import sobol as sample

from scorer.analysis.defaults import BASE_DRAWS, SEED
from scorer.analysis.indices import ActorIndices, GlobalSensitivity, Index, check_draws
from scorer.analysis.uncertain import ranged_signals
from scorer.pack.model import RulePack
from scorer.scoring.actor import ActorScore
from scorer.scoring.score import Score
from scorer.scoring.units import Signal, columns_of, expand, final_units

RESAMPLES = 100
CONFIDENCE = 0.95
# SALib builds its sample row by row in Python: past this many cells (draws × (weights + 2) × weights) an
# analysis takes minutes, and a study of that many weights at once is better cut down (--actor, fewer weights).
MAX_CELLS = 20_000_000


def global_sensitivity(score: Score, *, draws: int = BASE_DRAWS, seed: int = SEED) -> GlobalSensitivity:
    """The Sobol' indices of every actor's final balance to the pack's ranged weights on the balance's axes."""
    check_draws(draws)
    pack = score.pack
    found = ranged_signals(pack)
    actors = {name: _actor(actor, pack, found, draws, seed) for name, actor in score.actors.items()}
    return GlobalSensitivity(draws, seed, pack.scoring.plus, pack.scoring.minus, actors)


def _actor(
    actor: ActorScore, pack: RulePack, found: list[tuple[Signal, float, float]], draws: int, seed: int
) -> ActorIndices:
    """One actor's indices: only the weights that move its balance take part."""
    final = actor.final
    table = columns_of(pack, [signal for signal, _, _ in found])
    units = final_units(expand(actor, table, len(found)), actor.final_day)
    sign = np.array([1.0 if s.axis == pack.scoring.plus else -1.0 for s, _, _ in found])
    moving = [k for k in range(len(found)) if units[k] != 0]
    if not moving:
        return ActorIndices(actor.actor, final.date, final.balance, 0.0, ())
    width = len(moving)
    if draws * (width + 2) * width > MAX_CELLS:
        raise ValueError(
            f"{actor.actor}'s balance moves with {width} uncertain weights: {draws} draws of them are too many "
            "to sample; lower --draws or pick one actor with --actor"
        )
    problem = {
        "num_vars": width,
        "names": [found[k][0].name for k in moving],
        "bounds": [[found[k][1], found[k][2]] for k in moving],
    }
    weights = np.array([found[k][0].weight for k in moving])
    drawn = sample.sample(problem, draws, calc_second_order=False, seed=seed)
    balances = final.balance + (drawn - weights) @ (sign[moving] * units[moving])
    variance = float(np.var(balances))
    if variance == 0 or not np.isfinite(variance):
        return ActorIndices(actor.actor, final.date, final.balance, 0.0, ())
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # a bootstrap resample of a tiny sample may be constant
        # SALib draws its bootstrap from a fresh generator only for a seed that is not 0.
        found_indices = analyze.analyze(
            problem, balances, calc_second_order=False, num_resamples=RESAMPLES, conf_level=CONFIDENCE, seed=seed + 1
        )
    indices = []
    for j, k in enumerate(moving):
        signal = found[k][0]
        rule = pack.rules[signal.rule]
        s1, s1_conf, st, st_conf = (float(found_indices[key][j]) for key in ("S1", "S1_conf", "ST", "ST_conf"))
        index = Index(signal.rule_id, signal.axis, rule.file, rule.line, s1, s1_conf, st, st_conf, rule.shown)
        indices.append((j, index))
    indices.sort(key=lambda item: (-round(item[1].st, 12), item[0]))
    return ActorIndices(actor.actor, final.date, final.balance, variance, tuple(index for _, index in indices))
