"""`weights set` keeps every style of YAML valid: flow mappings of any shape, anchors and tags, CRLF,
no final newline; it writes numbers every YAML 1.1 reader reads as numbers, and takes -1e3 as a weight."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
import yaml
from conftest import Run

from scorer.pack.edit import format_weight

HEAD = "scoring: {axes: [nato, russia], balance: {plus: nato, minus: russia}}\nrules:\n  - id: r1\n    when: {type: a.b}\n"

SIGNALS = {
    "trailing comma": "    signals: {nato: 1.0, }\n",
    "multi-line, trailing comma": "    signals: {\n      nato: 1.0,\n    }\n",
    "comment inside the braces": "    signals: {nato: 1.0  # the west\n    }\n",
    "anchor and tag": "    signals: {nato: &w !!float 1.0}\n",
    "block": "    signals:\n      nato: 1.0\n",
}


def _set(tmp_path: Path, cli: Callable[..., Run], text: str, axis: str, weight: str, newline: str = "\n") -> bytes:
    path = tmp_path / "pack.yaml"
    path.write_bytes(text.replace("\n", newline).encode())
    done = cli("weights", "set", "r1", axis, weight, "--rules", path)
    assert done.code == 0, done.err
    return path.read_bytes()


def _signals(data: bytes) -> dict[str, float]:
    """The rule's signals as PyYAML (a YAML 1.1 reader) reads them."""
    return dict(yaml.safe_load(data.decode())["rules"][0]["signals"])


@pytest.mark.parametrize("shape", list(SIGNALS))
@pytest.mark.parametrize("axis", ["nato", "russia"])
def test_every_shape_stays_valid(tmp_path: Path, cli: Callable[..., Run], shape: str, axis: str) -> None:
    data = _set(tmp_path, cli, HEAD + SIGNALS[shape], axis, "2.5")
    assert _signals(data) == ({"nato": 2.5} if axis == "nato" else {"nato": 1.0, "russia": 2.5})
    if shape == "anchor and tag":
        assert b"&w !!float" in data
    if shape == "comment inside the braces":
        assert b"# the west" in data


@pytest.mark.parametrize("final_newline", [True, False])
def test_crlf_and_a_missing_final_newline_are_kept(tmp_path: Path, cli: Callable[..., Run], final_newline: bool) -> None:
    text = HEAD + SIGNALS["block"]
    data = _set(tmp_path, cli, text if final_newline else text[:-1], "russia", "-1", newline="\r\n")
    assert b"\n" not in data.replace(b"\r\n", b"")
    assert data.endswith(b"\r\n") == final_newline
    assert _signals(data) == {"nato": 1.0, "russia": -1.0}


@pytest.mark.parametrize("weight", ["1e-05", "-1e3", "2.5e-07", "0.1", "-0.0", "-2E+5"])
def test_numbers_read_as_numbers_and_negative_weights_need_no_dashes(
    tmp_path: Path, cli: Callable[..., Run], weight: str
) -> None:
    data = _set(tmp_path, cli, HEAD + SIGNALS["block"], "nato", weight)
    assert _signals(data)["nato"] == float(weight)


def test_format_weight() -> None:
    assert format_weight(1e-05) == "1.0e-05"
    assert format_weight(1e16) == "1.0e+16"
    assert format_weight(2.5e-07) == "2.5e-07"
    assert format_weight(3.0, "1") == "3"
