"""TFD2xx: the parse spec against the data, and the data alone."""
