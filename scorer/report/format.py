"""What every rendering shares: signed numbers, aligned tables, terminal colour, markdown escaping, "N others".

Every line of a report that names a rule names where it is defined.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import PurePath
from typing import Literal

from scorer import __version__
from scorer.problems import printable
from scorer.scoring.actor import ActorScore, Before, Match, Share
from scorer.scoring.score import Score

Chart = Literal["timeline", "waterfall", "tornado", "ranking", "sobol"]
CHARTS: tuple[Chart, ...] = ("timeline", "waterfall", "tornado", "ranking", "sobol")
ChartFormat = Literal["svg", "png", "pdf"]
CHART_FORMATS: tuple[ChartFormat, ...] = ("png", "svg", "pdf")

# One palette by pole for the terminal, the HTML report and the charts: the blue and
# the orange (vermillion) of Okabe and Ito's colour-blind-safe set, which readers
# with any of the common colour-vision deficiencies tell apart (red and green they
# may not). Blue moves the balance toward the plus pole, orange toward the minus pole.
PLUS_COLOR = "#0072B2"
MINUS_COLOR = "#D55E00"
PLUS_NAME, MINUS_NAME = "blue", "orange"
# The nearest colours of a 256-colour terminal.
_PLUS_ANSI, _MINUS_ANSI = "38;5;32", "38;5;166"


def toward(axis: str, plus: str, minus: str) -> float:
    """+1 for the plus pole's axis, -1 for the minus pole's, 0 for any other: how a value on it moves the balance."""
    return 1.0 if axis == plus else -1.0 if axis == minus else 0.0


@dataclass(frozen=True)
class Caption:
    """What a chart that stands alone says it was made from: the event files and the pack."""

    sources: tuple[str, ...] = ()
    pack: str = ""

    def text(self, date: str | None) -> str:
        """`Data: events.yaml · Rules: the bundled pack · balance on 2009-05-07 · scorer 0.1.0`."""
        parts = []
        if self.sources:
            names = [printable(PurePath(s).name) if s != "-" else "standard input" for s in self.sources]
            parts.append("Data: " + (", ".join(names) if len(names) <= 3 else f"{names[0]} and {len(names) - 1} more files"))
        if self.pack:
            parts.append(f"Rules: {self.pack}")
        if date:
            parts.append(f"balance on {date}")
        parts.append(f"scorer {__version__}")
        return " · ".join(parts)


def after_text(before: Sequence[Before]) -> str:
    """The earlier events a sequence rule needed, as `after ID (N days before), ...`."""
    return "after " + ", ".join(f"{b.event} ({b.days} day{'' if b.days == 1 else 's'} before)" for b in before)


def contexts(matches: Sequence[Match]) -> list[tuple[str, str]]:
    """Each sequence rule among the matches that names earlier events, once, with `after_text` of them."""
    found: dict[str, str] = {}
    for m in matches:
        if m.after and m.rule not in found:
            found[m.rule] = after_text(m.after)
    return list(found.items())


def clean(value: float) -> float:
    """-0.0 prints as 0.0: an analyst reads no sign into nothing."""
    return value + 0.0



@dataclass(frozen=True)
class Palette:
    """ANSI colour by pole (blue toward the plus pole, orange toward the minus pole), only where the
    output is a terminal and NO_COLOR is unset."""

    enabled: bool = False

    def signed(self, value: float, text: str) -> str:
        """`text` coloured by the way `value` moves the balance: above 0 toward the plus pole."""
        if not self.enabled or clean(value) == 0:
            return text
        return f"\033[{_PLUS_ANSI if value > 0 else _MINUS_ANSI}m{text}\033[0m"

    def legend(self, plus: str, minus: str) -> str:
        """`[nato +, russia -]`, each pole in its colour: the key to every coloured number."""
        return f"[{self.signed(1.0, plus + ' +')}, {self.signed(-1.0, minus + ' -')}]"

    def bold(self, text: str) -> str:
        """`text` in bold."""
        return f"\033[1m{text}\033[0m" if self.enabled else text


def shown(value: float, places: int) -> float:
    """`value` as a report shows it: rounded to 12 significant digits (no float noise), then to `places`.

    Two sums of the same numbers taken in another order can differ in their
    last bits (1.4749999... and 1.4750000...); rounded first to 12 digits,
    both show the same. A value that rounds to nothing is 0, never -0.
    """
    return clean(round(float(f"{value:.12g}"), places))


def signed(value: float, places: int = 2) -> str:
    """`+1.25`, `-0.50`: every number shown with its sign, and nothing shown as `-0.00`."""
    return f"{shown(value, places):+.{places}f}"


def table(
    headers: list[str],
    rows: list[list[str]],
    right: set[int],
    palette: Palette | None = None,
    values: list[list[float | None]] | None = None,
) -> list[str]:
    """Aligned columns; `right` holds the indices of numeric columns."""
    widths = [max([len(h)] + [len(r[i]) for r in rows]) for i, h in enumerate(headers)]

    def fit(cells: list[str], nums: list[float | None] | None) -> str:
        """One row, padded and coloured."""
        out = []
        for i, cell in enumerate(cells):
            padded = cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            if palette and nums and nums[i] is not None:
                padded = palette.signed(nums[i] or 0.0, padded)
            out.append(padded)
        return "  ".join(out).rstrip()

    lines = [fit(headers, None), "  ".join("-" * w for w in widths)]
    for index, cells in enumerate(rows):
        lines.append(fit(cells, values[index] if values else None))
    return lines



def heading(score: Score, name: str, actor: ActorScore, palette: Palette | None = None) -> str:
    """`KAZ: balance +0.04 (lean +0.00) on 2009-05-07  [nato +, russia -]` (the poles in their colours)."""
    scoring = score.pack.scoring
    final = actor.final
    return (
        f"{name}: balance {signed(final.balance)} (lean {signed(final.lean)}) on {final.date}"
        f"  {(palette or Palette()).legend(scoring.plus, scoring.minus)}"
    )



def collapse(shares: Sequence[Share], top: int | None) -> tuple[list[Share], Share | None]:
    """The `top` largest shares, and the rest as one "N others" share (None when nothing is left over)."""
    if top is None or len(shares) <= top:
        return list(shares), None
    rest = shares[top:]
    return list(shares[:top]), Share(f"{len(rest)} others", sum(s.share for s in rest))



def md_text(text: str) -> str:
    """Text from input files, made inert in markdown: no HTML, no link or image, no table or line break."""
    return (
        _LINE_BREAKS.sub(" ", text)
        .replace("\\", "\\\\")
        .replace("|", "\\|")
        .replace("<", "&lt;")
        .replace(">", "&gt;")
        .replace("*", "\\*")
        .replace("_", "\\_")
        .replace("`", "\\`")
        .replace("[", "\\[")
        .replace("]", "\\]")
    )


# What may end a line in markdown, or in a reader of it.
_LINE_BREAKS = re.compile("\r\n|[\r\n\v\f\x85\u2028\u2029]")



def md_code(text: str) -> str:
    """Text from input files as a markdown code span, whatever backticks it holds."""
    text = " ".join(_LINE_BREAKS.sub(" ", text).split())
    longest = max((len(run) for run in re.findall(r"`+", text)), default=0)
    fence = "`" * (longest + 1)
    pad = " " if text.startswith("`") or text.endswith("`") else ""
    return f"{fence}{pad}{text}{pad}{fence}".replace("|", "\\|")


def md_alt(text: str) -> str:
    """Text for an image's alt text: inert, and no bracket that would end it (md_text escapes them)."""
    return md_text(text)


# What makes a spreadsheet read a cell as a formula (or, for tab and carriage return, as more cells).
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def csv_text(text: str) -> str:
    """Text from input files for a CSV cell: one a spreadsheet would run as a formula is prefixed with an
    apostrophe, as spreadsheet-safe CSV writers do (numbers are written apart and never prefixed)."""
    return "'" + text if text.startswith(_FORMULA_START) else text
