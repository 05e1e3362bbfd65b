"""TFD9xx: input pipeline speed (info)."""
