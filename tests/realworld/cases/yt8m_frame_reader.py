"""YouTube-8M frame-level input, in the idiom of google/youtube-8m: readers.py
(`YT8MFrameFeatureReader.prepare_serialized_examples`, `get_video_matrix`, `resize_axis`) with
train.py's reading (`string_input_producer(shuffle=True)` and `shuffle_batch_join`, written
here as their tf.data equivalents: shuffled, repeated file names, interleaved readers, a
record shuffle and a batch).

The writer: `tf.train.SequenceExample`s, context `id` (bytes) and `labels` (a multi-label int64
list), feature lists `rgb` and `audio` holding one bytes value per frame: the frame's feature
vector quantized to uint8 (1024 and 128 values in the real data; 32 and 8 here), 10 to 30
frames per video.

The reader: `parse_single_sequence_example` with context `{"id": FixedLenFeature([], string),
"labels": VarLenFeature(int64)}` and sequence features built from the `feature_names` list
(`FixedLenSequenceFeature([], dtype=tf.string)` each); `decode_raw(..., tf.uint8)`, reshaped
to `[-1, feature_size]`, dequantized to [-2, 2], padded to `max_frames`; the labels as a dense
multi-hot vector (`sparse_to_dense(..., validate_indices=False)`).

Correct: the reference frame-level reader.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np

SOURCE = "google/youtube-8m: readers.py"
CORRECT = True

FEATURE_NAMES = ["rgb", "audio"]
FEATURE_SIZES = [32, 8]
NUM_CLASSES, MAX_FRAMES, FILES, PER_FILE = 20, 30, 3, 40


def _files(folder: Path) -> list[Path]:
    return [folder / f"train{i:04d}.tfrecord" for i in range(FILES)]


def write(folder: Path) -> None:
    import tensorflow as tf

    rng = np.random.default_rng(4)
    for path in _files(folder):
        with tf.io.TFRecordWriter(str(path)) as writer:
            for v in range(PER_FILE):
                frames = int(rng.integers(10, MAX_FRAMES + 1))
                labels = sorted(
                    int(x) for x in rng.choice(NUM_CLASSES, int(rng.integers(1, 4)), replace=False)
                )
                context = tf.train.Features(
                    feature={
                        "id": tf.train.Feature(
                            bytes_list=tf.train.BytesList(value=[f"{path.stem}{v:03d}".encode()])
                        ),
                        "labels": tf.train.Feature(int64_list=tf.train.Int64List(value=labels)),
                    }
                )
                lists = {}
                for name, size in zip(FEATURE_NAMES, FEATURE_SIZES):
                    quantized = rng.integers(0, 256, (frames, size), dtype=np.uint8)
                    lists[name] = tf.train.FeatureList(
                        feature=[
                            tf.train.Feature(bytes_list=tf.train.BytesList(value=[row.tobytes()]))
                            for row in quantized
                        ]
                    )
                example = tf.train.SequenceExample(
                    context=context, feature_lists=tf.train.FeatureLists(feature_list=lists)
                )
                writer.write(example.SerializeToString())


def resize_axis(tensor: Any, axis: int, new_size: int, fill_value: int = 0) -> Any:
    """Truncates or pads `tensor` to `new_size` along `axis`."""
    import tensorflow as tf

    tensor = tf.convert_to_tensor(tensor)
    shape = tf.unstack(tf.shape(tensor))
    pad_shape = shape[:]
    pad_shape[axis] = tf.maximum(0, new_size - shape[axis])
    shape[axis] = tf.minimum(shape[axis], new_size)
    shape = tf.stack(shape)
    resized = tf.concat(
        [
            tf.slice(tensor, tf.zeros_like(shape), shape),
            tf.fill(tf.stack(pad_shape), tf.cast(fill_value, tensor.dtype)),
        ],
        axis,
    )
    new_shape = tensor.get_shape().as_list()
    new_shape[axis] = new_size
    resized.set_shape(new_shape)
    return resized


class YT8MFrameFeatureReader:
    def __init__(self, num_classes: int, feature_sizes: list[int], feature_names: list[str], max_frames: int):
        assert len(feature_names) == len(feature_sizes)
        self.num_classes = num_classes
        self.feature_sizes = feature_sizes
        self.feature_names = feature_names
        self.max_frames = max_frames

    def get_video_matrix(
        self, features: Any, feature_size: int, max_frames: int, max_q: float, min_q: float
    ) -> Any:
        import tensorflow as tf

        decoded = tf.reshape(tf.cast(tf.io.decode_raw(features, tf.uint8), tf.float32), [-1, feature_size])
        num_frames = tf.minimum(tf.shape(decoded)[0], max_frames)
        scalar = (max_q - min_q) / 255.0
        bias = (max_q - min_q) / 512.0 + min_q
        feature_matrix = decoded * scalar + bias  # utils.Dequantize
        return resize_axis(feature_matrix, 0, max_frames), num_frames

    def prepare_serialized_examples(
        self, serialized_example: Any, max_q: float = 2.0, min_q: float = -2.0
    ) -> Any:
        import tensorflow as tf

        contexts, features = tf.io.parse_single_sequence_example(
            serialized_example,
            context_features={
                "id": tf.io.FixedLenFeature([], tf.string),
                "labels": tf.io.VarLenFeature(tf.int64),
            },
            sequence_features={
                feature_name: tf.io.FixedLenSequenceFeature([], dtype=tf.string)
                for feature_name in self.feature_names
            },
        )
        labels = tf.cast(
            tf.compat.v1.sparse_to_dense(
                contexts["labels"].values, (self.num_classes,), 1, validate_indices=False
            ),
            tf.bool,
        )
        num_frames = -1
        matrices = []
        for index, name in enumerate(self.feature_names):
            matrix, frames_here = self.get_video_matrix(
                features[name], self.feature_sizes[index], self.max_frames, max_q, min_q
            )
            num_frames = frames_here if index == 0 else num_frames
            matrices.append(matrix)
        video_matrix = tf.concat(matrices, 1)
        return contexts["id"], video_matrix, labels, tf.minimum(num_frames, self.max_frames)


def get_input_data_tensors(
    reader: YT8MFrameFeatureReader, data_pattern: str, batch_size: int, num_readers: int = 2
) -> Any:
    import tensorflow as tf

    files = tf.io.gfile.glob(data_pattern)
    if not files:
        raise OSError(f"Unable to find training files. data_pattern='{data_pattern}'.")
    filenames = tf.data.Dataset.from_tensor_slices(files).shuffle(len(files)).repeat()
    records = filenames.interleave(tf.data.TFRecordDataset, cycle_length=num_readers)
    videos = records.map(reader.prepare_serialized_examples, num_parallel_calls=tf.data.AUTOTUNE)
    # shuffle_batch_join(capacity=batch_size * 5, min_after_dequeue=batch_size)
    return videos.shuffle(batch_size * 5).batch(batch_size).prefetch(1)


def run(folder: Path) -> dict[str, Any]:
    reader = YT8MFrameFeatureReader(NUM_CLASSES, FEATURE_SIZES, FEATURE_NAMES, MAX_FRAMES)
    return {"dataset": get_input_data_tensors(reader, str(folder / "train*.tfrecord"), batch_size=8)}
