"""TFD6xx: what the batches hold, measured by the batch probe."""
