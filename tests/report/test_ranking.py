"""Many actors at a glance: the ranking in text, plot and HTML, what no rule matched by type, and --partner."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest
from conftest import Run, write

from scorer.io.load import read_events
from scorer.model import Event, EventSet
from scorer.pack.load import load_rules
from scorer.report.bars import ranking_chart
from scorer.report.format import Palette
from scorer.report.ranking import standings, unmatched_types
from scorer.report.text import timeline_text
from scorer.scoring.score import score

REAL = Path(__file__).resolve().parents[3] / "shared" / "data" / "gdelt" / "gdelt1-georgia-2012-08.export.tsv"
needs_real = pytest.mark.skipif(not REAL.exists(), reason="the shared GDELT sample is not beside this checkout")

RULES = """\
scoring: {axes: [west, russia], balance: {plus: west, minus: russia}}
sets: {west: [USA, NATO], russia_bloc: [RUS]}
rules:
  - id: visit-west
    when: {type: [cameo.042, cameo.043], partner: {in_set: west}}
    signals: {west: 1}
  - id: visit-russia
    when: {type: [cameo.042, cameo.043], partner: {in_set: russia_bloc}}
    signals: {russia: 1}
  - id: fight-russia
    when: {type: cameo.190, partner: {in_set: russia_bloc}}
    signals: {russia: -2}
"""

EVENTS = """\
events:
  - {id: "101", date: 2012-08-01, actor: GEO, type: cameo.042, partner: USA, intensity: 2}
  - {id: "102", date: 2012-08-02, actor: GEO, type: cameo.010, partner: USA}
  - {id: "103", date: 2012-08-03, actor: GEO, type: cameo.042, partner: FRA}
  - {id: "201", date: 2012-08-04, actor: ARM, type: cameo.043, partner: RUS, intensity: 3}
  - {id: "301", date: 2012-08-05, actor: AZE, type: cameo.010, partner: TUR}
  - {id: "401", date: 2012-08-06, actor: UKR, type: cameo.190, partner: RUS}
  - {id: "402", date: 2012-08-07, actor: UKR, type: cameo.043, partner: RUS}
"""


@pytest.fixture()
def case(tmp_path: Path) -> tuple[Path, Path]:
    return write(tmp_path, "events.yaml", EVENTS), write(tmp_path, "rules.yaml", RULES)


def test_actors_are_ranked_by_balance_and_unmatched_types_say_why(case: tuple[Path, Path]) -> None:
    events, rules = case
    result = score(read_events([str(events)]), load_rules(rules))
    ranked = standings(result)
    # Most toward the plus pole first, most toward the minus pole last; ties by actor code.
    assert [(row.actor, row.balance) for row in ranked] == [("GEO", 2.0), ("UKR", 1.0), ("AZE", 0.0), ("ARM", -3.0)]
    assert ranked[0].name == "Georgia" and ranked[0].events == 3 and ranked[0].unmatched == 2
    kinds = {kind.type: kind for kind in unmatched_types(result)}
    assert kinds["cameo.010"].events == 2 and kinds["cameo.010"].why == "no rule tests this type"
    assert kinds["cameo.042"].what == "042 Make a visit" and "partner" in kinds["cameo.042"].why


def test_text_of_many_actors_is_the_ranking_and_one_actor_its_timeline(
    cli: Callable[..., Run], case: tuple[Path, Path]
) -> None:
    events, rules = case
    out = cli("score", events, "--rules", rules).out
    lines = out.splitlines()
    assert lines[0].startswith("4 actors, 7 events from 2012-08-01 to 2012-08-07, ranked by balance")
    table = [line.split()[0] for line in lines[4:7]]
    assert table == ["GEO", "UKR", "ARM"]  # AZE matched nothing: listed on one line, not in the table
    assert "no rule matched any event of 1 actors (events): AZE (1)" in out
    assert re.search(r"2 +010 Make statement, not specified below +no rule tests this type", out)
    assert "--actor CODE" in out
    single = cli("score", events, "--rules", rules, "--actor", "GEO").out
    assert "what happened" in single and "-> USA 042 Make a visit" in single
    assert "ranked by balance" not in single


def test_the_terminal_colours_numbers_by_pole(case: tuple[Path, Path]) -> None:
    events, rules = case
    result = score(read_events([str(events)]), load_rules(rules), actor="ARM")
    text = timeline_text(result, Palette(enabled=True))
    # ARM's russia total +3 moves the balance toward the minus pole: orange, as the balance -3 is.
    assert re.search(r"\033\[38;5;166m *\+3\.00\033\[0m", text) and re.search(r"\033\[38;5;166m *-3\.00\033", text)
    assert "\033[32m" not in text and "\033[31m" not in text  # no green or red


def test_partner_keeps_the_events_toward_one_partner(cli: Callable[..., Run], case: tuple[Path, Path]) -> None:
    events, rules = case
    document = cli("score", events, "--rules", rules, "--partner", "RUS", "--format", "json").json()
    assert sorted(document["actors"]) == ["ARM", "UKR"]
    wrong = cli("score", events, "--rules", rules, "--partner", "rus")
    assert wrong.code == 2
    assert "no event has partner 'rus' (did you mean 'RUS'?); partners: FRA, RUS, TUR, USA" in wrong.err


def test_plot_of_many_actors_is_their_ranking(cli: Callable[..., Run], case: tuple[Path, Path], tmp_path: Path) -> None:
    events, rules = case
    ranking = tmp_path / "ranking.png"
    assert cli("plot", events, "--rules", rules, "--output", ranking).code == 0
    explicit = tmp_path / "explicit.png"
    assert cli("plot", events, "--rules", rules, "--chart", "ranking", "--output", explicit).code == 0
    assert ranking.read_bytes() == explicit.read_bytes()
    refused = cli("plot", events, "--rules", rules, "--chart", "waterfall", "--output", tmp_path / "w.png")
    assert refused.code == 2 and "add --actor CODE (actors: ARM, AZE, GEO, UKR)" in refused.err
    assert not (tmp_path / "w.png").exists()


def test_html_of_many_actors_is_their_ranking(cli: Callable[..., Run], case: tuple[Path, Path], tmp_path: Path) -> None:
    events, rules = case
    page = tmp_path / "all.html"
    assert cli("explain", events, "--rules", rules, "--format", "html", "--output", page).code == 0
    text = page.read_text()
    assert "<h1>Alignment ranking: 4 actors</h1>" in text and "--actor CODE --format html" in text
    assert "010 Make statement, not specified below" in text
    assert text.count("<svg") == 1


@needs_real
def test_the_gdelt_sample_fits_one_screen_and_names_what_happened(cli: Callable[..., Run]) -> None:
    run = cli("score", REAL, "--rules", "cameo")
    assert run.code == 0
    screen = run.out.splitlines() + run.err.splitlines()
    assert len(screen) <= 52
    assert "GEO     Georgia" in run.out and "042 Make a visit" in run.out
    assert not re.search(r"\b2\d{8}\b", run.out)  # no bare GLOBALEVENTID


@pytest.mark.slow
@needs_real
def test_the_gdelt_sample_makes_small_charts_and_pages(cli: Callable[..., Run], tmp_path: Path) -> None:
    chart, page = tmp_path / "all.png", tmp_path / "all.html"
    assert cli("plot", REAL, "--rules", "cameo", "--output", chart).code == 0
    width, height = _png_size(chart.read_bytes())
    assert width == 1575 and height < 2000
    assert cli("explain", REAL, "--rules", "cameo", "--format", "html", "--output", page).code == 0
    assert page.stat().st_size < 500_000


def _png_size(data: bytes) -> tuple[int, int]:
    return int.from_bytes(data[16:20], "big"), int.from_bytes(data[20:24], "big")


def test_a_long_ranking_shows_its_ends(case: tuple[Path, Path]) -> None:
    _, rules = case
    events = EventSet.of(
        [
            Event(id=str(i), date="2012-08-01", actor=f"A{i:02d}", type="cameo.042", partner="USA", intensity=i + 1)
            for i in range(50)
        ]
    )
    result = score(events, load_rules(rules))
    text = timeline_text(result, Palette())
    assert text.startswith("50 actors, 50 events")
    assert "... 10 actors from +30.00 to +21.00 ..." in text
    assert "A49 " in text and "A00 " in text and "A25 " not in text
    assert ranking_chart(result, "png").startswith(b"\x89PNG")
