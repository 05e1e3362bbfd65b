"""TensorBoard summaries written the way TensorBoard's own `scalar` and `text` ops write
them (a tensor plus the plugin's metadata), through `tf.summary.write`, which needs no
TensorBoard: the callback logs into the user's run with or without it installed."""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import Any


def tensorboard_installed() -> bool:
    return importlib.util.find_spec("tensorboard") is not None


class SummaryWriter:
    """Scalars and markdown text into one run folder (`<log_dir>/tfdoctor`)."""

    def __init__(self, folder: str | Path) -> None:
        import tensorflow as tf
        from tensorflow.core.framework import summary_pb2

        self._tf = tf
        self.folder = Path(folder)
        self._writer = tf.summary.create_file_writer(str(self.folder))

        def metadata(plugin: str, data_class: int) -> Any:
            data = summary_pb2.SummaryMetadata.PluginData(plugin_name=plugin)
            return summary_pb2.SummaryMetadata(plugin_data=data, data_class=data_class)

        self._scalar = metadata("scalars", summary_pb2.DATA_CLASS_SCALAR)
        self._text = metadata("text", summary_pb2.DATA_CLASS_TENSOR)

    def scalars(self, step: int, values: dict[str, float]) -> None:
        tf = self._tf
        with self._writer.as_default():
            for tag, value in values.items():
                tf.summary.write(tag, tf.constant(value, tf.float32), step=step, metadata=self._scalar)

    def text(self, step: int, tag: str, markdown: str) -> None:
        tf = self._tf
        with self._writer.as_default():
            tf.summary.write(tag, tf.constant(markdown, tf.string), step=step, metadata=self._text)

    def flush(self) -> None:
        self._writer.flush()

    def close(self) -> None:
        self._writer.close()
