"""The tf.data pipeline: its chain read from the dataset graph, and the batch probe.
TensorFlow is imported lazily, only when a dataset is audited."""
