"""The figures of docs/validation.md: the public panel scored with a pack, against UN General Assembly votes.

    python docs/validation/make.py                   # the bundled pack (rules/)
    python docs/validation/make.py --rules PACK      # another pack
    python docs/validation/make.py --select --ridge 1000   # also the greedy choice of weights to revise
    python docs/validation/make.py --set RULE.AXIS=W ...   # the pack with some weights changed

Prints, for the eight panel countries (fixtures/panel/), the cross-country
rank correlation of the balance with USAgree - RUSSAgree at the ends of 2008,
2013 and 2022; each country's trend in both; the calibration statistics for a
range of ridges; and with `--select` the weights whose fitting, one at a time,
raises the leave-one-country-out agreement. Draws docs/validation-scatter.png.
"""

from __future__ import annotations

import argparse
from datetime import date as Date
from pathlib import Path

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.figure import Figure

import scorer
from scorer.analysis.calibrate import agreement, calibrate
from scorer.io.targets import Targets, session_end

ROOT = Path(__file__).resolve().parents[2]
PANEL = ROOT / "fixtures" / "panel"
COUNTRIES = ("FIN", "HUN", "IND", "KAZ", "MNG", "SRB", "SWE", "TUR")
YEARS = (2008, 2013, 2022)
RIDGES = (0.001, 0.01, 0.1, 1.0, 10.0, 100.0)


def rho(a: list[float], b: list[float]) -> float | None:
    """Spearman's correlation."""
    return agreement(np.array(a), np.array(b)).spearman


def balance_on(events: scorer.EventSet, pack: scorer.RulePack, day: str) -> dict[str, float]:
    """Each country's balance on a day (0 before its first event)."""
    result = scorer.score(events, pack, as_of=day)
    return {c: result.actors[c].final.balance if c in result.actors else 0.0 for c in COUNTRIES}


def cross_country(events: scorer.EventSet, pack: scorer.RulePack, values: dict[tuple[str, int], float]) -> None:
    """The rank correlation across countries at the end of each year of YEARS."""
    print("cross-country Spearman, balance on 31 December vs USAgree - RUSSAgree of the session then sitting:")
    for year in YEARS:
        balances = balance_on(events, pack, f"{year}-12-31")
        session = year - 1945
        both = [c for c in COUNTRIES if (c, session) in values]
        found = rho([balances[c] for c in both], [values[(c, session)] for c in both])
        ranked = sorted(both, key=lambda c: -balances[c])
        print(f"  {year} (session {session}, n={len(both)}): rho = {found:+.2f}; by balance: {' > '.join(ranked)}")
        print("    " + ", ".join(f"{c} {balances[c]:+.1f}/{values[(c, session)]:+.2f}" for c in ranked))


def trends(events: scorer.EventSet, pack: scorer.RulePack, values: dict[tuple[str, int], float]) -> None:
    """Per country: the time-series rank correlation over the sessions, and where both moved from 2000 to 2022."""
    print("within-country: Spearman over sessions 55-77 (2000/01-2022/23); change 2000 -> 2022 of balance and of vote measure")
    ends = {session: session_end(session).isoformat() for session in range(55, 78)}
    by_day = {s: balance_on(events, pack, day) for s, day in ends.items()}
    for c in COUNTRIES:
        sessions = [s for s in ends if (c, s) in values]
        found = rho([by_day[s][c] for s in sessions], [values[(c, s)] for s in sessions])
        first, last = sessions[0], sessions[-1]
        text = "-" if found is None else f"{found:+.2f}"
        print(
            f"  {c}: rho = {text} over {len(sessions)} sessions; balance {by_day[first][c]:+.1f} -> {by_day[last][c]:+.1f}, "
            f"votes {values[(c, first)]:+.2f} -> {values[(c, last)]:+.2f}"
        )


def scatter(events: scorer.EventSet, pack: scorer.RulePack, values: dict[tuple[str, int], float], path: Path) -> None:
    """Balance against the vote measure at every session's end, a colour per country, the three years ringed."""
    figure = Figure(figsize=(8, 5.5), layout="constrained")
    FigureCanvasAgg(figure)
    ax = figure.add_subplot()
    colors = dict(zip(COUNTRIES, ("#2563eb", "#059669", "#d97706", "#dc2626", "#7c3aed", "#db2777", "#0891b2", "#4b5563"), strict=True))
    sessions = range(49, 78)
    by_day = {s: balance_on(events, pack, session_end(s).isoformat()) for s in sessions}
    for c in COUNTRIES:
        points = [(by_day[s][c], values[(c, s)]) for s in sessions if (c, s) in values]
        ax.plot([p[0] for p in points], [p[1] for p in points], "o-", color=colors[c], markersize=3, linewidth=0.6, alpha=0.8, label=c)
        for year in YEARS:
            s = year - 1945
            if (c, s) in values:
                ax.plot([by_day[s][c]], [values[(c, s)]], "o", markersize=9, markerfacecolor="none", markeredgecolor=colors[c])
    ax.axvline(0, color="#9ca3af", linewidth=0.8)
    ax.set_xlabel("balance (nato - russia) at the end of each session, bundled pack")
    ax.set_ylabel("USAgree - RUSSAgree (UN General Assembly)")
    ax.set_title("Eight countries, sessions 49-77 (1994/95-2022/23); rings: 2008, 2013, 2022", fontsize=10)
    ax.legend(ncols=2, fontsize=8)
    figure.savefig(path, format="png", dpi=110, metadata={"Software": None})


def calibration(events: scorer.EventSet, pack: scorer.RulePack, targets: Targets) -> None:
    """The agreement before and after fitting every weight, for a range of ridges."""
    score = scorer.score(events, pack)
    print("calibration of every weight, Spearman (Pearson): in sample | leaving one country out")
    for ridge in RIDGES:
        found = calibrate(score, targets, ridge=ridge)
        b, a = found.before, found.after
        assert b.leave_one_actor_out and a.leave_one_actor_out
        print(
            f"  ridge {ridge:g}: before {b.in_sample.spearman:+.2f} ({b.in_sample.pearson:+.2f}) | "
            f"{b.leave_one_actor_out.spearman:+.2f} ({b.leave_one_actor_out.pearson:+.2f}); "
            f"after {a.in_sample.spearman:+.2f} ({a.in_sample.pearson:+.2f}) | "
            f"{a.leave_one_actor_out.spearman:+.2f} ({a.leave_one_actor_out.pearson:+.2f})"
        )


def select(events: scorer.EventSet, pack: scorer.RulePack, targets: Targets, ridge: float) -> list[str]:
    """Greedily free the weight whose fitting raises the leave-one-country-out Spearman most, among fits that
    keep every freed weight's sign and at most double it; stop when none adds 0.01."""
    score = scorer.score(events, pack)
    base = calibrate(score, targets, ridge=ridge)
    best = base.before.leave_one_actor_out.spearman if base.before.leave_one_actor_out else None
    assert best is not None
    names = [w.signal.name for w in base.weights if w.seen]
    chosen: list[str] = []
    print(f"greedy selection at ridge {ridge:g}: leaving one country out, the pack as it is: {best:+.3f}")
    while True:
        trials = []
        for name in names:
            if name in chosen:
                continue
            found = calibrate(score, targets, ridge=ridge, only=[*chosen, name])
            moved = [w for w in found.weights if w.signal.name in (*chosen, name)]
            if not all(0.0 <= w.suggested / w.signal.weight <= 2.0 for w in moved):
                continue  # a flipped sign or a weight off the pack's scale: an artefact of eight countries
            out = found.after.leave_one_actor_out
            if out and out.spearman is not None:
                trials.append((out.spearman, name, moved))
        if not trials:
            break
        value, name, moved = max(trials, key=lambda t: t[0])
        if value < best + 0.01:
            break
        best = value
        chosen.append(name)
        print(f"  + {name}: {best:+.3f} ({', '.join(f'{w.signal.name} {w.signal.weight:+g} -> {w.suggested:+.2f}' for w in moved)})")
    return chosen


def main() -> None:
    """Print every figure and draw the scatter plot."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--rules", default=None, help="the pack (default: the bundled one)")
    parser.add_argument("--set", action="append", default=[], metavar="RULE.AXIS=WEIGHT", help="change a weight")
    parser.add_argument("--scatter", type=Path, default=ROOT / "docs" / "validation-scatter.png", help="the plot file")
    parser.add_argument("--select", action="store_true", help="also choose the weights to revise")
    parser.add_argument("--ridge", type=float, default=1.0, help="ridge of the selection (default 1)")
    args = parser.parse_args()
    events = scorer.read_events([str(p) for p in sorted(PANEL.glob("*.yaml"))])
    pack = scorer.load_pack(args.rules, settings=args.set)
    targets = scorer.read_targets(str(PANEL / "unga-extract.csv"), "unga")
    values = {(t.actor, Date.fromisoformat(t.date).year - 1946): t.value for t in targets.rows}
    print(f"{len(events)} events of {len(COUNTRIES)} countries; {len(targets.rows)} country-sessions of UN data")
    cross_country(events, pack, values)
    trends(events, pack, values)
    calibration(events, pack, targets)
    scatter(events, pack, values, args.scatter)
    if args.select:
        select(events, pack, targets, args.ridge)


if __name__ == "__main__":
    main()
