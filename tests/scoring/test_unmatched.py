"""Why no rule matched an event: its type, its partner, or a condition on another field, said in JSON and explain."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path

from conftest import Run, write

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
