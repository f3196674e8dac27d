"""Bands (`score --bands`): the draws of the ranged weights, checked against rescoring and against the variance
the unit contributions give."""

from __future__ import annotations

import re
import subprocess
import sys
import tempfile
from collections.abc import Callable
from pathlib import Path

import numpy as np
import pytest
from conftest import Run, write
from hypothesis import given, settings
from uncertain_cases import Case, balance_signals, cases, drawn_balances, matched_of, unit_balances

from scorer.analysis.bands import bands
from scorer.analysis.uncertain import draw, ranged_signals
from scorer.api import load_pack, read_events, score
from scorer.pack.load import load_rules
from scorer.scoring.score import rescore

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "kazakhstan-2009.yaml"


@settings(max_examples=30, deadline=None)
@given(case=cases(uncertainty=0.0))
def test_zero_width_ranges_give_the_point_estimate(case: Case) -> None:
    exact = {(k, axis): (w, w) for k, signals in enumerate(case.signals) for axis, w in signals.items()}
    with tempfile.TemporaryDirectory() as folder:
        events, pack = case.load(Path(folder), ranges=exact)
    result = rescore(matched_of(events, pack), pack)
    found = bands(result, draws=50, seed=1)
    assert found.ranged == ()
    for name, actor in result.actors.items():
        band = found.actors[name]
        assert (band.timeline == actor.columns.balance[:, None]).all()
        final = actor.final
        assert band.balance.p05 == band.balance.p50 == band.balance.p95 == final.balance
        assert band.lean.p05 == band.lean.p95 == final.lean
        assert band.p_plus == (1.0 if final.balance > 0 else 0.0)
        assert band.sd == 0


@pytest.mark.slow
@settings(max_examples=25, deadline=None)
@given(case=cases(uncertainty=0.5))
def test_bands_are_the_percentiles_of_the_draws_rescored(case: Case) -> None:
    with tempfile.TemporaryDirectory() as folder:
        events, pack = case.load(Path(folder))
    matched = matched_of(events, pack)
    result = rescore(matched, pack)
    found = bands(result, draws=40, seed=7)
    drawn = draw(pack, 40, 7)
    names = [(s.rule_id, s.axis) for s in drawn.ranged]
    weights = drawn.change + np.array([s.weight for s in drawn.ranged])
    scores = drawn_balances(matched, pack, weights, names)
    for name in result.actors:
        rows = np.array([s.actors[name].columns.balance for s in scores])  # draws × timeline rows
        scale = 1 + np.abs(rows).max()
        expected = np.percentile(rows, [5, 50, 95], axis=0).T
        assert np.allclose(found.actors[name].timeline, expected, rtol=0, atol=1e-5 * scale)
        finals = np.array([s.actors[name].final.balance for s in scores])
        band = found.actors[name]
        assert [band.balance.p05, band.balance.p50, band.balance.p95] == pytest.approx(
            np.percentile(finals, [5, 50, 95]).tolist(), abs=1e-9 * scale
        )
        assert band.p_plus == np.mean(finals > 0)
        leans = np.array([s.actors[name].final.lean for s in scores])
        assert band.lean.p95 == pytest.approx(float(np.percentile(leans, 95)), abs=1e-9)


@settings(max_examples=15, deadline=None)
@given(case=cases(decay=True, min_events=3, uncertainty=0.0))
def test_the_spread_of_the_draws_is_the_variance_of_the_unit_contributions(case: Case) -> None:
    # Known ranges: every signal on a pole gets [w - 1, w + 2], so a draw's change is uniform on [-1, 2].
    known = {(k, axis): (w - 1.0, w + 2.0) for k, signals in enumerate(case.signals) for axis, w in signals.items()}
    with tempfile.TemporaryDirectory() as folder:
        events, pack = case.load(Path(folder), ranges=known)
    matched = matched_of(events, pack)
    result = rescore(matched, pack)
    units = unit_balances(matched, pack)
    found = bands(result, draws=20_000, seed=3)
    for name, actor in result.actors.items():
        per_signal = np.array([units[s].actors[name].final.balance for s in balance_signals(pack)])
        variance = float(np.sum(per_signal**2)) * 3.0**2 / 12
        band = found.actors[name]
        if variance == 0:
            assert band.sd == 0
            continue
        # The variance of 20,000 draws is within a few per cent of the exact one.
        assert band.sd**2 == pytest.approx(variance, rel=0.06)
        assert band.balance.p50 == pytest.approx(actor.final.balance + 0.5 * per_signal.sum(), abs=0.06 * band.sd + 1e-9)


def test_one_ranged_weight_gives_the_percentiles_of_a_uniform(tmp_path: Path) -> None:
    pack = write(
        tmp_path,
        "pack.yaml",
        """\
        scoring: {axes: [nato, russia], balance: {plus: nato, minus: russia}}
        rules:
          - {id: join, when: {type: a}, signals: {nato: {weight: 2, range: [1, 5]}}}
          - {id: buy, when: {type: b}, signals: {russia: 1}}
        """,
    )
    events = write(tmp_path, "e.yaml", "- {id: x, date: 2009, actor: KAZ, type: a, intensity: 2}\n- {id: y, date: 2010, actor: KAZ, type: b}\n")
    result = score(read_events(str(events)), load_pack(str(pack)))
    band = bands(result, draws=100_000, seed=0).actors["KAZ"]
    # balance = 2 * w - 1 with w uniform on [1, 5]: its p05, p50 and p95 are 2 * (1.2, 3, 4.8) - 1.
    assert [band.balance.p05, band.balance.p50, band.balance.p95] == pytest.approx([1.4, 5.0, 8.6], abs=0.05)
    assert band.p_plus == 1.0
    assert band.timeline[0].tolist() == pytest.approx([2.4, 6.0, 9.6], abs=0.05)


def test_ranged_signals_leave_out_other_axes_and_exact_weights(tmp_path: Path) -> None:
    case = Case([{"nato": 1.0, "china": 2.0}, {"russia": 0.0}], [], None, 0.2)
    (tmp_path / "pack.yaml").write_text(case.pack_text())
    found = ranged_signals(load_rules(tmp_path / "pack.yaml"))
    assert [(s.name, lo, hi) for s, lo, hi in found] == [("r0.nato", 0.8, 1.2)]


# --- the command ----------------------------------------------------------------


def test_score_bands_text_json_and_seed(cli: Callable[..., Run]) -> None:
    text = cli("score", FIXTURE, "--bands").out
    line = text.splitlines()[1]
    assert re.fullmatch(r"balance \+0\.21 \[-\d\.\d\d, \+\d\.\d\d\] 90%; toward nato in \d+% of draws", line), line
    first = cli("score", FIXTURE, "--bands", "--format", "json", "--seed", "5")
    again = cli("score", FIXTURE, "--bands", "--format", "json", "--seed", "5")
    other = cli("score", FIXTURE, "--bands", "--format", "json", "--seed", "6")
    assert first.out == again.out != other.out
    document = first.json()
    assert document["bands"] == {"draws": 1000, "seed": 5, "weights": 71}
    kaz = document["actors"]["KAZ"]
    final = kaz["final"]["bands"]
    assert set(final) == {"balance", "lean", "p_plus"}
    assert set(final["balance"]) == set(final["lean"]) == {"p05", "p50", "p95"}
    assert final["balance"]["p05"] < kaz["final"]["balance"] < final["balance"]["p95"]
    assert all(set(row["bands"]) == {"balance"} for row in kaz["timeline"])
    plain = cli("score", FIXTURE, "--format", "json").json()
    assert "bands" not in plain and "bands" not in plain["actors"]["KAZ"]["final"]


def test_score_bands_csv_and_markdown(cli: Callable[..., Run]) -> None:
    csv = cli("score", FIXTURE, "--bands", "--draws", "200", "--format", "csv", "--every", "year").out.splitlines()
    assert csv[0].endswith("balance,balance_p05,balance_p50,balance_p95,lean")
    markdown = cli("score", FIXTURE, "--bands", "--draws", "200", "--format", "markdown").out
    assert "| balance | 5% | 95% | lean |" in markdown and "toward nato in" in markdown


@pytest.mark.parametrize(
    ("argv", "words"),
    [
        (["score", "--draws", "10"], "--draws and --seed apply only with --bands"),
        (["score", "--bands", "--draws", "0"], "draws must be from 1"),
        (["score", "--bands", "--seed", "-1"], "--seed must be 0 or more"),
        (["plot", "--bands", "--chart", "waterfall", "--output", "x.png"], "--bands shades the timeline and the ranking only"),
    ],
)
def test_bad_draw_options_are_refused(cli: Callable[..., Run], argv: list[str], words: str) -> None:
    run = cli(argv[0], FIXTURE, *argv[1:])
    assert run.code == 2 and words in run.err and run.out == ""


@pytest.mark.slow
def test_explain_says_how_robust_the_sign_is(cli: Callable[..., Run], tmp_path: Path) -> None:
    text = cli("explain", FIXTURE, "--bands", "--draws", "300").out
    assert "KAZ: The balance leans toward" in text and "its sign is not robust" in text
    assert "Most of its spread comes from arms-acquire-russia-bloc.russia" in text
    assert "How sure" not in cli("explain", FIXTURE).out
    page = tmp_path / "report.html"
    kaz = ("--actor", "KAZ", "--bands", "--draws", "300")
    assert cli("explain", FIXTURE, *kaz, "--format", "html", "--output", page).code == 0
    html = page.read_text()
    assert "balance, 90% of draws" in html and "Global sensitivity" in html and "its sign is not robust" in html
    chart = tmp_path / "band.svg"
    assert cli("plot", FIXTURE, *kaz, "--output", chart).code == 0
    assert "balance, 90% of draws" in chart.read_text()


def test_the_ranking_of_several_actors_shows_their_bands(cli: Callable[..., Run], tmp_path: Path) -> None:
    """Several actors are ranked (chart and HTML page): each balance gets its 90% band and its sign's verdict."""
    chart, plain = tmp_path / "ranking.svg", tmp_path / "plain.svg"
    assert cli("plot", FIXTURE, "--bands", "--draws", "300", "--output", chart).code == 0
    assert cli("plot", FIXTURE, "--output", plain).code == 0
    assert "balance, 90% of draws" in chart.read_text() and "90% of draws" not in plain.read_text()
    ranking = tmp_path / "ranking.pdf"
    assert cli("plot", FIXTURE, "--actor", "KAZ", "--chart", "ranking", "--bands", "--draws", "300", "--output", ranking).code == 0
    assert ranking.read_bytes().startswith(b"%PDF")
    page = tmp_path / "ranking.html"
    assert cli("explain", FIXTURE, "--bands", "--draws", "300", "--format", "html", "--output", page).code == 0
    html = page.read_text()
    assert "Alignment ranking" in html and "<th class='num'>90% of draws</th>" in html
    assert "KAZ</span>: The balance leans toward" in html and "its sign is not robust" in html


@pytest.mark.slow
def test_plain_commands_load_neither_scipy_nor_salib() -> None:
    """SALib brings scipy and pandas (a large part of a second to import): only --bands and --global pay for them."""
    probe = f"""
import sys, io, contextlib
from scorer.cli import main
with contextlib.redirect_stdout(io.StringIO()):
    assert main(["score", {str(FIXTURE)!r}, "--format", "json"]) == 0
    assert main(["sensitivity", {str(FIXTURE)!r}]) == 0
loaded = [m for m in ("scipy", "SALib", "pandas") if m in sys.modules]
assert not loaded, loaded
with contextlib.redirect_stdout(io.StringIO()):
    assert main(["score", {str(FIXTURE)!r}, "--bands", "--draws", "10"]) == 0
assert "scipy" in sys.modules and "SALib" not in sys.modules
"""
    done = subprocess.run([sys.executable, "-c", probe], capture_output=True, timeout=120, check=False)
    assert done.returncode == 0, done.stderr.decode()
