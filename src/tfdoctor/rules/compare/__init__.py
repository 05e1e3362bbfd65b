"""TFD210-TFD212: the training data against the evaluation data (`tfdoctor compare`)."""
