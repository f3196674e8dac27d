"""The HTML report: self-contained, escaped, and rendered by a real browser (headless Chromium) without errors.

The browser is driven over the Chrome DevTools protocol on a pipe
(`--remote-debugging-pipe`: JSON messages separated by NUL bytes on file
descriptors 3 and 4), so no websocket library is needed. Without Chromium the
browser test is skipped on a developer's machine; in CI (CI=true) it must run.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import json
import os
import re
import select
import shutil
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from scorer.cli import main

ROOT = Path(__file__).resolve().parents[2]
FIXTURE = ROOT / "fixtures" / "kazakhstan-2009.yaml"

HOSTILE = "<script>document.title='pwned';alert(1)</script>"

RULES = """\
scoring: {axes: [nato, russia], balance: {plus: nato, minus: russia}, half_life_days: 730}
rules:
  - id: join-west
    description: "Joins a <b>western</b> exercise <script>document.title='pwned'</script>"
    when: {type: exercise.join, partner: NATO}
    signals: {nato: 1.5, russia: -0.25}
  - id: buy-russian
    when: {type: arms.acquire, partner: RUS}
    signals: {russia: 2.0}
"""

EVENTS = f"""\
defaults: {{actor: KAZ}}
events:
  - id: join
    date: 2003-05
    type: exercise.join
    partner: NATO
    summary: "{HOSTILE}"
    source: "<img src=x onerror=\\"document.title='pwned'\\">"
    quote: "It's \\"fine\\" & <i>safe</i>"
  - id: "buy<b>1</b>"
    date: 2006
    type: arms.acquire
    partner: RUS
    summary: Costs $5 and $6 million
  - id: talk
    date: 2007-02-01
    type: diplomacy.meeting
    partner: USA
    summary: Talks nobody coded a rule for
"""


@pytest.fixture()
def hostile_report(tmp_path: Path) -> Path:
    (tmp_path / "rules.yaml").write_text(RULES)
    (tmp_path / "events.yaml").write_text(EVENTS)
    out = tmp_path / "report.html"
    argv = ["explain", str(tmp_path / "events.yaml"), "--rules", str(tmp_path / "rules.yaml"), "--format", "html"]
    assert main([*argv, "--output", str(out)]) == 0
    return out


def test_input_text_is_escaped(hostile_report: Path) -> None:
    page = hostile_report.read_text()
    assert "<script" not in page.lower()
    assert "<img" not in page and "<b>" not in page and "<i>" not in page
    assert "&lt;script&gt;document.title=&#x27;pwned&#x27;;alert(1)&lt;/script&gt;" in page
    assert "buy&lt;b&gt;1&lt;/b&gt;" in page


def test_self_contained(hostile_report: Path) -> None:
    page = hostile_report.read_text()
    # Only the SVG and XLink namespaces name a URL; nothing is fetched.
    urls = set(re.findall(r"https?://[^\s\"'<>)]+", page))
    assert urls == {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}
    assert not re.search(r"<(link|script|iframe|object|embed)\b", page, re.I)
    assert not re.search(r"<[a-zA-Z][^>]*\s(src|href)=[\"']?[a-z]+:", page)
    assert "Content-Security-Policy" in page


@pytest.mark.slow
def test_same_input_same_bytes(hostile_report: Path, tmp_path: Path) -> None:
    again = tmp_path / "again.html"
    argv = ["explain", str(tmp_path / "events.yaml"), "--rules", str(tmp_path / "rules.yaml"), "--format", "html"]
    assert main([*argv, "--output", str(again)]) == 0
    assert again.read_bytes() == hostile_report.read_bytes()


def test_markdown_escapes_input_text(tmp_path: Path, hostile_report: Path, capsys: pytest.CaptureFixture[str]) -> None:
    argv = ["explain", str(tmp_path / "events.yaml"), "--rules", str(tmp_path / "rules.yaml"), "--format", "markdown"]
    assert main(argv) == 0
    text = capsys.readouterr().out
    assert "<script" not in text and "<img" not in text
    assert "&lt;script&gt;" in text
    assert "`buy<b>1</b>`" in text  # inside a code span markdown shows it as written


def test_every_rule_line_names_where_it_is_defined(hostile_report: Path, tmp_path: Path) -> None:
    page = hostile_report.read_text()
    rules = str(tmp_path / "rules.yaml")
    text = re.sub(r"<svg.*?</svg>", "", page, flags=re.S).replace("<wbr>", "")  # paths may wrap after / and :
    for rule, line in (("join-west", 3), ("buy-russian", 7)):
        rows = [row for row in re.split(r"<tr|<li|<p", text) if rule in row]
        assert rows
        assert all(f"{rules}:{line}" in row for row in rows), rule


# --- the browser -------------------------------------------------------------------------------


class DevTools:
    """A minimal Chrome DevTools protocol client over `--remote-debugging-pipe`."""

    def __init__(self, binary: str, profile: Path) -> None:
        to_browser_r, to_browser_w = os.pipe()
        from_browser_r, from_browser_w = os.pipe()
        # Out of the way of 3 and 4, which the browser must find them on.
        child_in = fcntl.fcntl(to_browser_r, fcntl.F_DUPFD_CLOEXEC, 10)
        child_out = fcntl.fcntl(from_browser_w, fcntl.F_DUPFD_CLOEXEC, 10)
        os.close(to_browser_r)
        os.close(from_browser_w)

        def wire() -> None:
            os.dup2(child_in, 3)
            os.dup2(child_out, 4)

        self.process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-dev-shm-usage",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--no-first-run",
                "--no-default-browser-check",
                "--hide-scrollbars",
                "--remote-debugging-pipe",
                f"--user-data-dir={profile}",
                "--window-size=1280,900",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=wire,
        )
        os.close(child_in)
        os.close(child_out)
        self.write, self.read = to_browser_w, from_browser_r
        self.buffer = b""
        self.next_id = 0
        self.events: list[dict[str, Any]] = []

    def send(self, method: str, params: dict[str, Any] | None = None, session: str | None = None) -> dict[str, Any]:
        self.next_id += 1
        message: dict[str, Any] = {"id": self.next_id, "method": method, "params": params or {}}
        if session:
            message["sessionId"] = session
        os.write(self.write, json.dumps(message).encode() + b"\0")
        reply = self._until(lambda m: m.get("id") == self.next_id)
        if "error" in reply:
            raise RuntimeError(f"{method}: {reply['error']}")
        result: dict[str, Any] = reply.get("result", {})
        return result

    def wait_for(self, method: str, session: str, timeout: float = 30.0) -> dict[str, Any]:
        """The first such event of this session since `events` was last cleared."""
        for event in self.events:
            if event.get("method") == method and event.get("sessionId") == session:
                return event
        return self._until(lambda m: m.get("method") == method and m.get("sessionId") == session, timeout)

    def _until(self, wanted: Any, timeout: float = 30.0) -> dict[str, Any]:
        deadline = time.monotonic() + timeout
        while True:
            while b"\0" in self.buffer:
                raw, self.buffer = self.buffer.split(b"\0", 1)
                message = json.loads(raw)
                if "method" in message:
                    self.events.append(message)
                if wanted(message):
                    return dict(message)
            left = deadline - time.monotonic()
            if left <= 0 or not select.select([self.read], [], [], left)[0]:
                raise TimeoutError("no answer from the browser")
            chunk = os.read(self.read, 1 << 20)
            if not chunk:
                raise RuntimeError("the browser closed the connection")
            self.buffer += chunk

    def close(self) -> None:
        with contextlib.suppress(RuntimeError, TimeoutError, OSError):
            self.send("Browser.close")
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        os.close(self.write)
        os.close(self.read)


def chromium() -> str:
    binary = shutil.which("chromium")
    if binary is None:
        if os.environ.get("CI") == "true":
            pytest.fail("chromium is not installed: .ci/run installs Debian's chromium package")
        pytest.skip("chromium is not installed (apt-get install chromium)")
    return binary


@pytest.fixture(scope="module")
def browser(tmp_path_factory: pytest.TempPathFactory) -> Iterator[DevTools]:
    tools = DevTools(chromium(), tmp_path_factory.mktemp("profile"))
    try:
        yield tools
    finally:
        tools.close()


PROBE = """JSON.stringify({
  title: document.title,
  scripts: document.scripts.length,
  charts: [...document.querySelectorAll('figure svg')].map(s => {
    const box = s.getBoundingClientRect(); return [box.width, box.height, s.querySelectorAll('path').length];
  }),
  tables: [...document.querySelectorAll('table')].map(t => t.rows.length),
  headings: [...document.querySelectorAll('h2, h3')].map(h => h.textContent),
  tooltips: [...document.querySelectorAll('svg g[id^="a1-event-"] > title')].map(t => t.textContent),
  summary: [...document.querySelectorAll('p.summary')].map(p => p.textContent),
  quote: [...document.querySelectorAll('p.quote')].map(p => p.textContent),
  injected: document.querySelectorAll('b, i, img, iframe').length,
  text: document.body.innerText,
})"""


def open_page(browser: DevTools, page: Path) -> tuple[str, dict[str, Any], list[dict[str, Any]]]:
    browser.events.clear()
    target = browser.send("Target.createTarget", {"url": "about:blank"})["targetId"]
    session = browser.send("Target.attachToTarget", {"targetId": target, "flatten": True})["sessionId"]
    for domain in ("Page", "Runtime", "Log"):
        browser.send(f"{domain}.enable", session=session)
    browser.send("Page.navigate", {"url": page.as_uri()}, session)
    browser.wait_for("Page.loadEventFired", session)
    found = browser.send("Runtime.evaluate", {"expression": PROBE, "returnByValue": True}, session)
    problems = [
        event
        for event in browser.events
        if event.get("sessionId") == session
        and (
            event.get("method") in ("Runtime.exceptionThrown", "Page.javascriptDialogOpening")
            or (event.get("method") == "Runtime.consoleAPICalled" and event["params"]["type"] in ("error", "assert"))
            or (event.get("method") == "Log.entryAdded" and event["params"]["entry"]["level"] == "error")
        )
    ]
    return session, json.loads(found["result"]["value"]), problems


@pytest.mark.slow
def test_report_renders_in_chromium(browser: DevTools, hostile_report: Path) -> None:
    _, page, problems = open_page(browser, hostile_report)
    assert problems == []
    assert page["title"] == "Alignment report: KAZ"  # the hostile summary did not get to set it
    assert page["scripts"] == 0 and page["injected"] == 0
    # The balance over time, the waterfalls by event and by rule, the sensitivity tornado: drawn, with size.
    assert len(page["charts"]) == 4
    assert all(width > 300 and height > 100 and paths > 5 for width, height, paths in page["charts"])
    assert len(page["tooltips"]) == 3 and HOSTILE in page["tooltips"][0]
    assert page["summary"][0] == HOSTILE  # shown as text
    assert page["quote"] == ['“It\'s "fine" & <i>safe</i>”']
    headings = page["headings"]
    for heading in ("Balance over time", "What drives the final balance", "Rules", "Events", "Unmatched events"):
        assert heading in headings
    # Waterfall tables (2), sensitivity, rules, events, unmatched: each with its rows.
    assert len(page["tables"]) == 6 and all(rows >= 2 for rows in page["tables"])
    assert "buy<b>1</b>" in page["text"] and "Talks nobody coded a rule for" in page["text"]


@pytest.mark.slow
def test_kazakhstan_report_renders_in_chromium(browser: DevTools, tmp_path: Path) -> None:
    out = tmp_path / "kazakhstan.html"
    assert main(["explain", str(FIXTURE), "--actor", "KAZ", "--format", "html", "--output", str(out)]) == 0
    session, page, problems = open_page(browser, out)
    assert problems == []
    assert len(page["charts"]) == 4 and all(w > 300 and h > 100 for w, h, _ in page["charts"])
    # One marker with its tooltip per event, as many as the events table (the last table) has rows.
    assert len(page["tooltips"]) == page["tables"][-1] - 1 > 0
    shot = browser.send("Page.captureScreenshot", {"format": "png"}, session)
    assert base64.b64decode(shot["data"]).startswith(b"\x89PNG")


@pytest.mark.slow
def test_no_table_is_wider_than_the_window(browser: DevTools, tmp_path: Path) -> None:
    # A pack deep in folders with long rule ids: the sensitivity table's "defined at" column is long.
    deep = tmp_path.joinpath(*["a-rather-long-folder-name"] * 5)
    deep.mkdir(parents=True)
    rules = deep / "rules-of-the-analysis-team.yaml"
    rules.write_text(RULES.replace("join-west", "joins-a-western-exercise-with-partners").replace("buy-russian", "buys-russian-arms-and-spares"))
    events = tmp_path / "events.yaml"
    events.write_text(EVENTS)
    out = tmp_path / "wide.html"
    assert main(["explain", str(events), "--rules", str(rules), "--format", "html", "--output", str(out)]) == 0
    session, _, problems = open_page(browser, out)
    assert problems == []
    probe = "JSON.stringify([document.documentElement.scrollWidth, window.innerWidth])"
    found = browser.send("Runtime.evaluate", {"expression": probe, "returnByValue": True}, session)
    scroll, inner = json.loads(found["result"]["value"])
    assert scroll <= inner
