"""Numbers as reports print them: never `-0.00`, and a table's last cumulative equal to the total it leads to."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from conftest import Run, write

from scorer.report.format import signed

Cli = Callable[..., Run]


def test_nothing_prints_as_minus_zero() -> None:
    assert signed(-0.0) == "+0.00"
    assert signed(-0.001) == "+0.00"
    assert signed(-1e-17) == "+0.00"
    assert signed(-0.005 - 1e-15) == "-0.01"


def test_float_noise_does_not_change_the_printed_digits() -> None:
    # 1.515 + 0.265 + 0.815 in this order is 2.5949999...; in another, 2.595.
    assert signed(1.515 + 0.265 + 0.815) == signed(1.515 + 0.815 + 0.265)


def test_the_last_cumulative_is_the_final_balance_as_printed(tmp_path: Path, cli: Cli) -> None:
    write(
        tmp_path,
        "rules.yaml",
        """\
        rules:
          - {id: a, when: {type: a.x}, signals: {nato: 1.515}}
          - {id: b, when: {type: b.x}, signals: {nato: 0.265}}
          - {id: c, when: {type: c.x}, signals: {nato: 0.815}}
        """,
    )
    write(
        tmp_path,
        "events.yaml",
        """\
        defaults: {actor: KAZ, partner: NATO}
        events:
          - {id: e1, date: 2009-01-01, type: a.x}
          - {id: e2, date: 2009-01-02, type: b.x}
          - {id: e3, date: 2009-01-03, type: c.x}
        """,
    )
    run = cli("explain", tmp_path / "events.yaml", "--rules", tmp_path / "rules.yaml")
    assert run.code == 0, run.err
    lines = run.out.splitlines()
    final = [line for line in lines if "= final balance" in line]
    assert final
    for at, line in enumerate(lines):
        if "= final balance" in line:
            last_cumulative = lines[at - 1].split()[-1]
            assert last_cumulative == line.split()[-1], "\n".join(lines[at - 4 : at + 1])
