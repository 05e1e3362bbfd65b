"""TFD1xx: the files themselves (framing, payloads, inputs). No TensorFlow needed."""
