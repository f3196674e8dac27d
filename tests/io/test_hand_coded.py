"""Event files (docs/reference.md): YAML, JSON Lines and CSV read into the same events, every problem located."""

from __future__ import annotations

import io
import json
import sys
from pathlib import Path

import pytest
from conftest import models, write

from scorer.io.load import read_events as load_events
from scorer.model.event import Event
from scorer.model.fields import parse_date
from scorer.problems import InputError

YAML_EVENTS = """\
defaults: {actor: KAZ}
events:
  - id: kaz-2009-04-21-longbow
    date: 2009-04-21
    type: exercise.decline
    partner: NATO
    summary: Will not take part in Cooperative Longbow
    source: gazeta.ru, 2009-04-21
  - id: kaz-2009-05-brigade
    date: 2009-05
    type: forces.contribute
    partner: CSTO
    intensity: 2.5
    confidence: 0.8
    tags: [csto, rrf]
    attrs: {units: 1, kind: brigade, airborne: true, share: 0.5}
  - id: uzb-2008
    date: 2008
    actor: UZB
    type: membership.suspend
    partner: EURASEC
    quote: "We suspend"
"""


def problems_of(paths: list[Path] | Path, input_format: str | None = None) -> list[str]:
    with pytest.raises(InputError) as caught:
        load_events([str(p) for p in paths] if isinstance(paths, list) else str(paths), input_format)
    return [str(p) for p in caught.value.problems]


def by_id(events: list[Event]) -> dict[str, Event]:
    return {e.id: e for e in events}


# --- reading ---------------------------------------------------------------


def test_yaml_with_defaults(tmp_path: Path) -> None:
    events = models(load_events(str(write(tmp_path, "e.yaml", YAML_EVENTS))))
    assert [e.id for e in events] == ["kaz-2009-04-21-longbow", "kaz-2009-05-brigade", "uzb-2008"]
    longbow, brigade, uzb = events
    assert longbow.actor == "KAZ" and brigade.actor == "KAZ"
    assert uzb.actor == "UZB", "a field of the event wins over the default"
    assert longbow.partner == "NATO" and longbow.source == "gazeta.ru, 2009-04-21"
    assert longbow.intensity == 1.0 and longbow.confidence == 1.0
    assert brigade.intensity == 2.5 and brigade.confidence == 0.8
    assert brigade.tags == ["csto", "rrf"]
    assert brigade.attrs == {"units": 1, "kind": "brigade", "airborne": True, "share": 0.5}
    assert uzb.quote == "We suspend"
    assert longbow.tags is None and longbow.attrs is None and longbow.quote is None


def test_partial_dates_are_kept_as_written(tmp_path: Path) -> None:
    events = by_id(models(load_events(str(write(tmp_path, "e.yaml", YAML_EVENTS)))))
    assert events["kaz-2009-05-brigade"].date == "2009-05"
    assert events["uzb-2008"].date == "2008", "a bare year stays the text the analyst wrote"
    assert events["kaz-2009-04-21-longbow"].date == "2009-04-21"


def test_partial_dates_count_as_the_first_day() -> None:
    assert parse_date("2008").isoformat() == "2008-01-01"
    assert parse_date("2009-05").isoformat() == "2009-05-01"
    assert parse_date("2012-02-29").isoformat() == "2012-02-29"


@pytest.mark.parametrize("text", ["2009-13-01", "2009-02-30", "2009-00", "2009-1-1", "09", "2009/01/01", "", "2011-02-29"])
def test_bad_dates(text: str) -> None:
    with pytest.raises(ValueError):
        parse_date(text)


def test_bare_list_of_events(tmp_path: Path) -> None:
    path = write(tmp_path, "e.yaml", "- {id: a, date: 2009, actor: KAZ, type: x}\n- {id: b, date: 2010, actor: KAZ, type: y}\n")
    assert [e.id for e in models(load_events(str(path)))] == ["a", "b"]


def test_jsonl(tmp_path: Path) -> None:
    lines = [
        {"id": "a", "date": "2009-04-21", "actor": "KAZ", "type": "exercise.decline", "partner": "NATO"},
        {"id": "b", "date": "2009-05", "actor": "KAZ", "type": "x", "intensity": 2, "tags": ["p"], "attrs": {"n": 3}},
    ]
    path = write(tmp_path, "e.jsonl", "\n".join(json.dumps(line) for line in lines) + "\n\n")
    a, b = models(load_events(str(path)))
    assert a.partner == "NATO" and a.intensity == 1.0
    assert b.date == "2009-05" and b.intensity == 2.0 and b.tags == ["p"] and b.attrs == {"n": 3}


def test_csv_tags_attrs_and_empty_cells(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "e.csv",
        "id,date,actor,type,partner,intensity,confidence,tags,attrs.units,attrs.airborne,attrs.code,attrs.kind\n"
        "a,2009-05,KAZ,forces.contribute,CSTO,2.5,0.8,csto;rrf,1,true,012,brigade\n"
        "b,2009,KAZ,diplomacy.meeting,,,,,,,,\n",
    )
    a, b = models(load_events(str(path)))
    assert a.tags == ["csto", "rrf"]
    assert a.intensity == 2.5 and a.confidence == 0.8
    assert a.attrs == {"units": 1, "airborne": True, "code": "012", "kind": "brigade"}
    assert b.partner is None and b.tags is None and b.attrs is None
    assert b.intensity == 1.0 and b.confidence == 1.0
    assert b.date == "2009"


def test_several_files_keep_input_order(tmp_path: Path) -> None:
    first = write(tmp_path, "a.yaml", "- {id: a1, date: 2010, actor: KAZ, type: x}\n")
    second = write(tmp_path, "b.jsonl", '{"id": "b1", "date": "2009", "actor": "KAZ", "type": "x"}\n')
    assert [e.id for e in models(load_events([str(first), str(second)]))] == ["a1", "b1"]


@pytest.mark.parametrize(
    ("fmt", "text"),
    [
        ("yaml", "events:\n  - {id: s1, date: 2009-05, actor: KAZ, type: x.y}\n"),
        ("jsonl", '{"id": "s1", "date": "2009-05", "actor": "KAZ", "type": "x.y"}\n'),
        ("csv", "id,date,actor,type\ns1,2009-05,KAZ,x.y\n"),
    ],
)
def test_standard_input_with_input_format(monkeypatch: pytest.MonkeyPatch, fmt: str, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    (event,) = models(load_events("-", fmt))
    assert (event.id, event.date, event.actor, event.type) == ("s1", "2009-05", "KAZ", "x.y")


@pytest.mark.parametrize(
    "text",
    [
        "events:\n  - {id: s1, date: 2009-05, actor: KAZ, type: x.y}\n",
        "- {id: s1, date: 2009-05, actor: KAZ, type: x.y}\n",
        '{"id": "s1", "date": "2009-05", "actor": "KAZ", "type": "x.y"}\n',
        '[\n  {"id": "s1", "date": "2009-05", "actor": "KAZ", "type": "x.y"}\n]\n',
        "id,date,actor,type\ns1,2009-05,KAZ,x.y\n",
        '"id","date","actor","type"\r\n"s1","2009-05","KAZ","x.y"\r\n',
        "\ufeffid\tdate\tactor\ttype\ns1\t2009-05\tKAZ\tx.y\n",
    ],
    ids=["yaml", "yaml-list", "jsonl", "json", "csv", "csv-quoted", "tsv-bom"],
)
def test_standard_input_is_told_by_what_it_holds(monkeypatch: pytest.MonkeyPatch, text: str) -> None:
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO(text.encode())))
    (event,) = models(load_events("-"))
    assert (event.id, event.date, event.actor, event.type) == ("s1", "2009-05", "KAZ", "x.y")


def test_standard_input_longer_than_what_is_looked_at_is_read_whole(monkeypatch: pytest.MonkeyPatch) -> None:
    lines = [f'{{"id": "e{i}", "date": "2009", "actor": "KAZ", "type": "x"}}' for i in range(5000)]
    monkeypatch.setattr(sys, "stdin", io.TextIOWrapper(io.BytesIO("\n".join(lines).encode())))
    assert len(load_events("-")) == 5000


def test_unknown_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "e.txt", "")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:1:1:") and "--input-format" in problem


def test_input_format_overrides_the_extension(tmp_path: Path) -> None:
    path = write(tmp_path, "e.txt", '{"id": "a", "date": "2009", "actor": "KAZ", "type": "x"}\n')
    assert [e.id for e in models(load_events(str(path), "jsonl"))] == ["a"]


# --- problems: YAML --------------------------------------------------------


def test_yaml_unknown_field(tmp_path: Path) -> None:
    path = write(tmp_path, "e.yaml", "events:\n  - id: a\n    date: 2009\n    actor: KAZ\n    type: x\n    colour: red\n")
    assert problems_of(path) == [f"{path}:6:5: field 'colour': unknown field"]


def test_yaml_wrong_types(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "e.yaml",
        """\
        events:
          - id: a
            date: 2009
            actor: KAZ
            type: x
            intensity: big
            partner: 12
            tags: [a, 1]
            attrs: {ok: 1, bad: [1, 2]}
        """,
    )
    found = problems_of(path)
    assert f"{path}:6:16: field 'intensity': expected a number, got text" in found
    assert f"{path}:7:14: field 'partner': expected text, got a number" in found
    assert any(p.startswith(f"{path}:8:15: field 'tags.1'") for p in found)
    assert any(p.startswith(f"{path}:9:25: field 'attrs.bad'") for p in found)
    assert len(found) == 4


@pytest.mark.parametrize("bad", ["2009-13-01", "2009-02-30", "2009-00-10", "21-04-2009", "April 2009"])
def test_yaml_bad_date(tmp_path: Path, bad: str) -> None:
    path = write(tmp_path, "e.yaml", f"events:\n  - id: a\n    date: {bad}\n    actor: KAZ\n    type: x\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:3:11: field 'date': ")
    assert bad in problem


def test_yaml_missing_required_field(tmp_path: Path) -> None:
    path = write(tmp_path, "e.yaml", "events:\n  - id: a\n    date: 2009\n    type: x\n  - date: 2009\n    actor: KAZ\n    type: x\n")
    assert problems_of(path) == [
        f"{path}:2:5: field 'actor': required field is missing",
        f"{path}:5:5: field 'id': required field is missing",
    ]


@pytest.mark.parametrize(
    ("line", "message"),
    [
        ("intensity: -1", "field 'intensity'"),
        ("intensity: .inf", "field 'intensity'"),
        ("confidence: 1.5", "field 'confidence'"),
        ("confidence: -0.1", "field 'confidence'"),
        ("confidence: true", "field 'confidence'"),
        ("type: Exercise Decline", "field 'type'"),
        ("id: ''", "field 'id'"),
    ],
)
def test_yaml_values_out_of_range(tmp_path: Path, line: str, message: str) -> None:
    fields = {"id": "a", "date": "2009", "actor": "KAZ", "type": "x"}
    name = line.split(":")[0]
    fields.pop(name, None)
    body = "".join(f"    {k}: {v}\n" for k, v in fields.items())
    path = write(tmp_path, "e.yaml", "events:\n  - " + body.lstrip() + f"    {line}\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:{len(fields) + 2}:"), problem
    assert message in problem


def test_a_bad_default_is_reported_where_the_default_is(tmp_path: Path) -> None:
    path = write(tmp_path, "e.yaml", "defaults: {actor: 7}\nevents:\n  - {id: a, date: 2009, type: x}\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:1:19: field 'actor'")


def test_a_bad_default_is_reported_once(tmp_path: Path) -> None:
    # One mistake in `defaults:` is one problem, however many events inherit it.
    path = write(
        tmp_path,
        "e.yaml",
        "defaults: {actor: KAZ, confidence: 2}\nevents:\n"
        "  - {id: a, date: 2009, type: x}\n  - {id: b, date: 2009, type: x}\n  - {id: c, date: 2009, type: x}\n",
    )
    found = problems_of(path)
    assert len(found) == 1, found
    assert found[0].startswith(f"{path}:1:36: field 'confidence'")


def test_yaml_unknown_top_level_key(tmp_path: Path) -> None:
    path = write(tmp_path, "e.yaml", "events: []\nevnets: []\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:2:1:") and "evnets" in problem


def test_yaml_event_that_is_not_a_mapping(tmp_path: Path) -> None:
    path = write(tmp_path, "e.yaml", "events:\n  - just text\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:2:5:")


def test_yaml_duplicate_key_in_an_event(tmp_path: Path) -> None:
    path = write(tmp_path, "e.yaml", "events:\n  - id: a\n    date: 2009\n    actor: KAZ\n    type: x\n    id: b\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:6:5: duplicate key 'id'")


def test_all_problems_of_all_files_together(tmp_path: Path) -> None:
    one = write(tmp_path, "one.yaml", "events:\n  - {id: a, date: 2009-13-01, actor: KAZ, type: x}\n")
    two = write(tmp_path, "two.jsonl", '{"id": "b", "date": "2009", "actor": "KAZ", "type": "x", "extra": 1}\n')
    found = problems_of([one, two])
    assert [p.split(": ")[0] for p in found] == [f"{one}:2:19", f"{two}:1:58"]


# --- problems: duplicate ids -----------------------------------------------


def test_duplicate_id_across_two_files(tmp_path: Path) -> None:
    one = write(tmp_path, "one.yaml", "events:\n  - {id: a, date: 2009, actor: KAZ, type: x}\n  - {id: same, date: 2009, actor: KAZ, type: x}\n")
    two = write(tmp_path, "two.csv", "id,date,actor,type\nb,2009,KAZ,x\nsame,2010,UZB,y\n")
    (problem,) = problems_of([one, two])
    assert problem.startswith(f"{two}:3:")
    assert "field 'id'" in problem and "'same'" in problem
    assert f"{one}:3" in problem, "the message says where the id was first used"


def test_duplicate_id_within_one_file(tmp_path: Path) -> None:
    path = write(tmp_path, "e.jsonl", '{"id": "a", "date": "2009", "actor": "KAZ", "type": "x"}\n' * 2)
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:2:") and "field 'id'" in problem


# --- problems: JSON Lines and CSV ------------------------------------------


def test_jsonl_problems_name_the_line_and_field(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "e.jsonl",
        '{"id": "a", "date": "2009", "actor": "KAZ", "type": "x", "colour": "red"}\n'
        '{"id": "b", "date": "2009-02-30", "actor": "KAZ", "type": "x"}\n'
        '{"id": "c", "date": "2009", "type": "x"}\n'
        "{broken\n"
        '{"id": "d", "date": "2009", "actor": "KAZ", "type": "x", "intensity": "2"}\n',
    )
    found = problems_of(path)
    assert [p.split(": ")[0].rsplit(":", 1)[0] for p in found] == [f"{path}:{n}" for n in (1, 2, 3, 4, 5)]
    assert "field 'colour'" in found[0]
    assert "field 'date'" in found[1]
    assert "field 'actor'" in found[2] and "missing" in found[2]
    assert "JSON" in found[3]
    assert "field 'intensity'" in found[4]


def test_csv_problems_name_the_row_and_column(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "e.csv",
        "id,date,actor,type,intensity,colour\n"
        "a,2009,KAZ,x,1,\n"
        "b,2009-13-01,KAZ,x,1,\n"
        "c,2009,KAZ,x,lots,\n"
        "d,2009,KAZ,x,1,red\n",
    )
    found = problems_of(path)
    assert found == [
        f"{path}:3:2: field 'date': bad date '2009-13-01': no such day",
        f"{path}:4:5: field 'intensity': expected a number, got 'lots'",
        f"{path}:5:6: field 'colour': unknown field",
    ]


def test_csv_missing_required_column(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "id,date,type\na,2009,x\n")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:2:") and "field 'actor'" in problem


def test_empty_csv(tmp_path: Path) -> None:
    path = write(tmp_path, "e.csv", "")
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:1:1:")


def test_missing_file(tmp_path: Path) -> None:
    (problem,) = problems_of(tmp_path / "nope.yaml")
    assert problem.startswith(f"{tmp_path / 'nope.yaml'}:1:1:")


def test_csv_rows_are_numbered_by_the_line_they_start_on(tmp_path: Path) -> None:
    # A quoted summary may run over several lines; the next row's line is where it starts in the file.
    path = write(
        tmp_path,
        "e.csv",
        'id,date,actor,type,summary\na,2009,KAZ,x,"line one\nline two, with a comma"\nb,2009-13-01,KAZ,x,ok\n',
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:4:2: field 'date'")


def test_jsonl_blank_lines_keep_line_numbers(tmp_path: Path) -> None:
    path = write(
        tmp_path,
        "e.jsonl",
        '{"id": "a", "date": "2009", "actor": "KAZ", "type": "x"}\n\n\n'
        '{"id": "b", "date": "2009-13-01", "actor": "KAZ", "type": "x"}\n',
    )
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:4:") and "field 'date'" in problem


def test_jsonl_lines_end_at_newlines_alone(tmp_path: Path) -> None:
    # U+2028, U+0085 and a form feed inside a JSON string are text, not line breaks.
    good = '{"id": "%s", "date": "2009", "actor": "KAZ", "type": "x", "summary": "a%sb"}\n'
    text = "".join(good % (f"e{i}", sep) for i, sep in enumerate(["\u2028", "\u0085", "\u2029"]))
    path = write(tmp_path, "e.jsonl", text + '{"id": "b", "date": "2009-13-01", "actor": "KAZ", "type": "x"}\r\n')
    (problem,) = problems_of(path)
    assert problem.startswith(f"{path}:4:") and "field 'date'" in problem
    path = write(tmp_path, "f.jsonl", text)
    assert [e.summary for e in models(load_events(str(path)))] == ["a\u2028b", "a\u0085b", "a\u2029b"]


def test_byte_order_mark_and_windows_line_endings(tmp_path: Path) -> None:
    csv_path = tmp_path / "e.csv"
    csv_path.write_bytes(b"\xef\xbb\xbfid,date,actor,type\r\na,2009,KAZ,x\r\n")
    (event,) = models(load_events(str(csv_path)))
    assert event.id == "a"
    yaml_path = tmp_path / "e.yaml"
    yaml_path.write_bytes(b"events:\r\n  - {id: a, date: 2009-13-01, actor: KAZ, type: x}\r\n")
    (problem,) = problems_of(yaml_path)
    assert problem.startswith(f"{yaml_path}:2:19:")
