"""Why no rule matched an event: its type, its partner, or a condition on another field, said in JSON and explain."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

import hypothesis.strategies as st
import polars as pl
import pytest
from conftest import Run, write
from hypothesis import given, settings

import scorer

Cli = Callable[..., Run]

RULES = """\
sets:
  west: [NATO, USA]
  russia_bloc: [RUS, CSTO]
rules:
  - {id: join-west, when: {type: exercise.join, partner: {in_set: west}}, signals: {nato: 1}}
  - {id: join-russia, when: {type: exercise.join, partner: {in_set: russia_bloc}}, signals: {russia: 1}}
  - {id: big-buy, when: {type: arms.acquire, partner: RUS, intensity: {gte: 2}}, signals: {russia: 2}}
  - {id: old, enabled: false, when: {type: standards.adopt}, signals: {nato: 1}}
"""

EVENTS = """\
defaults: {actor: KAZ, date: 2009}
events:
  - {id: b1, type: arms.buy, partner: RUS}
  - {id: b2, type: exercise.join, partner: Russia}
  - {id: b3, type: exercise.join}
  - {id: b4, type: arms.acquire, partner: RUS, intensity: 1}
  - {id: b5, type: standards.adopt, partner: NATO}
  - {id: ok, type: exercise.join, partner: NATO}
"""

REASONS = {
    "b1": "no rule tests type 'arms.buy'",
    "b2": "its partner 'Russia' is in no set a rule for type 'exercise.join' uses (russia_bloc, west)",
    "b3": "it has no partner, and every rule for type 'exercise.join' tests one",
    "b4": "a condition on intensity failed (rule 'big-buy', {rules}:7)",
    "b5": "no enabled rule tests type 'standards.adopt' (rule 'old' is disabled)",
}


def test_every_unmatched_event_has_a_reason_in_the_json(tmp_path: Path, cli: Cli) -> None:
    rules = write(tmp_path, "rules.yaml", RULES)
    events = write(tmp_path, "events.yaml", EVENTS)
    for command in ("score", "explain"):
        document = cli(command, events, "--rules", rules, "--format", "json").json()
        kaz = document["actors"]["KAZ"]
        assert kaz["unmatched"] == ["b1", "b2", "b3", "b4", "b5"]
        assert kaz["unmatched_reasons"] == {k: v.format(rules=rules) for k, v in REASONS.items()}
        assert list(kaz) [:4] == ["timeline", "final", "unmatched", "unmatched_reasons"]


def test_explain_says_why_in_each_format(tmp_path: Path, cli: Cli) -> None:
    rules = write(tmp_path, "rules.yaml", RULES)
    events = write(tmp_path, "events.yaml", EVENTS)
    text = cli("explain", events, "--rules", rules).out
    assert "    no rule matched: no rule tests type 'arms.buy'\n" in text
    markdown = cli("explain", events, "--rules", rules, "--format", "markdown").out
    assert "- No rule matched: no rule tests type 'arms.buy'." in markdown
    html = cli("explain", events, "--rules", rules, "--format", "html").out
    assert "<td>no rule tests type &#x27;arms.buy&#x27;</td>" in html or "<td>no rule tests type 'arms.buy'</td>" in html


def test_the_api_gives_the_reasons_per_actor(tmp_path: Path) -> None:
    pack = scorer.load_pack(write(tmp_path, "rules.yaml", RULES))
    result = scorer.score(scorer.read_events(str(write(tmp_path, "events.yaml", EVENTS))), pack)
    reasons = result.actors["KAZ"].unmatched_reasons
    assert list(reasons) == list(result.actors["KAZ"].unmatched)
    assert json.dumps(reasons)


@pytest.mark.parametrize(
    ("extra", "by_group"),
    [
        ("", True),  # every column the reasons read is one the enabled rules test
        ("  - {id: off, enabled: false, when: {type: arms.buy, source: x}, signals: {nato: 1}}\n", False),
    ],
)
def test_the_reasons_judged_once_a_group_are_those_of_each_event(tmp_path: Path, extra: str, by_group: bool) -> None:
    from scorer.scoring.score import match
    from scorer.scoring.unmatched import reason, tested_columns

    pack = scorer.load_pack(write(tmp_path, "rules.yaml", RULES + extra))
    more = "".join(
        f"  - {{id: m{i}, actor: {a}, type: {t}, partner: {p}, intensity: {n}, source: s{i % 2}}}\n"
        for i, (a, t, p, n) in enumerate(
            [(a, t, p, n) for a in ("KAZ", "RUS") for t in ("arms.acquire", "arms.buy") for p in ("RUS", "USA") for n in (1, 3)]
        )
    )
    events = scorer.read_events(str(write(tmp_path, "events.yaml", EVENTS + more)))
    assert (set(tested_columns(pack)) <= set(match(events, pack).grouped_by)) == by_group  # which way is taken
    result = scorer.score(events, pack)
    values = {row["id"]: row for row in events.frame.with_columns(pl.col(pl.Categorical).cast(pl.String)).to_dicts()}
    for actor in result.actors.values():
        for event, why in actor.unmatched_reasons.items():
            assert why == reason(pack, values[event])


SEQUENCE_RULES = """\
codebook:
  exercise.decline: declines an exercise
  membership.join: joins an organisation
  diplomacy.criticize: criticizes a government
rules:
  - id: decline-after-protest
    when: {type: exercise.decline, partner: NATO}
    after:
      within_days: 30
      when: {actor: RUS, type: diplomacy.criticize, partner: {same_as: actor}}
    signals: {russia: 2}
  - id: first-membership
    when: {type: membership.join}
    not_after:
      when: {type: membership.join, actor: {same_as: actor}, partner: {same_as: partner}}
    signals: {nato: 2}
"""

SEQUENCE_EVENTS = """\
defaults: {actor: KAZ}
events:
  - {id: p1, date: 2009-03-01, actor: RUS, type: diplomacy.criticize, partner: KAZ}
  - {id: d1, date: 2009-06-30, type: exercise.decline, partner: NATO}
  - {id: m1, date: 2009-06-10, type: membership.join, partner: NATO}
  - {id: m2, date: 2009-07-10, type: membership.join, partner: NATO}
"""


def test_a_sequence_rule_that_did_not_fire_says_what_earlier_events_it_wanted(tmp_path: Path, cli: Cli) -> None:
    rules = write(tmp_path, "rules.yaml", SEQUENCE_RULES)
    events = write(tmp_path, "events.yaml", SEQUENCE_EVENTS)
    run = cli("score", events, "--rules", rules, "--format", "json")
    assert (run.code, run.err) == (0, "")
    actors = run.json()["actors"]
    assert actors["KAZ"]["unmatched_reasons"] == {
        "d1": f"rule 'decline-after-protest' ({rules}:6) needs an earlier event within 30 days as its after says",
        "m2": f"rule 'first-membership' ({rules}:12) is ruled out by an earlier event as its not_after says",
    }
    assert actors["RUS"]["unmatched_reasons"] == {
        "p1": "no rule scores type 'diplomacy.criticize' (rule 'decline-after-protest' looks for it among earlier events)"
    }


# Types and partners ruled out without walking the rule (`_allowed`) must say what `judge` alone says:
# `any`, `not`, `in` and `ne` on both fields, a rule testing neither, and events without a partner.
TANGLED_RULES = """\
sets:
  west: [NATO, USA]
rules:
  - {id: either, when: {any: [{type: a.one}, {type: {in: [a.two, a.three]}, partner: NATO}]}, signals: {nato: 1}}
  - {id: negated, when: {not: {type: a.one}, partner: {in_set: west}}, signals: {nato: 1}}
  - {id: not-equal, when: {type: {ne: a.two}, partner: {ne: RUS}, intensity: {gte: 5}}, signals: {russia: 1}}
  - {id: both, when: {all: [{type: a.four}, {type: {in: [a.four, a.five]}}], partner: {in: [CHN, RUS]}}, signals: {russia: 1}}
  - {id: anyone, when: {intensity: {gte: 9}}, signals: {russia: 1}}
  - {id: idle, enabled: false, when: {type: a.six, partner: USA}, signals: {nato: 1}}
"""


@pytest.mark.parametrize(
    ("rules", "decided_by_two"),
    [
        (TANGLED_RULES, 0),  # `anyone` may hold for any type and partner: the other fields decide
        # Without `anyone` and `not-equal`: `either` may hold for a.one to a.three whatever the partner (its first way tests
        # the type alone); a.four to a.seven have `negated` (the west set) and a.four `both` (CHN, RUS),
        # so no partner and KAZ are decided for a.four, and no partner, RUS, CHN and KAZ for the others.
        ("".join(line for line in TANGLED_RULES.splitlines(True) if "anyone" not in line and "not-equal" not in line), 14),
        # `both` and the disabled `idle` alone: no enabled rule for any type but a.four (36 events), whose
        # rule names CHN and RUS (4 more).
        ("".join(line for line in TANGLED_RULES.splitlines(True) if "{id:" not in line or "both" in line or "idle" in line), 40),
    ],
)
def test_the_quick_rule_out_says_what_judging_every_rule_says(tmp_path: Path, rules: str, decided_by_two: int) -> None:
    from scorer.engine.semantics import judge
    from scorer.scoring.unmatched import _BY_PARTNER, _BY_TYPE, Reasons

    pack = scorer.load_pack(write(tmp_path, "rules.yaml", rules))
    why, decided = Reasons(pack), 0
    for kind in ("a.one", "a.two", "a.three", "a.four", "a.five", "a.six", "a.seven"):
        for partner in (None, "NATO", "USA", "RUS", "CHN", "KAZ"):
            values = {"type": kind, "partner": partner, "intensity": 1.0, "actor": "KAZ"}
            allowed, idle = why._for_type(values)
            assert allowed == [r for r in pack.rules if r.enabled and judge(r.when, values, _BY_TYPE) is not False]
            assert idle == [r for r in pack.rules if not r.enabled and judge(r.when, values, _BY_TYPE) is not False]
            told = None if partner is None else f"s:{partner}"
            for rule in allowed:
                assert why._partner_allows(rule, told, values) == (judge(rule.when, values, _BY_PARTNER) is not False)
            assert why(values)
            quick = why.decided(kind, partner)  # what the type and partner alone say, where they say it
            assert quick is None or quick == Reasons(pack)(values)
            decided += quick is not None
    assert decided == decided_by_two


# A piece a list, or several (the last one short); the ids gathered a window at a time, pieces within one
# window or across two.
@pytest.mark.parametrize(("piece", "window"), [(20_000, 50_000), (1, 50_000), (2, 3), (3, 2), (1, 1)])
def test_the_json_of_unmatched_events_is_what_orjson_writes_of_them(
    tmp_path: Path, piece: int, window: int, monkeypatch: pytest.MonkeyPatch
) -> None:
    from scorer.report.json import document, document_json, to_json
    from scorer.scoring import unmatched_ids

    monkeypatch.setattr(unmatched_ids, "PIECE", piece)
    monkeypatch.setattr(unmatched_ids, "WINDOW", window)
    rules = write(tmp_path, "rules.yaml", RULES)
    events = [
        '{"id": "plain-1", "date": "2009-01-02", "actor": "KAZ", "type": "arms.buy"}',
        '{"id": "quo\\"te", "date": "2009-01-03", "actor": "KAZ", "type": "exercise.join", "partner": "Russia"}',
        '{"id": "back\\\\slash", "date": "2009-01-04", "actor": "RUS", "type": "exercise.join"}',
        '{"id": "caf\\u00e9 \\u043a", "date": "2009-01-05", "actor": "RUS", "type": "arms.buy"}',
        '{"id": "ok", "date": "2009-01-06", "actor": "KAZ", "type": "exercise.join", "partner": "NATO"}',
        '{"id": "late", "date": "2011-01-01", "actor": "CHN", "type": "arms.buy"}',
        '{"id": "third", "date": "2009-01-07", "actor": "KAZ", "type": "arms.buy"}',
    ]
    pack = scorer.load_pack(rules)
    for lines in (events, [events[0], events[3], events[4], events[5], events[6]]):  # ids to escape, and none
        path = write(tmp_path, "events.jsonl", "\n".join(lines) + "\n")
        for as_of in (None, "2010"):  # CHN has no event before 2010: an actor without events
            result = scorer.score(scorer.read_events(str(path)), pack, as_of=as_of)
            assert b"".join(document_json(result)).decode() == to_json(document(result))


def test_rows_alike_are_grouped_the_same_by_codes_and_by_polars() -> None:
    import numpy as np
    import polars as pl

    from scorer.scoring.unmatched import _alike

    kinds = ["a.one", "a.two", None, "a.one", "a.three", "a.two", "a.one", None]
    partners = ["RUS", None, None, "RUS", "NATO", None, "NATO", None]
    categories = pl.DataFrame({"type": kinds, "partner": partners}, schema={"type": pl.Categorical, "partner": pl.Categorical})
    by_codes = _alike(categories)
    by_polars = _alike(categories.with_columns(intensity=pl.lit(1.0)))  # a number: polars groups
    for first, groups in (by_codes, by_polars):
        rows = list(zip(kinds, partners, strict=True))
        assert len(first) == len(set(rows))
        assert [rows[first[g]] for g in groups] == rows
        assert np.unique(groups).tolist() == list(range(len(first)))


def test_the_writing_thread_makes_the_pieces_the_pool_has_not_started_while_it_waits() -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from scorer.report.ahead import ahead

    release = threading.Event()
    made_by: dict[int, int] = {}

    def piece(i: int) -> tuple[bytes, ...]:
        if i == 0:
            assert release.wait(10)  # the pool's thread holds the first piece until the others are made
        made_by[i] = threading.get_ident()
        if i == 3:
            release.set()
        return (str(i).encode(), b",")

    pieces = [lambda i=i: piece(i) for i in range(10)]  # type: ignore[misc]
    with ThreadPoolExecutor(max_workers=1) as pool:
        parts = [part for made in ahead(pool, pieces) for part in made]
    assert b"".join(parts) == b"".join(f"{i},".encode() for i in range(10))
    here = threading.get_ident()
    assert made_by[0] != here
    assert [i for i in (1, 2, 3) if made_by[i] == here] == [1, 2, 3]  # made here while piece 0 waited


def test_a_piece_that_fails_on_the_writing_thread_fails_where_it_stands() -> None:
    import threading
    from concurrent.futures import ThreadPoolExecutor

    from scorer.report.ahead import ahead

    release = threading.Event()

    def piece(i: int) -> tuple[bytes, ...]:
        if i == 0:
            assert release.wait(10)
        if i == 3:
            release.set()
        if i == 2:
            raise ValueError("piece 2")
        return (str(i).encode(),)

    taken: list[bytes] = []
    with ThreadPoolExecutor(max_workers=1) as pool, pytest.raises(ValueError, match="piece 2"):
        for made in ahead(pool, [lambda i=i: piece(i) for i in range(6)]):  # type: ignore[misc]
            taken += made
    assert taken == [b"0", b"1"]  # the pieces before it, in order


@given(
    ids=st.lists(st.text(alphabet='ab"\\\n é', min_size=1, max_size=4), min_size=1, max_size=30, unique=True),
    data=st.data(),
)
@settings(max_examples=60, deadline=None)
def test_ids_kept_in_the_events_column_read_as_ids_gathered_would(ids: list[str], data: st.DataObject) -> None:
    import numpy as np
    import orjson

    from scorer.scoring import unmatched_ids
    from scorer.scoring.unmatched_ids import UnmatchedIds

    rows = np.asarray(data.draw(st.permutations(range(len(ids))))[: data.draw(st.integers(0, len(ids)))], dtype=np.uint32)
    said = ["no rule for this type", "the partner is not one a rule names"]
    codes = np.asarray(data.draw(st.lists(st.integers(0, 1), min_size=len(rows), max_size=len(rows))), dtype=np.uint8)
    a = data.draw(st.integers(0, len(rows)))
    b = data.draw(st.integers(a, len(rows)))
    gathered = [ids[r] for r in rows.tolist()]
    kept = UnmatchedIds(pl.Series(ids), codes, said, rows)
    copied = UnmatchedIds(pl.Series(gathered, dtype=pl.String), codes, said)
    for window in (1, 2, 5, 50_000):
        unmatched_ids.WINDOW, before = window, unmatched_ids.WINDOW
        try:
            for made in (kept, UnmatchedIds(pl.Series(ids), codes, said, rows)):
                assert made.between(a, b) == copied.between(a, b) == tuple(gathered[a:b])
                assert made.reasons_between(a, b) == {i: said[c] for i, c in zip(gathered[a:b], codes[a:b].tolist(), strict=True)}
                listed, reasons = made.json_parts(a, b, "  ")
                assert b"".join(part for piece in listed for part in piece()) == unmatched_ids.indented(list(gathered[a:b]), "  ")
                assert b"".join(part for piece in reasons for part in piece()) == unmatched_ids.indented(
                    made.reasons_between(a, b), "  "
                )
        finally:
            unmatched_ids.WINDOW = before
    assert orjson.loads(unmatched_ids.indented(list(kept.between(0, len(rows))), "")) == gathered


@given(
    ids=st.lists(st.text(alphabet=st.characters(max_codepoint=0x500), max_size=4), max_size=12),
    step=st.integers(1, 5),
)
@settings(max_examples=150, deadline=None)
def test_ids_are_written_as_they_are_only_where_none_needs_escaping(ids: list[str], step: int) -> None:
    """`_plain`, which looks at the ids' bytes a few ids at a time, says what a pattern asked of each id
    says: no quote, backslash or control character in any (then each id is written between quotes)."""
    import numpy as np

    from scorer.scoring import unmatched_ids
    from scorer.scoring.unmatched_ids import UnmatchedIds

    unmatched_ids.PLAIN_IDS, before = step, unmatched_ids.PLAIN_IDS
    try:
        column = pl.Series(ids, dtype=pl.String)
        plain = UnmatchedIds(column, np.zeros(len(ids), dtype=np.uint8), ["why"])._plain
    finally:
        unmatched_ids.PLAIN_IDS = before
    assert plain == (not any(char < " " or char in '"\\' for text in ids for char in text))
