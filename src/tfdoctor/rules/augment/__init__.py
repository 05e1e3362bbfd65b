"""TFD4xx: augmentation, and the time order that windows of sequences depend on."""
