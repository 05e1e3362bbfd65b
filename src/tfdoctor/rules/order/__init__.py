"""TFD5xx: shuffling, batching and repetition."""
