"""Rulepacks (docs/reference.md): the condition language parsed, every mistake located at file:line:col."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
from conftest import write

from scorer.pack.load import load_rules
from scorer.pack.model import All, AnyOf, Not, RulePack
from scorer.pack.model import Test as FieldTest  # not a pytest class
from scorer.problems import InputError

SCORING = "scoring: {axes: [nato, russia, china], balance: {plus: nato, minus: russia}, half_life_days: 365}\n"


def pack_of(tmp_path: Path, text: str, name: str = "pack.yaml") -> RulePack:
    return load_rules(write(tmp_path, name, text))


def problems_of(path: Path) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_rules(path)
    return [str(p) for p in caught.value.problems]


def one_problem(tmp_path: Path, text: str) -> tuple[str, str]:
    """The single problem of a one-file pack, as (`line:col`, message)."""
    path = write(tmp_path, "pack.yaml", text)
    found = problems_of(path)
    assert len(found) == 1, found
    where, message = found[0][len(str(path)) + 1 :].split(": ", 1)
    return where, message


# --- what a pack holds -----------------------------------------------------


def test_scoring_sets_and_rule_fields(tmp_path: Path) -> None:
    pack = pack_of(
        tmp_path,
        SCORING
        + """\
sets:
  west: [NATO, USA]
rules:
  - id: decline-nato-exercise
    description: Declines to take part in a NATO or PfP exercise
    when:
      type: exercise.decline
      partner: {in_set: west}
    signals: {russia: 2.0, nato: -1}
    enabled: false
    references: [EDM 6(93)]
  - id: plain
    when: {type: x}
    signals: {china: 0.5}
""",
    )
    assert pack.scoring.axes == ("nato", "russia", "china")
    assert (pack.scoring.plus, pack.scoring.minus, pack.scoring.half_life_days) == ("nato", "russia", 365.0)
    assert pack.sets == {"west": ("NATO", "USA")}
    first, second = pack.rules
    assert first.id == "decline-nato-exercise"
    assert first.description.startswith("Declines")
    assert first.signals == {"russia": 2.0, "nato": -1.0}
    assert list(first.signals) == ["russia", "nato"], "signals keep the order of the file"
    assert first.enabled is False and first.references == ("EDM 6(93)",)
    assert first.line == 5 and first.file.endswith("pack.yaml")
    assert second.enabled is True and second.description == "" and second.references == ()
    assert second.line == 13


def test_scoring_defaults(tmp_path: Path) -> None:
    pack = pack_of(tmp_path, "rules:\n  - {id: r, when: {type: x}, signals: {nato: 1}}\n")
    assert pack.scoring.axes == ("nato", "russia")
    assert (pack.scoring.plus, pack.scoring.minus) == ("nato", "russia")
    assert pack.scoring.half_life_days is None


def when_of(tmp_path: Path, when: str, sets: str = "") -> object:
    pack = pack_of(tmp_path, f"{sets}rules:\n  - id: r\n    when: {when}\n    signals: {{nato: 1}}\n")
    return pack.rules[0].when


def test_scalar_is_eq_and_list_is_in(tmp_path: Path) -> None:
    assert when_of(tmp_path, "{type: x.y}") == FieldTest("type", "eq", "x.y")
    assert when_of(tmp_path, "{partner: [NATO, USA]}") == FieldTest("partner", "in", ("NATO", "USA"))
    assert when_of(tmp_path, "{attrs.units: 2}") == FieldTest("attrs.units", "eq", 2)


def test_entries_of_a_mapping_all_hold(tmp_path: Path) -> None:
    assert when_of(tmp_path, "{type: x, partner: NATO}") == All((FieldTest("type", "eq", "x"), FieldTest("partner", "eq", "NATO")))
    assert when_of(tmp_path, "{intensity: {gte: 1, lt: 3}}") == All(
        (FieldTest("intensity", "gte", 1), FieldTest("intensity", "lt", 3))
    )


def test_every_operator_is_parsed(tmp_path: Path) -> None:
    when = when_of(
        tmp_path,
        """
      all:
        - type: {eq: a.b}
        - type: {ne: a.c}
        - partner: {in: [NATO, USA]}
        - partner: {not_in: [RUS]}
        - intensity: {gt: 1}
        - intensity: {gte: 1.5}
        - confidence: {lt: 1}
        - confidence: {lte: 0.5}
        - type: {prefix: "a."}
        - source: {regex: "^gazeta\\\\.ru"}
        - tags: {contains: csto}
        - partner: {in_set: west}
        - attrs.units: {exists: true}
        - date: {gte: 2009-04, lt: 2010}""",
        sets="sets: {west: [NATO, USA]}\n",
    )
    assert isinstance(when, All)
    tests = list(when.items[:-1])
    assert tests == [
        FieldTest("type", "eq", "a.b"),
        FieldTest("type", "ne", "a.c"),
        FieldTest("partner", "in", ("NATO", "USA")),
        FieldTest("partner", "not_in", ("RUS",)),
        FieldTest("intensity", "gt", 1),
        FieldTest("intensity", "gte", 1.5),
        FieldTest("confidence", "lt", 1),
        FieldTest("confidence", "lte", 0.5),
        FieldTest("type", "prefix", "a."),
        FieldTest("source", "regex", r"^gazeta\.ru"),
        FieldTest("tags", "contains", "csto"),
        FieldTest("partner", "in", ("NATO", "USA")),
        FieldTest("attrs.units", "exists", True),
    ]
    # A bare year is a date, whatever YAML made of it.
    assert when.items[-1] == All((FieldTest("date", "gte", "2009-04"), FieldTest("date", "lt", "2010")))


def test_all_any_not_nest(tmp_path: Path) -> None:
    when = when_of(tmp_path, "{type: x, any: [{partner: NATO}, {not: {tags: {contains: z}}}], all: [{actor: KAZ}]}")
    assert when == All(
        (
            FieldTest("type", "eq", "x"),
            AnyOf((FieldTest("partner", "eq", "NATO"), Not(FieldTest("tags", "contains", "z")))),
            All((FieldTest("actor", "eq", "KAZ"),)),
        )
    )


def test_weights_are_numbers(tmp_path: Path) -> None:
    pack = pack_of(tmp_path, "rules:\n  - {id: r, when: {type: x}, signals: {nato: 2, russia: -0.5}}\n")
    assert pack.rules[0].signals == {"nato": 2.0, "russia": -0.5}
    assert all(isinstance(w, float) for w in pack.rules[0].signals.values())


# --- a folder of files -----------------------------------------------------


def test_folder_merged_in_file_name_order(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    write(folder, "10-late.yaml", "rules:\n  - {id: late, when: {partner: {in_set: west}}, signals: {nato: 1}}\n")
    write(folder, "02-early.yml", "rules:\n  - {id: early-1, when: {type: x}, signals: {nato: 1}}\n  - {id: early-2, when: {type: y}, signals: {russia: 1}}\n")
    write(folder, "00-scoring.yaml", "scoring: {axes: [nato, russia], balance: {plus: nato, minus: russia}}\n")
    write(folder, "99-sets.yaml", "sets: {west: [NATO]}\n")
    write(folder, "notes.txt", "not a rule file\n")
    pack = load_rules(folder)
    assert [r.id for r in pack.rules] == ["early-1", "early-2", "late"]
    assert Path(pack.rules[0].file).name == "02-early.yml" and pack.rules[0].line == 2
    assert Path(pack.rules[2].file).name == "10-late.yaml"
    assert pack.rules[2].when == FieldTest("partner", "in", ("NATO",)), "a set may be defined in any file of the pack"


def test_scoring_in_two_files_is_refused(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    write(folder, "a.yaml", "scoring: {axes: [nato, russia]}\nrules:\n  - {id: r, when: {type: x}, signals: {nato: 1}}\n")
    second = write(folder, "b.yaml", "\nscoring: {axes: [nato, russia]}\n")
    (problem,) = problems_of(folder)
    assert problem.startswith(f"{second}:2:1:")
    assert "scoring" in problem and "a.yaml:1" in problem


def test_duplicate_rule_id_across_files(tmp_path: Path) -> None:
    folder = tmp_path / "pack"
    write(folder, "a.yaml", "rules:\n  - {id: r, when: {type: x}, signals: {nato: 1}}\n")
    second = write(folder, "b.yaml", "rules:\n  - id: other\n    when: {type: y}\n    signals: {nato: 1}\n  - id: r\n    when: {type: y}\n    signals: {nato: 1}\n")
    (problem,) = problems_of(folder)
    assert problem.startswith(f"{second}:5:9: duplicate rule id 'r'")
    assert "a.yaml:2" in problem


def test_empty_folder_and_missing_path(tmp_path: Path) -> None:
    (tmp_path / "empty").mkdir()
    (empty,) = problems_of(tmp_path / "empty")
    assert empty.startswith(f"{tmp_path / 'empty'}:1:1:")
    (missing,) = problems_of(tmp_path / "nope.yaml")
    assert missing.startswith(f"{tmp_path / 'nope.yaml'}:1:1:")


def test_the_bundled_pack_loads() -> None:
    pack = load_rules()
    assert pack.rules
    assert all(math.isfinite(w) for rule in pack.rules for w in rule.signals.values())
    assert {axis for rule in pack.rules for axis in rule.signals} <= set(pack.scoring.axes)


# --- validation problems, each at its place --------------------------------

RULE = "rules:\n  - id: r\n    when: {type: x}\n    signals: {nato: 1}\n"


@pytest.mark.parametrize(
    ("text", "where", "words"),
    [
        # unknown keys, at the key
        ("rulez: []\n" + RULE, "1:1", ["rulez"]),
        ("scoring: {axes: [nato, russia], decay: 3}\n" + RULE, "1:33", ["decay"]),
        ("rules:\n  - id: r\n    when: {type: x}\n    signals: {nato: 1}\n    weight: 3\n", "5:5", ["weight"]),
        ("rules:\n  - id: r\n    when: {type: x, colour: red}\n    signals: {nato: 1}\n", "3:21", ["colour"]),
        ("rules:\n  - id: r\n    when: {type: {like: x}}\n    signals: {nato: 1}\n", "3:19", ["like"]),
        # signals
        ("rules:\n  - id: r\n    when: {type: x}\n    signals: {nato: 1, china: 2}\n", "4:24", ["china", "axis"]),
        ("rules:\n  - id: r\n    when: {type: x}\n    signals: {nato: .inf}\n", "4:21", ["finite"]),
        ("rules:\n  - id: r\n    when: {type: x}\n    signals: {nato: -.inf}\n", "4:21", ["finite"]),
        ("rules:\n  - id: r\n    when: {type: x}\n    signals: {nato: .nan}\n", "4:21", ["finite"]),
        ("rules:\n  - id: r\n    when: {type: x}\n    signals: {nato: '1'}\n", "4:21", ["number"]),
        ("rules:\n  - id: r\n    when: {type: x}\n    signals: {nato: true}\n", "4:21", ["number"]),
        ("rules:\n  - id: r\n    when: {type: x}\n    signals: {}\n", "4:14", ["signals"]),
        # conditions
        ("rules:\n  - id: r\n    when: {}\n    signals: {nato: 1}\n", "3:11", ["empty"]),
        ("rules:\n  - id: r\n    when: {partner: {in_set: east}}\n    signals: {nato: 1}\n", "3:30", ["east"]),
        ("rules:\n  - id: r\n    when: {source: {regex: '(unclosed'}}\n    signals: {nato: 1}\n", "3:28", ["regex"]),
        ("rules:\n  - id: r\n    when: {source: {regex: '[z-a]'}}\n    signals: {nato: 1}\n", "3:28", ["regex"]),
        ("rules:\n  - id: r\n    when: {any: []}\n    signals: {nato: 1}\n", "3:17", ["any"]),
        ("rules:\n  - id: r\n    when: {not: {}}\n    signals: {nato: 1}\n", "3:17", ["empty"]),
        ("rules:\n  - id: r\n    when: {any: [{}]}\n    signals: {nato: 1}\n", "3:18", ["empty"]),
        ("rules:\n  - id: r\n    when: {date: {gt: 2009-13-01}}\n    signals: {nato: 1}\n", "3:23", ["2009-13-01"]),
        ("rules:\n  - id: r\n    when: {intensity: {gt: big}}\n    signals: {nato: 1}\n", "3:28", ["gt"]),
        ("rules:\n  - id: r\n    when: {partner: {in: NATO}}\n    signals: {nato: 1}\n", "3:26", ["in"]),
        ("rules:\n  - id: r\n    when: {partner: {exists: maybe}}\n    signals: {nato: 1}\n", "3:30", ["exists"]),
        ("rules:\n  - id: r\n    when: just text\n    signals: {nato: 1}\n", "3:11", ["mapping"]),
        # the rule itself
        ("rules:\n  - id: r\n    signals: {nato: 1}\n", "2:5", ["when"]),
        ("rules:\n  - when: {type: x}\n    signals: {nato: 1}\n", "2:5", ["id"]),
        ("rules:\n  - id: r\n    when: {type: x}\n    signals: {nato: 1}\n    enabled: sometimes\n", "5:14", ["enabled"]),
        ("rules:\n  - id: r\n    when: {type: x}\n    signals: {nato: 1}\n  - id: r\n    when: {type: y}\n    signals: {nato: 1}\n", "5:9", ["duplicate rule id 'r'"]),
        # scoring
        ("scoring: {axes: [nato, russia], balance: {plus: nato, minus: china}}\n" + RULE, "1:62", ["china", "axis"]),
        ("scoring: {axes: [west, east], balance: {plus: west, minus: russia}}\n" + RULE.replace("nato", "west"), "1:60", ["russia", "axis"]),
        ("scoring: {axes: [nato, russia], half_life_days: 0}\n" + RULE, "1:49", ["half_life_days"]),
        ("scoring: {axes: [nato, russia], half_life_days: .inf}\n" + RULE, "1:49", ["half_life_days"]),
        ("scoring: {axes: [nato, nato, russia]}\n" + RULE, "1:24", ["twice"]),
    ],
)
def test_problem_is_located(tmp_path: Path, text: str, where: str, words: list[str]) -> None:
    found_where, message = one_problem(tmp_path, text)
    assert found_where == where, message
    for word in words:
        assert word in message


def test_every_problem_of_a_pack_is_reported(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "pack.yaml",
        """\
        rules:
          - id: a
            when: {type: x}
            signals: {nato: .inf}
          - id: b
            when: {partner: {in_set: nowhere}}
            signals: {nato: 1}
          - id: c
            when: {source: {regex: '('}}
            signals: {mars: 1}
        """,
    )
    found = problems_of(path)
    assert [p[len(str(path)) + 1 :].split(": ")[0] for p in found] == ["4:21", "6:30", "10:15", "9:28"]


def test_a_pack_without_rules_is_refused(tmp_path: Path) -> None:
    path = write(tmp_path, "pack.yaml", "sets: {west: [NATO]}\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:1:1:") and "no rules" in problem


def test_a_codebook_lists_event_types_with_their_meaning(tmp_path: Path) -> None:
    pack = load_rules(
        write(
            tmp_path,
            "p.yaml",
            """\
            codebook:
              arms.acquire: buys or receives weapons
              exercise.join: takes part in an exercise
            rules:
              - {id: r, when: {type: arms.acquire}, signals: {nato: 1}}
            """,
        )
    )
    assert pack.codebook == {"arms.acquire": "buys or receives weapons", "exercise.join": "takes part in an exercise"}


@pytest.mark.parametrize(
    ("codebook", "message"),
    [
        ("[arms.acquire]", "'codebook' must be a mapping of event type to meaning, or 'cameo', not a list"),
        ("{Arms.Acquire: buys}", "bad type 'Arms.Acquire': expected dotted lower case"),
        ("{arms.acquire: 3}", "the meaning of type 'arms.acquire' must be text, not a number"),
    ],
)
def test_a_bad_codebook_is_named_where_it_is(tmp_path: Path, codebook: str, message: str) -> None:
    path = write(tmp_path, "p.yaml", f"codebook: {codebook}\nrules:\n  - {{id: r, when: {{type: a.b}}, signals: {{nato: 1}}}}\n")
    with pytest.raises(InputError) as caught:
        load_rules(path)
    assert str(caught.value.problems[0]).startswith(f"{path}:1:") and message in str(caught.value.problems[0])


def test_a_type_in_two_files_codebooks_is_refused(tmp_path: Path) -> None:
    write(tmp_path, "pack/a.yaml", "codebook: {a.b: one}\nrules:\n  - {id: r, when: {type: a.b}, signals: {nato: 1}}\n")
    write(tmp_path, "pack/b.yaml", "codebook: {a.b: two}\n")
    with pytest.raises(InputError, match="type 'a.b' is in the codebook twice"):
        load_rules(tmp_path / "pack")


def test_the_cameo_codebook_comes_from_the_readers_code_table(tmp_path: Path) -> None:
    path = write(tmp_path, "p.yaml", "codebook: cameo\nrules:\n  - {id: r, when: {type: cameo.043}, signals: {nato: 1}}\n")
    codebook = load_rules(path).codebook
    assert codebook["cameo.043"] == "Host a visit"
    assert codebook["cameo.04"] == "Consult"
    assert len(codebook) > 300
