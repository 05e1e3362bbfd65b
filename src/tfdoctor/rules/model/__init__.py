"""TFD7xx: the pipeline against the model: what the batches hold against what the Keras model
takes (inputs, labels, outputs and loss)."""
