"""The pipeline audit against real tf.data pipelines over real TFRecord files: each rule
fires on a buggy pipeline and stays silent on its corrected twin, and what it claims about
TensorFlow (frozen augmentation, dropped records...) is shown in TensorFlow."""

from __future__ import annotations

import io
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from PIL import Image

import tfdoctor
from tfdoctor.findings import Severity
from tfdoctor.io.writer import write_tfrecord
from tfdoctor.proto.build import example

SHARDS, PER_SHARD, CLASSES = 4, 100, 4


def _png(pixels: np.ndarray) -> bytes:
    out = io.BytesIO()
    Image.fromarray(pixels).save(out, "PNG")
    return out.getvalue()


@pytest.fixture(scope="module")
def sorted_files(tmp_path_factory: Any) -> list[str]:
    """Four shards, each holding one label: stored sorted by label (runs of 100)."""
    folder = tmp_path_factory.mktemp("sorted")
    rng = np.random.default_rng(0)
    paths = []
    for k in range(SHARDS):
        records = [
            example(
                {"image": _png(rng.integers(0, 255, (16, 16), dtype=np.uint8)), "label": k, "x": float(i)}
            )
            for i in range(PER_SHARD)
        ]
        path = folder / f"train-{k:05d}-of-{SHARDS:05d}.tfrecord"
        write_tfrecord(path, records)
        paths.append(str(path))
    return paths


def _parse(tf: Any, size: int = 16) -> Any:
    spec = {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64)}

    def parse(serialized: Any) -> Any:
        ex = tf.io.parse_single_example(serialized, spec)
        image = tf.image.convert_image_dtype(tf.io.decode_png(ex["image"], channels=1), tf.float32)
        return tf.ensure_shape(image, [size, size, 1]), ex["label"]

    return parse


def _flip(tf: Any, seed: int | None = None) -> Any:
    def augment(image: Any, label: Any) -> Any:
        return tf.image.random_flip_left_right(image, seed=seed), label

    return augment


def _codes(result: tfdoctor.AuditResult, at_least: Severity = Severity.INFO) -> set[str]:
    return {f.code for f in result.findings if f.severity >= at_least}


def _one(result: tfdoctor.AuditResult, code: str) -> Any:
    found = [f for f in result.findings if f.code == code]
    assert len(found) == 1, [(f.code, f.message) for f in result.findings]
    return found[0]


def _epoch(ds: Any) -> list[bytes]:
    return [np.asarray(x[0]).tobytes() for x in ds.unbatch()] if False else [
        np.asarray(e[0]).tobytes() for e in ds
    ]  # fmt: skip


def _interleaved(tf: Any, files: list[str]) -> Any:
    """The label-sorted shards read four at a time, one record from each in turn."""
    return (
        tf.data.Dataset.from_tensor_slices(files)
        .interleave(tf.data.TFRecordDataset, cycle_length=4)
        .map(_parse(tf))
    )


def _good(tf: Any, files: list[str]) -> Any:
    """The idiomatic pipeline: interleave shards, big shuffle, parallel augmenting map, batch, prefetch."""
    return (
        tf.data.Dataset.from_tensor_slices(files)
        .shuffle(len(files))
        .interleave(tf.data.TFRecordDataset, cycle_length=4, num_parallel_calls=tf.data.AUTOTUNE)
        .map(_parse(tf), num_parallel_calls=tf.data.AUTOTUNE)
        .cache()
        .shuffle(1000)
        .map(_flip(tf), num_parallel_calls=tf.data.AUTOTUNE)
        .batch(32)
        .prefetch(tf.data.AUTOTUNE)
    )


def test_graph_chain_arguments_and_files(tf: Any, sorted_files: list[str]) -> None:
    ds = (
        tf.data.TFRecordDataset(sorted_files)
        .map(_parse(tf))
        .shuffle(100, reshuffle_each_iteration=False)
        .batch(8, drop_remainder=True)
        .take(5)
        .prefetch(2)
    )
    pipeline = tfdoctor.audit(ds, batches=0).pipeline
    assert pipeline.chain() == (
        "TFRecordDataset([4 files]).map(parse).shuffle(100, reshuffle_each_iteration=False)"
        ".batch(8, drop_remainder=True).take(5).prefetch(2)"
    )
    assert pipeline.files() == sorted_files and pipeline.record_start == 1
    assert "DecodePng" in pipeline.steps[1].ops and not pipeline.steps[1].random


def test_idiomatic_pipeline_is_clean(tf: Any, sorted_files: list[str]) -> None:
    result = tfdoctor.audit(_good(tf, sorted_files), batches=5)
    assert _codes(result, Severity.WARNING) == set(), [(f.code, f.message) for f in result.findings]
    assert result.batches is not None and result.batches.batches == 5 and result.batches.error is None


def test_tfd401_cache_after_random_map_freezes_augmentation(tf: Any, sorted_files: list[str]) -> None:
    frozen = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).map(_flip(tf)).cache()
    assert _epoch(frozen) == _epoch(frozen)  # TensorFlow: epoch 2 replays epoch 1's flips
    finding = _one(tfdoctor.audit(frozen.batch(32), batches=3), "TFD401")
    assert "The probe confirmed it" in finding.message and finding.numbers["random_ops"] == ["RandomUniform"]
    fixed = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).cache().map(_flip(tf))
    assert _epoch(fixed) != _epoch(fixed)  # the fix: new flips every epoch
    assert "TFD401" not in _codes(tfdoctor.audit(fixed.batch(32), batches=3))
    assert "cache().map(augment)" in finding.fix.text


def test_tfd402_seeded_augmentation_repeats_every_epoch(tf: Any, sorted_files: list[str]) -> None:
    seeded = tf.data.TFRecordDataset(sorted_files[:1]).map(_parse(tf)).map(_flip(tf, seed=7))
    assert _epoch(seeded) == _epoch(seeded)
    result = tfdoctor.audit(seeded.batch(10), batches=2)
    finding = _one(result, "TFD402")
    assert "op seed=7" in finding.message and result.step_probes[finding.where.step].passes_identical is True
    tf.random.set_seed(5)  # a global seed fixes unseeded ops too
    try:
        global_seed = tf.data.TFRecordDataset(sorted_files[:1]).map(_parse(tf)).map(_flip(tf))
        assert _epoch(global_seed) == _epoch(global_seed)
        assert "global seed 5" in _one(tfdoctor.audit(global_seed.batch(10), batches=2), "TFD402").message
    finally:
        tf.random.set_seed(None)
    unseeded = tf.data.TFRecordDataset(sorted_files[:1]).map(_parse(tf)).map(_flip(tf))
    assert _epoch(unseeded) != _epoch(unseeded)
    assert "TFD402" not in _codes(tfdoctor.audit(unseeded.batch(10), batches=2))
    # stateless ops: a constant seed repeats, a per-element seed from Dataset.random() does not
    const = tf.data.Dataset.range(20).map(lambda x: tf.random.stateless_uniform([], seed=[1, 2]))
    assert "TFD402" in _codes(tfdoctor.audit(const.batch(5), batches=0))
    seeds = tf.data.Dataset.random(seed=3).batch(2)
    varying = tf.data.Dataset.zip((tf.data.Dataset.range(20), seeds)).map(
        lambda x, s: tf.random.stateless_uniform([], seed=s)
    )
    assert "TFD402" not in _codes(tfdoctor.audit(varying.batch(5), batches=0))


def test_tfd403_augmentation_that_erases_the_signal(tf: Any, sorted_files: list[str]) -> None:
    base = tf.data.TFRecordDataset(sorted_files).map(_parse(tf))
    wrecked = base.map(lambda x, y: (tf.image.random_brightness(x, max_delta=100.0), y))
    finding = _one(tfdoctor.audit(wrecked.shuffle(400).batch(16).prefetch(1), batches=2), "TFD403")
    assert finding.numbers["before"][1] <= 1.0 and max(abs(v) for v in finding.numbers["after"]) > 3.0
    clipped = base.map(lambda x, y: (tf.clip_by_value(x + tf.random.uniform([], 2.0, 3.0), 0.0, 1.0), y))
    assert "TFD403" in _codes(tfdoctor.audit(clipped.shuffle(400).batch(16).prefetch(1), batches=2))
    gentle = base.map(
        lambda x, y: (tf.clip_by_value(tf.image.random_brightness(x, max_delta=0.1), 0.0, 1.0), y)
    )
    assert "TFD403" not in _codes(tfdoctor.audit(gentle.shuffle(400).batch(16).prefetch(1), batches=2))


def test_tfd501_no_shuffle_over_sorted_labels(tf: Any, sorted_files: list[str]) -> None:
    ds = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).batch(32).prefetch(1)
    result = tfdoctor.audit(ds, batches=5)
    finding = _one(result, "TFD501")
    assert finding.severity == Severity.ERROR and finding.numbers["sortedness"] > 0.9
    majority = _one(result, "TFD508")  # measured: batches of one class
    assert majority.numbers["mean_majority"] >= 0.9
    fixed = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).shuffle(1000).batch(32).prefetch(1)
    assert not {"TFD501", "TFD508"} & _codes(tfdoctor.audit(fixed, batches=5))
    interleaved = _interleaved(tf, sorted_files).batch(32).prefetch(1)
    mixed = _one(tfdoctor.audit(interleaved, batches=5), "TFD501")  # no shuffle, but mixed batches
    assert mixed.severity == Severity.WARNING and "the interleave mixes them" in mixed.message


def test_tfd502_buffer_shorter_than_label_runs(tf: Any, sorted_files: list[str]) -> None:
    small = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).shuffle(20).batch(16).prefetch(1)
    result = tfdoctor.audit(small, batches=6)
    finding = _one(result, "TFD502")
    assert finding.numbers == {"buffer_size": 20, "longest_run": PER_SHARD, "runs": SHARDS}
    assert "TFD508" in _codes(result)  # the measured batches agree: nearly single-class
    big = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).shuffle(400).batch(16).prefetch(1)
    assert not {"TFD502", "TFD508"} & _codes(tfdoctor.audit(big, batches=6))
    # interleaving the four single-label shards mixes the runs before the small buffer does
    interleaved = _interleaved(tf, sorted_files).shuffle(20).batch(16).prefetch(1)
    assert not {"TFD502", "TFD508"} & _codes(tfdoctor.audit(interleaved, batches=6))


def test_tfd503_shuffle_after_batch(tf: Any, sorted_files: list[str]) -> None:
    ds = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).batch(8).shuffle(50).prefetch(1)
    finding = _one(tfdoctor.audit(ds, batches=0), "TFD503")
    assert "step 4 of 5, after `batch(8)` at step 3" in finding.message
    assert finding.fix.text.endswith("map(parse).shuffle(50).batch(8).prefetch(1)")


def test_tfd504_tiny_batch(tf: Any, sorted_files: list[str]) -> None:
    ds = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).shuffle(400).batch(1)
    assert _one(tfdoctor.audit(ds, batches=0), "TFD504").numbers == {"batch_size": 1}
    ok = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).shuffle(400).batch(32)
    assert "TFD504" not in _codes(tfdoctor.audit(ok, batches=0))


def test_tfd505_take_then_repeat_cycles_a_subset(tf: Any, sorted_files: list[str]) -> None:
    ds = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).shuffle(400).take(40).repeat().batch(20)
    result = tfdoctor.audit(ds, batches=8)
    finding = _one(result, "TFD505")
    assert finding.numbers == {"records_kept": 40, "records": 400, "fraction": 0.1}
    assert "TFD604" not in _codes(result)  # shuffled anew: not identical batches, still one subset
    ok = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).shuffle(400).repeat().batch(20)
    assert "TFD505" not in _codes(tfdoctor.audit(ok, batches=0))


def test_tfd506_ignore_errors_counts_what_it_drops(tf: Any, tmp_path: Path) -> None:
    rng = np.random.default_rng(1)
    records = []
    for i in range(60):
        side = 16 if i % 3 else 20  # every third image has another size
        records.append(
            example({"image": _png(rng.integers(0, 255, (side, side), dtype=np.uint8)), "label": i % 2})
        )
    path = tmp_path / "mixed.tfrecord"
    write_tfrecord(path, records)

    def parse(serialized: Any) -> Any:
        ex = tf.io.parse_single_example(
            serialized,
            {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64)},
        )
        return tf.reshape(tf.io.decode_png(ex["image"], channels=1), [16, 16, 1]), ex["label"]

    swallowing = tf.data.TFRecordDataset(str(path)).map(parse).ignore_errors()
    assert sum(1 for _ in swallowing) == 40  # TensorFlow: 20 of 60 gone, no word said
    result = tfdoctor.audit(swallowing.shuffle(60).batch(10).prefetch(1), batches=2)
    finding = _one(result, "TFD506")
    assert finding.numbers == {"dropped": 20, "elements": 60}
    assert "Input to reshape is a tensor with 400 values" in finding.message
    scan_sizes = next(f for f in tfdoctor.scan(str(path)).findings if f.code == "TFD301")  # the sizes
    assert scan_sizes.numbers["sizes"] == {"16x16": 40, "20x20": 20}
    # without ignore_errors, the probe meets the real error: TFD302 explains it
    failing = tfdoctor.audit(tf.data.TFRecordDataset(str(path)).map(parse).batch(10).prefetch(1), batches=3)
    reshape = _one(failing, "TFD302")
    assert reshape.numbers["values"] == 400 and reshape.numbers["shape_values"] == 256
    assert "16x16x1 in 40" in reshape.message and "20x20x1 in 20" in reshape.message
    fixed = tf.data.TFRecordDataset(str(path)).map(
        lambda s: (tf.image.resize(tf.io.decode_png(tf.io.parse_single_example(
            s, {"image": tf.io.FixedLenFeature([], tf.string)})["image"], channels=1), [16, 16]) / 255.0)
    ).batch(10).prefetch(1)  # fmt: skip
    assert not {"TFD302", "TFD506"} & _codes(tfdoctor.audit(fixed, batches=3))


def test_tfd507_tfd509_repeat_before_shuffle_and_no_reshuffle(tf: Any, sorted_files: list[str]) -> None:
    ds = (
        tf.data.TFRecordDataset(sorted_files)
        .map(_parse(tf))
        .repeat(3)
        .shuffle(400, reshuffle_each_iteration=False)
    )
    result = tfdoctor.audit(ds.batch(32).prefetch(1), batches=0)
    assert {"TFD507", "TFD509"} <= _codes(result)
    assert _one(result, "TFD507").severity == Severity.INFO
    ok = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).shuffle(400).repeat(3).batch(32).prefetch(1)
    assert not {"TFD507", "TFD509"} & _codes(tfdoctor.audit(ok, batches=0))


def test_tfd510_filter_that_drops_everything(tf: Any, sorted_files: list[str]) -> None:
    ds = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).filter(lambda x, y: y > 10)
    assert sum(1 for _ in ds) == 0  # TensorFlow: an empty epoch, and no error
    finding = _one(tfdoctor.audit(ds.shuffle(100).batch(8).prefetch(1), batches=2), "TFD510")
    assert (
        finding.numbers == {"kept": 0, "input": 400, "fraction": 0.0} and finding.severity == Severity.ERROR
    )
    ok = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).filter(lambda x, y: y < 3)
    assert "TFD510" not in _codes(tfdoctor.audit(ok.shuffle(100).batch(8).prefetch(1), batches=2))


def test_tfd511_split_after_reshuffling_shuffle(tf: Any, sorted_files: list[str]) -> None:
    shuffled = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).shuffle(400)
    val = shuffled.take(40)
    first = {np.asarray(x[0]).tobytes() for x in val}
    second = {np.asarray(x[0]).tobytes() for x in val}
    assert first != second  # TensorFlow: the "validation" set changes every epoch
    finding = _one(tfdoctor.audit(val.batch(8), batches=0), "TFD511")
    assert finding.severity == Severity.ERROR and ".take(40).shuffle(400)" in finding.fix.text
    fixed = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).take(40).shuffle(40)
    assert "TFD511" not in _codes(tfdoctor.audit(fixed.batch(8), batches=0))


def test_tfd512_cache_after_shuffle(tf: Any, sorted_files: list[str]) -> None:
    ds = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).shuffle(400).cache()
    assert _epoch(ds) == _epoch(ds)  # TensorFlow: the same order every epoch
    assert "TFD512" in _codes(tfdoctor.audit(ds.batch(32).prefetch(1), batches=0))
    ok = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).cache().shuffle(400)
    assert _epoch(ok) != _epoch(ok)
    assert "TFD512" not in _codes(tfdoctor.audit(ok.batch(32).prefetch(1), batches=0))


def test_speed_rules(tf: Any, sorted_files: list[str]) -> None:
    slow = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).shuffle(400).batch(32)
    assert {"TFD901", "TFD902", "TFD903"} <= _codes(tfdoctor.audit(slow, batches=0))
    assert not {"TFD901", "TFD902", "TFD903"} & _codes(tfdoctor.audit(_good(tf, sorted_files), batches=0))


def test_batch_content_rules(tf: Any, sorted_files: list[str]) -> None:
    base = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).shuffle(400)

    def audit(ds: Any) -> set[str]:
        return _codes(tfdoctor.audit(ds.batch(16).prefetch(1), batches=4))

    assert "TFD602" in audit(base.map(lambda x, y: (x * 255.0, y)))  # unnormalized
    assert "TFD605" in audit(base.map(lambda x, y: (x / 255.0, y)))  # scaled twice
    assert "TFD603" in audit(base.map(lambda x, y: (tf.math.log(x - 1.0), y)))  # NaN
    assert "TFD305" in audit(base.map(lambda x, y: (tf.zeros_like(x), y)))  # blank
    constant = audit(base.map(lambda x, y: (x, tf.zeros_like(y))))
    assert "TFD601" in constant  # a constant label
    assert not {"TFD601", "TFD602", "TFD603", "TFD305", "TFD605"} & audit(base)
    few = tf.data.TFRecordDataset(sorted_files).map(_parse(tf)).take(16)
    repeated = tfdoctor.audit(few.batch(16).repeat().prefetch(1), batches=4)
    assert "TFD604" in _codes(repeated) and "TFD505" in _codes(repeated)


def test_undecodable_images(tf: Any, tmp_path: Path) -> None:
    rng = np.random.default_rng(2)
    good = _png(rng.integers(0, 255, (16, 16), dtype=np.uint8))
    records = [example({"image": good if i % 5 else good[:40], "label": i % 2}) for i in range(20)]
    path = tmp_path / "bad.tfrecord"
    write_tfrecord(path, records)
    ds = tf.data.TFRecordDataset(str(path)).map(_parse(tf)).batch(4).prefetch(1)
    result = tfdoctor.audit(ds, batches=3)
    found = [f for f in result.findings if f.code == "TFD303"]
    assert any(f.numbers.get("unreadable") == 4 for f in found)  # the scan: 4 truncated headers
    assert any("decoding an image" in f.message for f in found)  # the probe: TensorFlow's error


def test_scan_image_sizes_and_channels(tmp_path: Path) -> None:
    rng = np.random.default_rng(3)
    gray = _png(rng.integers(0, 255, (8, 8), dtype=np.uint8))
    rgb = _png(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8))
    path = tmp_path / "img.tfrecord"
    write_tfrecord(path, [example({"image": gray if i % 4 else rgb}) for i in range(40)])
    result = tfdoctor.scan(str(path))
    assert [f.numbers for f in result.findings if f.code == "TFD304"] == [{"channels": {"1": 30, "3": 10}}]
    assert "TFD301" not in {f.code for f in result.findings}  # one size, 8x8
    same = tmp_path / "same.tfrecord"
    write_tfrecord(same, [example({"image": gray}) for _ in range(10)])
    assert not {"TFD301", "TFD304"} & {f.code for f in tfdoctor.scan(str(same)).findings}


def test_batching_mixed_images_is_explained(tf: Any, tmp_path: Path) -> None:
    rng = np.random.default_rng(5)
    gray = _png(rng.integers(0, 255, (8, 8), dtype=np.uint8))
    rgb = _png(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8))
    big = _png(rng.integers(0, 255, (10, 10), dtype=np.uint8))
    spec = {"image": tf.io.FixedLenFeature([], tf.string)}

    def decode(s: Any) -> Any:
        return tf.io.decode_png(tf.io.parse_single_example(s, spec)["image"])

    path = tmp_path / "ensure.tfrecord"
    write_tfrecord(path, [example({"image": big if i == 2 else gray}) for i in range(8)])
    ensured = tf.data.TFRecordDataset(str(path)).map(lambda s: tf.ensure_shape(decode(s), [8, 8, 1])).batch(4)
    with pytest.raises(tf.errors.InvalidArgumentError, match="is not compatible with expected shape"):
        list(ensured)
    found = _one(tfdoctor.audit(ensured, batches=2), "TFD302")
    assert found.numbers == {"shape": "10,10,1", "expected": "8,8,1"} and "10x10x1 in 1" in found.message
    for name, odd, code in (("channels", rgb, "TFD304"), ("sizes", big, "TFD302")):
        path = tmp_path / f"{name}.tfrecord"
        write_tfrecord(path, [example({"image": odd if i == 2 else gray}) for i in range(8)])
        ds = tf.data.TFRecordDataset(str(path)).map(decode).batch(4)
        with pytest.raises(tf.errors.InvalidArgumentError, match="Cannot (batch|add) tensor"):
            list(ds)
        result = tfdoctor.audit(ds, batches=2)
        assert code in _codes(result), [(f.code, f.message) for f in result.findings]
        fixed = (
            tf.data.TFRecordDataset(str(path))
            .map(lambda s: tf.image.resize(decode(s)[..., :1], [8, 8]))
            .batch(4)
        )
        assert not {"TFD302", "TFD304"} & _codes(tfdoctor.audit(fixed, batches=2))


def test_decode_channels_that_convert_the_stored_images(tf: Any, tmp_path: Path) -> None:
    rng = np.random.default_rng(6)
    rgb = _png(rng.integers(0, 255, (8, 8, 3), dtype=np.uint8))
    path = tmp_path / "rgb.tfrecord"
    write_tfrecord(path, [example({"image": rgb, "label": i % 2}) for i in range(8)])
    spec = {"image": tf.io.FixedLenFeature([], tf.string)}

    def gray(s: Any) -> Any:
        return tf.io.decode_png(tf.io.parse_single_example(s, spec)["image"], channels=1)

    assert next(iter(tf.data.TFRecordDataset(str(path)).map(gray))).shape == (8, 8, 1)  # no error: color gone
    finding = _one(tfdoctor.audit(tf.data.TFRecordDataset(str(path)).map(gray).batch(4), batches=1), "TFD304")
    assert finding.numbers == {"channels": 1, "stored": {"3": 8}} and "color is discarded" in finding.message
    same = tf.data.TFRecordDataset(str(path)).map(
        lambda s: tf.io.decode_png(tf.io.parse_single_example(s, spec)["image"], channels=3)
    )
    assert "TFD304" not in _codes(tfdoctor.audit(same.batch(4), batches=1))


def test_scan_decodes_a_sample_of_images(tf: Any, tmp_path: Path) -> None:
    rng = np.random.default_rng(4)
    good = _png(rng.integers(0, 255, (16, 16), dtype=np.uint8))
    cut = good[: len(good) - 60]  # the header parses; the pixel data is cut short
    with pytest.raises(tf.errors.InvalidArgumentError):
        tf.io.decode_png(cut)  # TensorFlow cannot decode it either
    path = tmp_path / "cut.tfrecord"
    write_tfrecord(path, [example({"image": cut if i % 4 == 0 else good}) for i in range(12)])
    finding = next(f for f in tfdoctor.scan(str(path)).findings if f.code == "TFD303")
    # distinct values are decoded once each: the cut image and the good one
    assert finding.numbers == {"unreadable": 0, "sample_decoded": 2, "sample_failed": 1, "images": 12}
    clean = tmp_path / "clean.tfrecord"
    write_tfrecord(clean, [example({"image": good}) for _ in range(5)])
    assert "TFD303" not in {f.code for f in tfdoctor.scan(str(clean)).findings}


def test_unusual_pipelines_never_crash(tf: Any) -> None:
    """Generators, py_function, ragged, sparse, nested and bucketed elements, captured variables:
    the audit reads what it can and reports; it never raises, and no rule crashes."""
    ragged = tf.ragged.constant([[1], [1, 2], [1, 2, 3], [4]])
    offset = tf.Variable(tf.constant(1, tf.int64))
    cases = [
        tf.data.Dataset.from_generator(
            lambda: ((np.float32(i), i % 2) for i in range(20)),
            output_signature=(tf.TensorSpec([], tf.float32), tf.TensorSpec([], tf.int64)),
        ).batch(8),
        tf.data.Dataset.range(20).map(lambda x: tf.py_function(lambda v: v * 2, [x], tf.int64)).batch(4),
        tf.data.Dataset.from_tensor_slices(ragged).batch(2),
        tf.data.Dataset.from_tensor_slices(tf.sparse.from_dense([[1, 0], [0, 2]])).batch(2),
        tf.data.Dataset.from_tensor_slices(({"a": [1, 2, 3, 4]}, [0, 1, 0, 1])).batch(2),
        tf.data.Dataset.range(1, 5)
        .map(lambda n: tf.range(n))
        .bucket_by_sequence_length(lambda x: tf.shape(x)[0], [2], [2, 2]),
        tf.data.Dataset.range(5).map(lambda x: x + offset),
        tf.data.Dataset.from_tensor_slices([b"a", b"b", b"c"]).batch(2),
        tf.data.Dataset.range(0).batch(4),
        tf.data.Dataset.range(5).repeat(),
    ]
    for ds in cases:
        result = tfdoctor.audit(ds, batches=3, seconds=5)
        assert result.rule_errors == [] and result.pipeline.steps
        assert result.pipeline.files() == []  # strings that are data are not taken for file names


def test_parse_spec_inside_the_pipeline_is_checked(tf: Any, sorted_files: list[str]) -> None:
    """The parse op in a map function is read from the graph (keys, dtypes, shapes, defaults)
    and judged against the files the pipeline reads, like `tfdoctor check` would."""
    spec = {
        "image": tf.io.FixedLenFeature([], tf.string),
        "labels": tf.io.FixedLenFeature([], tf.int64, default_value=0),  # the key is 'label'
        "x": tf.io.FixedLenFeature([2], tf.float32),  # one value is stored
    }
    ds = tf.data.TFRecordDataset(sorted_files).map(lambda s: tf.io.parse_single_example(s, spec))
    result = tfdoctor.audit(ds.shuffle(400).batch(16).prefetch(1), batches=0)
    by_code = {f.code: f for f in result.findings if f.where.spec}
    assert by_code["TFD201"].where.spec == "`map(lambda)` (step 2)"
    assert "Did you mean 'label'?" in by_code["TFD201"].message
    assert by_code["TFD203"].numbers["mismatched"] == SHARDS * PER_SHARD
    assert by_code["TFD205"].where.feature == "label"
    read = result.pipeline.steps[1].parse_specs[0]
    assert [(f.name, f.kind, f.dtype, f.shape, f.default) for f in read.features] == [
        ("image", "FixedLenFeature", "string", (), None),
        ("labels", "FixedLenFeature", "int64", (), 0),
        ("x", "FixedLenFeature", "float32", (2,), None),
    ]
    good = {"image": tf.io.FixedLenFeature([], tf.string), "label": tf.io.FixedLenFeature([], tf.int64),
            "x": tf.io.FixedLenFeature([], tf.float32)}  # fmt: skip
    ok = tf.data.TFRecordDataset(sorted_files).map(lambda s: tf.io.parse_single_example(s, good))
    assert [f for f in tfdoctor.audit(ok.shuffle(400).batch(16), batches=0).findings if f.where.spec] == []


def test_tfd515_zip_inputs_shuffled_apart(tf: Any, sorted_files: list[str]) -> None:
    xs, ys = tf.data.Dataset.range(100), tf.data.Dataset.range(100)

    def matched(ds: Any) -> bool:
        return all(int(x) == int(y) for x, y in ds.unbatch())

    apart = tf.data.Dataset.zip((xs.shuffle(100), ys)).batch(10).prefetch(1)
    assert not matched(apart)  # TensorFlow: pairs no longer match
    result = tfdoctor.audit(apart, batches=2)
    finding = _one(result, "TFD515")
    assert finding.numbers == {"inputs": 2, "shuffled_inputs": [1]}
    assert result.pipeline.chain().startswith("Dataset.zip((range(...).shuffle(100), range(...)))")
    together = tf.data.Dataset.zip((xs, ys)).shuffle(100).batch(10).prefetch(1)
    assert matched(together)
    assert "TFD515" not in _codes(tfdoctor.audit(together, batches=2))
    alike = tf.data.Dataset.zip((xs.shuffle(100, seed=3), ys.shuffle(100, seed=3))).batch(10).prefetch(1)
    assert matched(alike)  # the same seeds and buffer shuffle both inputs alike
    assert "TFD515" not in _codes(tfdoctor.audit(alike, batches=2))
    # the files of every zip input are scanned
    images = tf.data.TFRecordDataset(sorted_files[:2])
    labels = tf.data.TFRecordDataset(sorted_files[2:])
    both = tfdoctor.audit(tf.data.Dataset.zip((images, labels)).batch(4), batches=0)
    assert sorted(both.pipeline.files()) == sorted(sorted_files)
