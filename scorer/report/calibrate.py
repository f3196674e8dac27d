"""Calibration (`scorer calibrate`) as text, markdown, CSV and JSON."""

from __future__ import annotations

from typing import Any

from scorer.analysis.calibrate import Agreement, Calibration, Statistics
from scorer.problems import printable
from scorer.report.csv import Cell, csv_table
from scorer.report.format import md_code, md_text, signed, table

_ROWS = (
    ("before (the pack's weights), in sample", "before", "in_sample"),
    ("after (the suggested weights), in sample", "after", "in_sample"),
    ("before, leaving one actor out", "before", "leave_one_actor_out"),
    ("after, leaving one actor out", "after", "leave_one_actor_out"),
)


def _number(value: float | None) -> str:
    """A correlation, or `-` where there is none."""
    return "-" if value is None else signed(value)


def _agreement(result: Calibration, side: str, kind: str) -> Agreement | None:
    """One row of the agreement table."""
    found: Agreement | None = getattr(getattr(result, side), kind)
    return found


def _head(result: Calibration) -> list[str]:
    """What was fitted to what."""
    actors = sorted({t.actor for t in result.used})
    return [
        f"Calibration against {printable(result.targets.file)} ({result.targets.what})",
        f"{len(result.used)} targets of {len(actors)} actor(s) that the events cover "
        f"(of {len(result.targets.rows)} in the file): {', '.join(actors)}; ridge {result.ridge:g}",
        f"The pack as it is: value ≈ a + c × balance with c = {result.slope:+.4g}; "
        f"the fitted weights are brought back to the pack's scale (× {result.scale:.4g}).",
    ]


def _weight_rows(result: Calibration) -> list[list[str]]:
    """Each seen weight: now, suggested, change."""
    return [
        [w.signal.name, w.where, signed(w.signal.weight), signed(w.suggested), signed(w.suggested - w.signal.weight)]
        for w in result.weights
        if w.seen and w.free
    ]


def _unseen(result: Calibration) -> list[str]:
    """The weights no target date sees."""
    return [f"{w.signal.name} ({w.where})" for w in result.weights if not w.seen]


def calibration_text(result: Calibration) -> str:
    """The fit, the agreement before and after, and the suggested weights beside the current ones."""
    lines = _head(result) + [""]
    rows = []
    for label, side, kind in _ROWS:
        found = _agreement(result, side, kind)
        rows.append([label, _number(found.spearman if found else None), _number(found.pearson if found else None)])
    lines += table(["agreement of the balance with the target", "Spearman", "Pearson"], rows, {1, 2})
    lines.append("")
    lines += table(["weight", "defined at", "now", "suggested", "change"], _weight_rows(result), {2, 3, 4})
    unseen = _unseen(result)
    lines += ["", "No target date sees (kept as they are): " + (", ".join(unseen) if unseen else "none")]
    return "\n".join(lines) + "\n"


def calibration_markdown(result: Calibration) -> str:
    """The same in markdown."""
    lines = ["# Calibration", ""] + [md_text(line) + "\n" for line in _head(result)]
    lines += ["| agreement of the balance with the target | Spearman | Pearson |", "|---|---:|---:|"]
    for label, side, kind in _ROWS:
        found = _agreement(result, side, kind)
        lines.append(f"| {label} | {_number(found.spearman if found else None)} | {_number(found.pearson if found else None)} |")
    lines += ["", "| weight | defined at | now | suggested | change |", "|---|---|---:|---:|---:|"]
    for name, where, *numbers in _weight_rows(result):
        lines.append(f"| {md_code(name)} | {md_code(where)} | {' | '.join(numbers)} |")
    unseen = _unseen(result)
    lines += ["", "No target date sees (kept as they are): " + (md_text(", ".join(unseen)) if unseen else "none")]
    return "\n".join(lines) + "\n"


def calibration_csv(result: Calibration) -> str:
    """One row per weight on the balance's poles."""
    header = ["rule", "axis", "file", "line", "weight", "suggested", "seen"]
    rows: list[list[Cell]] = [[w.signal.rule_id, w.signal.axis, printable(w.file), w.line, w.signal.weight, w.suggested, w.seen] for w in result.weights]
    return csv_table(header, rows)


def _statistics(stats: Statistics) -> dict[str, Any]:
    """Agreement in sample and leaving one actor out, as JSON."""

    def pair(found: Agreement | None) -> dict[str, float | None] | None:
        """Spearman and Pearson, or null."""
        return None if found is None else {"spearman": found.spearman, "pearson": found.pearson}

    return {"in_sample": pair(stats.in_sample), "leave_one_actor_out": pair(stats.leave_one_actor_out)}


def calibration_document(result: Calibration) -> dict[str, Any]:
    """The JSON document of `calibrate --format json`."""
    return {
        "target": {
            "file": printable(result.targets.file),
            "value": result.targets.what,
            "rows": len(result.targets.rows),
            "used": len(result.used),
            "actors": sorted({t.actor for t in result.used}),
        },
        "ridge": result.ridge,
        "intercept": result.intercept,
        "slope": result.slope,
        "scale": result.scale,
        "statistics": {"before": _statistics(result.before), "after": _statistics(result.after)},
        "weights": [
            {
                "rule": w.signal.rule_id,
                "axis": w.signal.axis,
                "file": printable(w.file),
                "line": w.line,
                "weight": w.signal.weight,
                "suggested": w.suggested,
                "seen": w.seen,
                "fitted": w.free,
            }
            for w in result.weights
        ],
        "unseen": [w.signal.name for w in result.weights if not w.seen],
    }
