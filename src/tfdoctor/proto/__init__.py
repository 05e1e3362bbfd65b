"""tf.train.Example / SequenceExample through protobuf, with our own wire-compatible .proto."""
