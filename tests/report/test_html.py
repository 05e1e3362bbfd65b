"""The HTML report in a real browser (the system's Chromium, driven by Playwright): it loads
with no console or page error, every section is there, and data that holds HTML or script
is shown as text and never runs. Screenshots go to $TFDOCTOR_ARTIFACTS (else the test's
temporary folder) as artifacts of the run."""

from __future__ import annotations

import json
import os
import random
import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from typer.testing import CliRunner

import tfdoctor
from tfdoctor.cli import app
from tfdoctor.demo import write_demo
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

PAYLOADS = [
    "<script>window.__pwned = 1</script>",
    '<img src=x onerror="window.__pwned = 2">',
    '"><svg onload="window.__pwned = 3">',
    "</title><script>window.__pwned = 4</script>",
    "\x1b[31mred\x1b[0m",
]


def _chromium() -> str | None:
    for name in (os.environ.get("TFDOCTOR_CHROMIUM"), "chromium", "chromium-browser", "google-chrome"):
        if name and shutil.which(name):
            return shutil.which(name)
    return None


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    sync_api = pytest.importorskip("playwright.sync_api")
    executable = _chromium()
    if executable is None:
        pytest.skip("no Chromium on this machine (.ci/run installs Debian's chromium package)")
    with sync_api.sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=executable, args=["--no-sandbox"])
        yield launched
        launched.close()


class Page:
    """A report opened in the browser, with every console message and page error it gave."""

    def __init__(self, browser: Any, path: Path) -> None:
        self.page = browser.new_page(viewport={"width": 1280, "height": 900})
        self.console: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.page.on("console", lambda m: self.console.append(f"{m.type}: {m.text}"))
        self.page.on("pageerror", lambda e: self.errors.append(str(e)))
        self.page.on("dialog", lambda d: (self.dialogs.append(d.message), d.dismiss()))
        self.page.goto(path.as_uri())

    def count(self, selector: str) -> int:
        return int(self.page.locator(selector).count())

    def screenshot(self, name: str, folder: Path) -> Path:
        target = Path(os.environ.get("TFDOCTOR_ARTIFACTS") or folder) / f"{name}.png"
        target.parent.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(target), full_page=True)
        return target


def test_the_demo_report_renders_every_section(browser: Any, tmp_path: Path) -> None:
    paths = [str(p) for p in write_demo(tmp_path / "data")]
    out = tmp_path / "report.html"
    res = CliRunner().invoke(app, ["scan", *paths, "--label", "label", "--html", str(out), "--json"])
    assert res.exit_code == 1  # the demo plants a corrupt record
    report = json.loads(res.stdout)
    page = Page(browser, out)
    assert page.console == [] and page.errors == []
    for section in ("#verdict", "#findings", "#labels", "#features", "#files", "#rules"):
        assert page.count(section) == 1, section
    assert page.count("tr.finding") == len(report["findings"])
    assert page.count("tr.feature") == len(report["features"])
    assert page.count("details[id^=rule-]") == len({f["code"] for f in report["findings"]})
    assert "1 error(s)" in page.page.inner_text("#verdict")
    # thumbnails: 4 images of each of the 5 labels, decoded by the browser, labels in order
    assert page.count("img.thumb") == 20
    assert page.page.evaluate("Array.from(document.images).every(i => i.complete && i.naturalWidth > 0)")
    rows = page.page.locator(".thumbrow span").all_inner_texts()
    assert rows == ["0", "1", "2", "3", "4"]
    assert (
        page.count("svg.chart") >= 3 and page.count("svg.strip") >= 3
    )  # classes, files, sizes; numeric strips
    assert page.screenshot("demo-report", tmp_path).stat().st_size > 10_000
    # the saved JSON renders the same page
    saved = tmp_path / "saved.json"
    saved.write_text(res.stdout)
    again = tmp_path / "again.html"
    assert CliRunner().invoke(app, ["report", str(saved), "--html", str(again)]).exit_code == 0
    assert again.read_text() == out.read_text()


def test_data_that_holds_html_or_script_is_shown_as_text(browser: Any, tmp_path: Path) -> None:
    records = [
        example(
            {payload: [float(i)] for payload in PAYLOADS} | {"note": PAYLOADS[i % len(PAYLOADS)].encode()}
        )
        for i in range(40)
    ]
    path = tmp_path / "<b onclick=x>evil.tfrecord"
    write_tfrecord(path, records)
    result = tfdoctor.scan([str(path)], config=tfdoctor.Config())
    out = tmp_path / "evil.html"
    result.write_html(out)
    page = Page(browser, out)
    assert page.errors == [] and page.dialogs == []
    assert page.page.evaluate("window.__pwned") is None
    # nothing from the data became an element or an attribute
    assert page.count("script") == 0 and page.count("b") == 0
    assert page.page.evaluate("document.querySelectorAll('[onerror], [onload]').length") == 0
    text = page.page.inner_text("body")
    for payload in PAYLOADS[:4]:
        assert payload in text, payload  # shown, as text
    assert "\\x1b[31mred\\x1b[0m" in text  # control characters shown as escapes
    assert "<b onclick=x>evil.tfrecord" in text
    page.screenshot("escaping", tmp_path)


def test_an_audited_pipeline_marks_its_flagged_steps(browser: Any, tf: Any, tmp_path: Path) -> None:
    dataset = tf.data.Dataset.range(64).map(lambda x: (tf.cast(x, tf.float32), x % 2)).batch(1)
    result = tfdoctor.audit(dataset, batches=4, seconds=10, label="[1]", config=tfdoctor.Config())
    out = tmp_path / "pipeline.html"
    result.write_html(out)
    page = Page(browser, out)
    assert page.console == [] and page.errors == []
    assert page.count("#pipeline") == 1
    flagged = page.page.locator("tr.flagged").all_inner_texts()
    assert any("batch(1)" in row and "TFD504" in row for row in flagged), flagged
    page.screenshot("pipeline-report", tmp_path)


def test_real_files_render(browser: Any, realdata: Path, tmp_path: Path) -> None:
    result = tfdoctor.scan([str(realdata)], config=tfdoctor.Config())
    assert result.stats.records > 0
    out = tmp_path / "realdata.html"
    result.write_html(out)
    page = Page(browser, out)
    assert page.console == [] and page.errors == []
    assert page.count("tr.feature") == len(result.stats.features)
    page.screenshot("realdata-report", tmp_path)


def test_results_show_themselves_in_notebooks(tmp_path: Path) -> None:
    path = tmp_path / "a.tfrecord"
    write_tfrecord(path, [example({"x": float(i), "label": i % 3}) for i in range(30)])
    result = tfdoctor.scan([str(path)], config=tfdoctor.Config())
    fragment = result._repr_html_()
    assert (
        fragment.lstrip().startswith("<style>") and "<html" not in fragment and 'class="tfdoctor"' in fragment
    )
    assert "<!DOCTYPE html>" in result.html()


def test_report_refuses_what_is_not_a_report(tmp_path: Path) -> None:
    other = tmp_path / "other.json"
    other.write_text('{"hello": 1}')
    res = CliRunner().invoke(app, ["report", str(other), "--html", str(tmp_path / "o.html")])
    assert res.exit_code == 2 and "not a tfdoctor JSON report" in " ".join(res.output.split())
    path = tmp_path / "a.tfrecord"
    write_tfrecord(path, [example({"x": 1.0})])
    saved = tmp_path / "saved.json"
    saved.write_text(json.dumps(tfdoctor.scan([str(path)], config=tfdoctor.Config()).to_json()))
    before = saved.read_bytes()
    res = CliRunner().invoke(app, ["report", str(saved), "--html", str(saved)])  # over its own input
    assert res.exit_code == 2 and "refusing to write" in " ".join(res.output.split())
    assert saved.read_bytes() == before


def test_thumbnails_are_bounded_and_never_fail(tmp_path: Path) -> None:
    import base64
    import io as bytes_io

    from PIL import Image

    from tfdoctor.report.thumbnails import thumbnail, thumbnails

    png = bytes_io.BytesIO()
    Image.new("RGB", (300, 120), (200, 10, 10)).save(png, format="PNG")
    uri = thumbnail(png.getvalue())
    assert uri is not None and uri.startswith("data:image/png;base64,")
    small = Image.open(bytes_io.BytesIO(base64.b64decode(uri.split(",", 1)[1])))
    assert small.size == (64, 26)  # the longer side 64 pixels, the aspect kept
    assert thumbnail(b"\x89PNG\r\n\x1a\n not really") is None and thumbnail(b"") is None
    path = tmp_path / "imgs.tfrecord"
    records = [example({"image": png.getvalue(), "label": i % 3}) for i in range(30)]
    write_tfrecord(path, [*records, example({"image": b"\xff\xd8\xff broken jpeg", "label": 7})])
    report = tfdoctor.scan([str(path)], label="label", config=tfdoctor.Config()).to_json()
    shown = thumbnails(report)
    assert list(shown) == ["image"] and list(shown["image"]) == ["0", "1", "2"]  # label 7's image is broken
    assert all(len(uris) == 4 for uris in shown["image"].values())
    path.unlink()  # a saved report whose files are gone: no thumbnails, no error
    assert thumbnails(report) == {}


def test_a_compare_report_shows_both_sides_and_the_drift(browser: Any, tmp_path: Path) -> None:
    rng = random.Random(0)
    train, held = tmp_path / "train.tfrecord", tmp_path / "eval.tfrecord"
    write_tfrecord(train, [example({"label": i % 3, "x": rng.random()}) for i in range(600)])
    write_tfrecord(held, [example({"label": i % 2, "x": rng.random() * 255}) for i in range(300)])
    result = tfdoctor.compare(str(train), str(held))
    report = result.to_json()
    out = tmp_path / "compare.html"
    result.write_html(out)
    page = Page(browser, out)
    assert page.console == [] and page.errors == []
    assert page.count("#sides") == 1 and page.count("tr.side") == 2
    assert page.count("tr.drift") == len(report["drift"]) == 2
    rows = page.page.locator("tr.drift").all_inner_texts()
    assert rows[0].startswith("x") and "TFD211" in rows[0]  # the largest drift first, with its finding
    page.screenshot("compare-report", tmp_path)
