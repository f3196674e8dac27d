"""Global sensitivity (`sensitivity --global`) as text, markdown, CSV and JSON."""

from __future__ import annotations

from typing import Any

from scorer.analysis.indices import ActorIndices, GlobalSensitivity, Index
from scorer.problems import printable
from scorer.report.csv import Cell, csv_table
from scorer.report.format import clean, md_code, md_text, shown, signed, table

_NOTE = (
    "S1: the share of the balance's variance over the draws that the weight explains alone; ST: the share it "
    "takes part in. The balance is linear in the weights, so they agree up to sampling error and the S1 add up "
    "to about 1. ± is the half-width of SALib's 95% bootstrap interval."
)


def _heading(result: GlobalSensitivity, actor: ActorIndices) -> str:
    """`KAZ: balance +0.04 on 2009-05-07  [nato +, russia -]; variance over the draws 1.57`."""
    return (
        f"{actor.actor}: balance {signed(actor.balance)} on {actor.date}  [{result.plus} +, {result.minus} -]; "
        f"variance over the draws {actor.variance:.3g}"
    )


def _about(result: GlobalSensitivity, actor: ActorIndices) -> str:
    """How the indices were made."""
    width = len(actor.signals)
    return (
        f"Sobol' indices of the final balance: {result.draws} base draws × ({width} weights + 2) = "
        f"{result.draws * (width + 2):,} evaluations, seed {result.seed}"
    )


def _cells(index: Index) -> list[str]:
    """S1 and ST with their intervals."""
    return [f"{shown(index.s1, 3):.3f} ± {index.s1_conf:.3f}", f"{shown(index.st, 3):.3f} ± {index.st_conf:.3f}"]


def sobol_text(result: GlobalSensitivity) -> str:
    """Per actor, every uncertain weight that moves its balance with its indices, largest ST first."""
    blocks = []
    for actor in result.actors.values():
        lines = [_heading(result, actor), ""]
        if not actor.signals:
            lines.append("no uncertain weight moves the balance")
        else:
            lines.append(_about(result, actor))
            lines.append("")
            rows = [[i.name, i.where, *_cells(i)] for i in actor.signals]
            lines += table(["weight", "defined at", "S1", "ST"], rows, {2, 3})
            lines += ["", f"sum of S1: {shown(sum(i.s1 for i in actor.signals), 3):.3f}; "
                f"sum of ST: {shown(sum(i.st for i in actor.signals), 3):.3f}"]
        blocks.append("\n".join(lines))
    if not blocks:
        return "no events to analyse\n"
    return "\n\n".join(blocks) + f"\n\n{_NOTE}\n"


def sobol_markdown(result: GlobalSensitivity) -> str:
    """The same as markdown tables."""
    blocks = []
    for actor in result.actors.values():
        lines = [f"## {md_text(actor.actor)}", "", md_text(_heading(result, actor)), ""]
        if not actor.signals:
            lines.append("No uncertain weight moves the balance.")
        else:
            lines += [md_text(_about(result, actor)) + ".", "", "| weight | defined at | S1 | ST |", "|---|---|---:|---:|"]
            for i in actor.signals:
                lines.append(f"| {md_code(i.name)} | {md_code(i.where)} | {' | '.join(_cells(i))} |")
        blocks.append("\n".join(lines))
    body = "\n\n".join(blocks) if blocks else "No events to analyse."
    return f"# Global sensitivity\n\n{body}\n\n{md_text(_NOTE)}\n"


def sobol_csv(result: GlobalSensitivity) -> str:
    """One row per actor and weight."""
    header = ["actor", "rule", "axis", "file", "line", "S1", "S1_conf", "ST", "ST_conf"]
    rows: list[list[Cell]] = [
        [actor.actor, i.rule, i.axis, printable(i.file), i.line, i.s1, i.s1_conf, i.st, i.st_conf]
        for actor in result.actors.values()
        for i in actor.signals
    ]
    return csv_table(header, rows)


def sobol_document(result: GlobalSensitivity) -> dict[str, Any]:
    """The JSON document of `sensitivity --global --format json`."""
    return {
        "draws": result.draws,
        "seed": result.seed,
        "balance": {"plus": result.plus, "minus": result.minus},
        "actors": {
            name: {
                "date": actor.date,
                "balance": clean(actor.balance),
                "variance": actor.variance,
                "signals": [
                    {
                        "rule": i.rule,
                        "axis": i.axis,
                        "file": printable(i.file),
                        "line": i.line,
                        "S1": i.s1,
                        "S1_conf": i.s1_conf,
                        "ST": i.st,
                        "ST_conf": i.st_conf,
                    }
                    for i in actor.signals
                ],
            }
            for name, actor in result.actors.items()
        },
    }
