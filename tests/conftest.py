"""Shared fixtures. TensorFlow is imported once per test process, lazily."""

from __future__ import annotations

import os
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import settings

os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")

# Property tests run the same cases every time (CI and local runs alike), so a red run is
# reproducible and a green one is not luck; HYPOTHESIS_PROFILE=explore draws fresh cases.
settings.register_profile("ci", derandomize=True, database=None, deadline=None)
settings.register_profile("explore", derandomize=False, deadline=None, max_examples=1000)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))

REALDATA = Path(
    os.environ.get("TFDOCTOR_REALDATA", Path(__file__).resolve().parents[2] / "shared" / "realdata")
)


@pytest.fixture(scope="session")
def tf() -> Any:
    return pytest.importorskip("tensorflow")


@pytest.fixture(autouse=True)
def _wording_calls_start_at_zero() -> None:
    """The rule tests' n-th check() is their n-th wording-snapshot entry (facts_builders), even
    where a test runs twice in one process (mutmut runs tests again in forks of a process that
    already ran them)."""
    builders = sys.modules.get("facts_builders")
    if builders is not None:
        builders._calls.clear()


@pytest.fixture(autouse=True)
def _no_global_seed_after() -> Any:
    """A test that seeds TensorFlow globally (`keras.utils.set_random_seed`) must not fix the
    random ops of every later test's pipelines (TFD402 reads the global seed): clear it."""
    yield
    tf = sys.modules.get("tensorflow")
    if tf is not None:
        tf.random.set_seed(None)


@pytest.fixture(scope="session")
def beam() -> Any:
    return pytest.importorskip("apache_beam")


@pytest.fixture(scope="session")
def realdata() -> Path:
    if not REALDATA.is_dir():
        pytest.skip(f"real data folder {REALDATA} not present (set TFDOCTOR_REALDATA)")
    return REALDATA


def tf_example(tf: Any, features: dict[str, Any]) -> bytes:
    """A tf.train.Example built by TensorFlow's own classes."""
    feats = {}
    for name, value in features.items():
        values = value if isinstance(value, list) else [value]
        if values and isinstance(values[0], float):
            feats[name] = tf.train.Feature(float_list=tf.train.FloatList(value=values))
        elif values and isinstance(values[0], bytes):
            feats[name] = tf.train.Feature(bytes_list=tf.train.BytesList(value=values))
        else:
            feats[name] = tf.train.Feature(int64_list=tf.train.Int64List(value=values))
    return tf.train.Example(features=tf.train.Features(feature=feats)).SerializeToString()  # type: ignore[no-any-return]


def tf_read(tf: Any, path: Path | str, compression: str = "") -> tuple[list[bytes], str | None]:
    """Records TensorFlow's C++ reader yields, and its error message if it stops with one."""
    out: list[bytes] = []
    try:
        for rec in tf.data.TFRecordDataset(str(path), compression_type=compression):
            out.append(rec.numpy())
    except tf.errors.DataLossError as exc:
        return out, str(exc)
    return out, None


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Mark every test that takes the `tf` fixture: `pytest -m "not tensorflow"` runs the fast
    suite (rules on hand-built facts, the scan, the spec readers) without TensorFlow."""
    for item in items:
        if "tf" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.tensorflow)
        if "beam" in getattr(item, "fixturenames", ()):
            item.add_marker(pytest.mark.beam)


def pytest_sessionfinish(session: pytest.Session, exitstatus: int) -> None:
    """With the real files present, the suite skips nothing: a skip there hides a test that
    should have run (TFDOCTOR_ALLOW_SKIPS=1 allows it, for a partial local run)."""
    reporter = session.config.pluginmanager.get_plugin("terminalreporter")
    skipped = reporter.stats.get("skipped", []) if reporter is not None else []
    if skipped and exitstatus == 0 and REALDATA.is_dir() and not os.environ.get("TFDOCTOR_ALLOW_SKIPS"):
        names = ", ".join(str(getattr(r, "nodeid", r)) for r in skipped[:5])
        if reporter is not None:
            reporter.write_line(f"{len(skipped)} test(s) skipped with {REALDATA} present: {names}", red=True)
        session.exitstatus = pytest.ExitCode.TESTS_FAILED


def add_records(acc: Any, records: list[bytes], file: str = "f", start: int = 0) -> None:
    """Each serialized record parsed by protobuf and added to the DatasetAccumulator `acc` as
    the scan adds it, numbered from `start` in `file`."""
    from tfdoctor.proto.decode import parse

    facts = acc.file(file)
    for i, rec in enumerate(records, start=start):
        msg = parse(rec)
        assert not isinstance(msg, str)
        assert acc.add(msg, facts, i) is None


def one_label_per_file(
    folder: Path, files: int, per_file: int, name: str = "class-{k}.tfrecord"
) -> list[str]:
    """`files` TFRecord files, file k holding `per_file` Examples {label: k, x: 0.0, 1.0, ...}:
    label-sorted data, as per-class pipelines and sorted exports store it."""
    from tfdoctor.io.writer import write_tfrecord
    from tfdoctor.proto.build import example

    paths = []
    for k in range(files):
        path = folder / name.format(k=k, n=files)
        write_tfrecord(path, [example({"label": k, "x": float(i)}) for i in range(per_file)])
        paths.append(str(path))
    return paths


def parse_x_label(tf: Any) -> Any:
    """A parse function of such records to `(x, label)`, as Keras takes them."""
    spec = {"label": tf.io.FixedLenFeature([], tf.int64), "x": tf.io.FixedLenFeature([], tf.float32)}

    def parse(serialized: Any) -> Any:
        ex = tf.io.parse_single_example(serialized, spec)
        return ex["x"], ex["label"]

    return parse
