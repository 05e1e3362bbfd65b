"""TFD3xx: shapes and images."""
