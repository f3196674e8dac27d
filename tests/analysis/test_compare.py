"""What-if: `--without` and `compare` give what scoring from scratch gives."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scorer.cli import main
from scorer.engine import Matcher

RULES_A = """\
scoring: {axes: [nato, russia], balance: {plus: nato, minus: russia}, half_life_days: 400}
rules:
  - id: join-west
    when: {type: exercise.join, partner: NATO}
    signals: {nato: 1.5, russia: -0.25}
  - id: buy-russian
    when: {type: arms.acquire, partner: RUS}
    signals: {russia: 2.0}
  - id: talk
    when: {type: diplomacy.meeting}
    signals: {nato: 0.5}
"""

# B: other weights, one rule gone, one new, one moved down the file.
RULES_B = """\
scoring: {axes: [nato, russia], balance: {plus: nato, minus: russia}, half_life_days: 400}
rules:
  - id: buy-russian
    when: {type: arms.acquire, partner: RUS}
    signals: {russia: 1.25, nato: -0.5}
  - id: join-west
    when: {type: exercise.join, partner: NATO}
    signals: {nato: 1.5, russia: -0.25}
  - id: talk-russia
    when: {type: diplomacy.meeting, partner: RUS}
    signals: {russia: 0.75}
"""

EVENTS = [
    ("KAZ", "k1", "2001-03", "exercise.join", "NATO", 1.0, 1.0),
    ("KAZ", "k2", "2002", "arms.acquire", "RUS", 2.0, 0.5),
    ("UZB", "u1", "2002-06-01", "diplomacy.meeting", "RUS", 1.0, 1.0),
    ("KAZ", "k3", "2003-01-15", "diplomacy.meeting", "USA", 1.5, 0.8),
    ("KAZ", "k4", "2003-01-15", "arms.acquire", "RUS", 1.0, 1.0),
    ("UZB", "u2", "2004", "exercise.join", "NATO", 0.5, 1.0),
    ("KAZ", "k5", "2005-07", "exercise.decline", "NATO", 1.0, 1.0),
]


def write_events(path: Path, skip: set[str] | frozenset[str] = frozenset()) -> Path:
    lines = ["events:"]
    for actor, event_id, date, kind, partner, intensity, confidence in EVENTS:
        if event_id in skip:
            continue
        lines.append(
            f"  - {{id: {event_id}, actor: {actor}, date: {date}, type: {kind}, partner: {partner}, "
            f"intensity: {intensity}, confidence: {confidence}}}"
        )
    path.write_text("\n".join(lines) + "\n")
    return path


@pytest.fixture()
def case(tmp_path: Path) -> dict[str, Path]:
    (tmp_path / "a.yaml").write_text(RULES_A)
    (tmp_path / "b.yaml").write_text(RULES_B)
    return {"events": write_events(tmp_path / "events.yaml"), "a": tmp_path / "a.yaml", "b": tmp_path / "b.yaml"}


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert main(list(argv)) == 0, capsys.readouterr().err
    return json.loads(capsys.readouterr().out)


def assert_close(got: Any, want: Any) -> None:
    """Same document shape, numbers equal to 1e-9."""
    if isinstance(want, float):
        assert got == pytest.approx(want, abs=1e-9)
    elif isinstance(want, dict):
        assert set(got) == set(want)
        for key in want:
            assert_close(got[key], want[key])
    elif isinstance(want, list):
        assert len(got) == len(want)
        for g, w in zip(got, want, strict=True):
            assert_close(g, w)
    else:
        assert got == want


@pytest.mark.parametrize("command", ["score", "explain"])
@pytest.mark.parametrize("skip", [{"k2"}, {"k3", "u2"}, {"k1", "k2", "k3", "k4", "k5"}])
def test_without_equals_scoring_without_those_events(
    case: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str], command: str, skip: set[str]
) -> None:
    flags = [arg for event_id in sorted(skip) for arg in ("--without", event_id)]
    got = run(capsys, command, str(case["events"]), "--rules", str(case["a"]), "--format", "json", *flags)
    fewer = write_events(tmp_path / "fewer.yaml", skip)
    want = run(capsys, command, str(fewer), "--rules", str(case["a"]), "--format", "json")
    assert_close(got, want)
    assert not any(step["event"] in skip for a in got["actors"].values() for step in a.get("trail", []))


def test_without_an_unknown_event_is_refused(case: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["score", str(case["events"]), "--rules", str(case["a"]), "--without", "k9", "--without", "k1"]) == 2
    err = capsys.readouterr().err
    assert "--without" in err and "'k9'" in err and "'k1'" not in err


def test_without_with_every_and_as_of(case: dict[str, Path], tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    common = ["--rules", str(case["a"]), "--format", "json", "--every", "quarter", "--as-of", "2004-12-31"]
    got = run(capsys, "score", str(case["events"]), "--without", "k4", *common)
    want = run(capsys, "score", str(write_events(tmp_path / "fewer.yaml", {"k4"})), *common)
    assert_close(got, want)


def side(doc: dict[str, Any], actor: str) -> dict[str, Any]:
    return doc["actors"][actor]


def test_compare_two_packs_equals_each_scored_alone(case: dict[str, Path], capsys: pytest.CaptureFixture[str]) -> None:
    events = str(case["events"])
    got = run(capsys, "compare", events, "--rules", str(case["a"]), "--rules", str(case["b"]), "--format", "json")
    alone = {
        key: run(capsys, "explain", events, "--rules", str(case[key]), "--format", "json") for key in ("a", "b")
    }
    assert got["a"]["rules"] == str(case["a"]) and got["b"]["rules"] == str(case["b"])
    for actor in ("KAZ", "UZB"):
        mine = side(got, actor)
        for key in ("a", "b"):
            want = side(alone[key], actor)
            assert_close(mine["final"][key], {k: want["final"][k] for k in ("totals", "balance", "lean")})
            rows = [{k: row[k] for k in ("totals", "balance", "lean")} for row in want["timeline"]]
            assert_close([row[key] for row in mine["timeline"]], rows)
            assert [row["event"] for row in mine["timeline"]] == [row["event"] for row in want["timeline"]]
            shares = {d["event"]: d["share"] for d in want["drivers"]["events"]}
            assert_close({d["event"]: d[key] for d in mine["events"] if d[key] is not None}, shares)
            shares = {d["rule"]: d["share"] for d in want["drivers"]["rules"]}
            assert_close({d["rule"]: d[key] for d in mine["rules"] if d[key] is not None}, shares)
        balance_a, balance_b = mine["final"]["a"]["balance"], mine["final"]["b"]["balance"]
        assert mine["final"]["balance_difference"] == pytest.approx(balance_b - balance_a, abs=1e-9)
        differences = [abs(d["difference"]) for d in mine["rules"]]
        assert differences == sorted(differences, reverse=True)
        for d in mine["events"] + mine["rules"]:
            assert d["difference"] == pytest.approx((d["b"] or 0.0) - (d["a"] or 0.0), abs=1e-9)
    changed = {c["rule"]: c for c in got["changed_weights"]}
    assert set(changed) == {"buy-russian", "talk", "talk-russia"}
    assert changed["talk"]["b"] is None and changed["talk-russia"]["a"] is None
    assert changed["buy-russian"]["defined_at"] == {"a": f"{case['a']}:6", "b": f"{case['b']}:3"}


@pytest.fixture()
def engine_calls(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    calls: list[int] = []
    original = Matcher.match_frame

    def counted(self: Matcher, frame):  # type: ignore[no-untyped-def]
        calls.append(frame.height)
        return original(self, frame)

    monkeypatch.setattr(Matcher, "match_frame", counted)
    yield calls


def test_compare_set_equals_score_set_and_matches_once(
    case: dict[str, Path], capsys: pytest.CaptureFixture[str], engine_calls: list[int]
) -> None:
    events, rules = str(case["events"]), str(case["a"])
    changes = ["--set", "buy-russian.russia=3.5", "--set", "talk.russia=-1"]
    got = run(capsys, "compare", events, "--rules", rules, *changes, "--format", "json", "--without", "k5")
    assert len(engine_calls) == 1
    plain = run(capsys, "score", events, "--rules", rules, "--format", "json", "--without", "k5")
    varied = run(capsys, "score", events, "--rules", rules, *changes, "--format", "json", "--without", "k5")
    for actor in ("KAZ", "UZB"):
        mine = side(got, actor)
        for key, want in (("a", side(plain, actor)), ("b", side(varied, actor))):
            assert_close(mine["final"][key], {k: want["final"][k] for k in ("totals", "balance", "lean")})
            assert_close(
                [row[key]["balance"] for row in mine["timeline"]], [row["balance"] for row in want["timeline"]]
            )
    assert got["b"]["rules"] == f"{rules} with --set buy-russian.russia=3.5 talk.russia=-1"
    assert [c["rule"] for c in got["changed_weights"]] == ["buy-russian", "talk"]


def test_compare_text_and_markdown_name_where_rules_are_defined(
    case: dict[str, Path], capsys: pytest.CaptureFixture[str]
) -> None:
    events = str(case["events"])
    for fmt in ("text", "markdown"):
        assert main(["compare", events, "--rules", str(case["a"]), "--rules", str(case["b"]), "--format", fmt]) == 0
        out = capsys.readouterr().out
        line = next(line for line in out.splitlines() if "buy-russian" in line and "russia +2.00" in line)
        assert f"{case['a']}:6" in line and f"{case['b']}:3" in line
        assert "Biggest differences by rule" in out and "Biggest differences by event" in out


@pytest.mark.parametrize(
    "extra, message",
    [
        ([], "needs two packs"),
        (["--rules", "x.yaml"], "needs two packs"),
        (["--rules", "x.yaml", "--rules", "y.yaml", "--rules", "z.yaml"], "two packs"),
        (["--rules", "x.yaml", "--rules", "y.yaml", "--set", "a.b=1"], "--set"),
    ],
)
def test_compare_usage(
    case: dict[str, Path], capsys: pytest.CaptureFixture[str], extra: list[str], message: str
) -> None:
    assert main(["compare", str(case["events"]), *extra]) == 2
    assert message in capsys.readouterr().err
