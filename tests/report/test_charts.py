"""Charts and the waterfall: rows that add up, files that are what they claim, and no global matplotlib state."""

from __future__ import annotations

from pathlib import Path

import matplotlib
import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from scorer.cli import main
from scorer.model import Event, EventSet
from scorer.pack import model as packs
from scorer.pack.model import All, Rule, RulePack, Scoring
from scorer.report.charts import draw_timeline, place_labels, plot, report_charts, series, timeline_chart
from scorer.report.explanation import waterfall
from scorer.report.figure import new_figure, style
from scorer.report.format import Caption
from scorer.scoring.actor import Share
from scorer.scoring.score import score

TYPES = ("exercise.join", "arms.acquire", "diplomacy.meeting")
PARTNERS = ("NATO", "RUS", "CHN")
AXES = ("nato", "russia", "china")


def make_pack(rules: list[tuple[str, str | None, dict[str, float]]], half_life: float | None = None) -> RulePack:
    built = []
    for i, (kind, partner, signals) in enumerate(rules):
        tests: list[packs.Condition] = [packs.Test("type", "eq", kind)]
        if partner is not None:
            tests.append(packs.Test("partner", "eq", partner))
        built.append(Rule(f"r{i}", "", All(tuple(tests)), signals, True, (), "pack.yaml", 10 * i + 1))
    return RulePack(Scoring(AXES, "nato", "russia", half_life), {}, tuple(built))


weights = st.floats(min_value=-5, max_value=5, allow_nan=False, allow_infinity=False)
rule_specs = st.tuples(
    st.sampled_from(TYPES),
    st.one_of(st.none(), st.sampled_from(PARTNERS)),
    st.dictionaries(st.sampled_from(AXES), weights, min_size=1, max_size=3),
)
event_specs = st.tuples(
    st.sampled_from(("KAZ", "UZB")),
    st.integers(min_value=0, max_value=3000),
    st.sampled_from(TYPES),
    st.sampled_from(PARTNERS),
    st.floats(min_value=0, max_value=3, allow_nan=False),
    st.floats(min_value=0, max_value=1, allow_nan=False),
)


def make_events(specs: list[tuple[str, int, str, str, float, float]]) -> EventSet:
    events = []
    for i, (actor, day, kind, partner, intensity, confidence) in enumerate(specs):
        date = np.datetime64("2000-01-01") + np.timedelta64(day, "D")
        events.append(
            Event(
                id=f"e{i}",
                date=str(date),
                actor=actor,
                type=kind,
                partner=partner,
                intensity=intensity,
                confidence=confidence,
            )
        )
    return EventSet.of(events)


def assert_adds_up(shares: tuple[Share, ...], final: float, top: int) -> None:
    bars = waterfall(shares, final, top)
    total = bars[-1]
    assert total.kind == "total" and total.start == 0.0 and total.end == final
    rows = bars[:-1]
    assert len([b for b in rows if b.kind == "driver"]) == min(top, len(shares))
    running = 0.0
    for bar in rows:
        assert bar.start == running
        assert bar.end == bar.start + bar.value
        running = bar.end
    scale = max(1.0, sum(abs(s.share) for s in shares))
    assert abs(sum(b.value for b in rows) - final) <= 1e-9 * scale
    assert abs(running - final) <= 1e-9 * scale


@settings(max_examples=100, deadline=None)
@given(
    st.lists(rule_specs, min_size=1, max_size=4),
    st.lists(event_specs, min_size=0, max_size=12),
    st.one_of(st.none(), st.floats(min_value=1, max_value=2000)),
    st.integers(min_value=0, max_value=6),
)
def test_waterfall_rows_add_up_to_the_final_balance(
    rules: list[tuple[str, str | None, dict[str, float]]],
    events: list[tuple[str, int, str, str, float, float]],
    half_life: float | None,
    top: int,
) -> None:
    result = score(make_events(events), make_pack(rules, half_life))
    for actor in result.actors.values():
        final = actor.final.balance
        assert_adds_up(actor.event_drivers, final, top)
        assert_adds_up(actor.rule_drivers, final, top)


def test_waterfall_collapses_the_rest_into_others() -> None:
    shares = (Share("a", 3.0), Share("b", -2.0), Share("c", 0.5), Share("d", 0.25))
    bars = waterfall(shares, 1.75, 2, {"a": "pack.yaml:3"})
    assert [(b.label, b.kind) for b in bars] == [
        ("a", "driver"),
        ("b", "driver"),
        ("2 others", "others"),
        ("final balance", "total"),
    ]
    assert bars[0].where == "pack.yaml:3"
    assert bars[2].value == 0.75 and bars[2].end == 1.75


def test_series_holds_without_decay_and_halves_with_it() -> None:
    days = np.array([0.0, 10.0])
    totals = np.array([[2.0], [3.0]])
    x, y = series(days, totals, None, 20, 1)
    assert x.tolist() == [0.0, 10.0, 10.0, 20.0]
    assert y[:, 0].tolist() == [2.0, 2.0, 3.0, 3.0]
    x, y = series(days, totals, 10.0, 20, 2)
    assert x.tolist() == [0.0, 5.0, 10.0, 10.0, 15.0, 20.0]
    assert y[:, 0] == pytest.approx([2.0, 2.0 * 0.5**0.5, 1.0, 3.0, 3.0 * 0.5**0.5, 1.5])


@pytest.fixture(scope="module")
def kazakhstan_like() -> tuple[EventSet, RulePack]:
    pack = make_pack(
        [("exercise.join", "NATO", {"nato": 1.5}), ("arms.acquire", "RUS", {"russia": 2.0, "nato": -0.25})],
        half_life=365,
    )
    events = EventSet.of(
        [
            Event(id="join", date="2003-05", actor="KAZ", type="exercise.join", partner="NATO", summary="$5 and $6"),
            Event(
                id="buy",
                date="2004",
                actor="KAZ",
                type="arms.acquire",
                partner="RUS",
                summary="<script>alert(1)</script> & co",
            ),
            Event(id="talk", date="2005-02-01", actor="KAZ", type="diplomacy.meeting", partner="CHN"),
        ]
    )
    return events, pack


def test_svg_tooltips_are_escaped_and_dollars_are_not_tex(kazakhstan_like: tuple[EventSet, RulePack]) -> None:
    events, pack = kazakhstan_like
    actor = score(events, pack).actors["KAZ"]
    svg = timeline_chart(actor, pack, "svg", prefix="t", link="row-").decode()
    assert svg.count("<title>") == 3
    assert "&lt;script&gt;alert(1)&lt;/script&gt; &amp; co" in svg
    assert "<script>" not in svg
    assert "$5 and $6" in svg  # shown as written, not parsed as mathematics
    assert "r1 (pack.yaml:11): russia +2.00, nato -0.25" in svg  # a rule in a tooltip says where it is defined
    assert 'xlink:href="#row-2"' in svg and 'target="_blank"' not in svg


@pytest.mark.slow
def test_same_input_same_bytes(kazakhstan_like: tuple[EventSet, RulePack]) -> None:
    events, pack = kazakhstan_like
    result = score(events, pack)
    for fmt in ("svg", "png"):
        first = plot("timeline", result, fmt)
        assert first == plot("timeline", result, fmt)
    assert plot("timeline", result, "png").startswith(b"\x89PNG\r\n\x1a\n")
    assert plot("waterfall", result, "svg").lstrip().startswith(b"<?xml")


def test_charts_leave_matplotlib_settings_alone(kazakhstan_like: tuple[EventSet, RulePack]) -> None:
    events, pack = kazakhstan_like
    before = dict(matplotlib.rcParams)
    with matplotlib.rc_context({"font.size": 17, "svg.fonttype": "none"}):
        plot("waterfall", score(events, pack), "svg")
        assert matplotlib.rcParams["font.size"] == 17 and matplotlib.rcParams["svg.fonttype"] == "none"
    assert dict(matplotlib.rcParams) == before


def test_markdown_report_charts_are_named_after_the_report(kazakhstan_like: tuple[EventSet, RulePack]) -> None:
    events, pack = kazakhstan_like
    files, names = report_charts(score(events, pack), "report", 10)
    assert names == {"KAZ": ("report-KAZ-balance.png", "report-KAZ-drivers.png")}
    assert all(data.startswith(b"\x89PNG") for data in files.values())


def write_case(folder: Path) -> tuple[Path, Path]:
    rules = folder / "rules.yaml"
    rules.write_text(
        "scoring: {axes: [nato, russia], balance: {plus: nato, minus: russia}}\n"
        "rules:\n"
        "  - id: join-west\n"
        "    when: {type: exercise.join, partner: NATO}\n"
        "    signals: {nato: 1.5}\n"
        "  - id: buy-russian\n"
        "    when: {type: arms.acquire, partner: RUS}\n"
        "    signals: {russia: 2.0, nato: -0.25}\n"
    )
    events = folder / "events.yaml"
    events.write_text(
        "defaults: {actor: 'A/B'}\n"
        "events:\n"
        "  - {id: one, date: 2001, type: exercise.join, partner: NATO}\n"
        "  - {id: two, date: 2002-03, type: arms.acquire, partner: RUS}\n"
    )
    return events, rules


@pytest.mark.parametrize("chart", ["timeline", "waterfall", "tornado", "ranking"])
def test_plot_command_writes_png_and_svg(tmp_path: Path, chart: str) -> None:
    events, rules = write_case(tmp_path)
    magic = {"chart.png": b"\x89PNG", "chart.svg": b"<?xml", "chart.pdf": b"%PDF-"}
    for name, start in magic.items():
        out = tmp_path / name
        assert main(["plot", str(events), "--rules", str(rules), "--chart", chart, "--output", str(out)]) == 0
        assert out.read_bytes().startswith(start)


def test_plot_refuses_other_formats(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    events, rules = write_case(tmp_path)
    assert main(["plot", str(events), "--rules", str(rules), "--output", str(tmp_path / "chart.gif")]) == 2
    assert ".png, .svg or .pdf" in capsys.readouterr().err
    assert not (tmp_path / "chart.gif").exists()


def test_markdown_report_writes_and_links_its_charts(tmp_path: Path) -> None:
    events, rules = write_case(tmp_path)
    report = tmp_path / "out" / "why.md"
    report.parent.mkdir()
    assert main(["explain", str(events), "--rules", str(rules), "--format", "markdown", "--output", str(report)]) == 0
    text = report.read_text()
    # The actor 'A/B' cannot be part of a file name as it is.
    assert "![A/B: balance over time](why-A_B-balance.png)" in text
    assert "![A/B: drivers of the final balance](why-A_B-drivers.png)" in text
    assert (report.parent / "why-A_B-balance.png").read_bytes().startswith(b"\x89PNG")
    assert (report.parent / "why-A_B-drivers.png").read_bytes().startswith(b"\x89PNG")
    for section in ("### Balance over time", "### Events", "### Drivers", "### Rules", "### Unmatched events"):
        assert section in text
    assert f"`{rules}:3`" in text  # the rule table says where each rule is defined


def crowded() -> tuple[EventSet, RulePack]:
    """Twenty events on three days, most of them moving the balance: labels that would all collide."""
    pack = make_pack([("exercise.join", "NATO", {"nato": 1.0}), ("arms.acquire", "RUS", {"russia": 1.0})])
    events = [
        Event(
            id=f"event-number-{i}",
            date=f"2012-08-{14 + i % 3:02d}",
            actor="GEO",
            type="exercise.join" if i % 2 else "arms.acquire",
            partner="NATO" if i % 2 else "RUS",
            intensity=1 + i % 4,
        )
        for i in range(20)
    ]
    return EventSet.of(events), pack


@pytest.mark.parametrize("link", [None, "row-"])
def test_event_labels_never_overlap(link: str | None) -> None:
    events, pack = crowded()
    actor = score(events, pack).actors["GEO"]
    with style():
        figure = new_figure(10.5, 4.4)
        ax = figure.add_subplot()
        _, marks = draw_timeline(ax, actor, pack, link=link)
        place_labels(figure, ax, marks)
        figure.canvas.draw()
        renderer = figure.canvas.get_renderer()  # type: ignore[attr-defined]
        boxes = [text.get_window_extent(renderer) for text in ax.texts]
    assert boxes, "some events are labelled"
    for i, box in enumerate(boxes):
        assert not any(box.overlaps(other) for other in boxes[i + 1 :])
        assert ax.get_window_extent(renderer).contains(box.x0, box.y0)


def test_a_chart_that_stands_alone_names_moves_and_says_nothing_of_a_report(
    kazakhstan_like: tuple[EventSet, RulePack],
) -> None:
    events, pack = kazakhstan_like
    actor = score(events, pack).actors["KAZ"]
    with style():
        figure = new_figure(10.5, 4.4)
        ax = figure.add_subplot()
        _, alone = draw_timeline(ax, actor, pack)
        assert "report" not in ax.get_title(loc="right")
        assert ax.get_ylabel().startswith("score: sum of weight × intensity × confidence")
        _, numbered = draw_timeline(figure.add_subplot(), actor, pack, link="row-")
    assert alone is not None and numbered is not None
    assert {label.text for label in alone.labels} == {"join", "buy"}  # the moves, by id; "talk" moved nothing
    assert [label.text for label in numbered.labels] == ["1", "2", "3"]


@pytest.mark.slow  # renders several charts twice: ten seconds and more
def test_pdf_and_ranking_bytes_are_the_same_every_run(kazakhstan_like: tuple[EventSet, RulePack]) -> None:
    events, pack = kazakhstan_like
    result = score(events, pack)
    about = Caption(("events.yaml",), "rules.yaml")
    for chart, fmt in (("timeline", "pdf"), ("waterfall", "pdf"), ("ranking", "svg")):
        first = plot(chart, result, fmt, about=about)  # type: ignore[arg-type]
        assert first == plot(chart, result, fmt, about=about)  # type: ignore[arg-type]
    assert first.lstrip().startswith(b"<?xml") and plot("timeline", result, "pdf").startswith(b"%PDF-")
