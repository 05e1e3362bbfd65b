"""Keras losses by what their targets must look like (canonical function names, as
`tfdoctor.model.read` records them)."""

from __future__ import annotations

SPARSE = frozenset({"sparse_categorical_crossentropy"})  # class ids: (batch,) or (batch, 1)
CATEGORICAL = frozenset(
    {"categorical_crossentropy", "categorical_focal_crossentropy", "categorical_hinge", "kl_divergence"}
)  # one row per class: (batch, classes)
BINARY = frozenset({"binary_crossentropy", "binary_focal_crossentropy"})  # targets in [0, 1] per unit
# compared unit by unit with the target (broadcast where the target has one column)
ELEMENTWISE = BINARY | frozenset(
    {"mean_squared_error", "mean_absolute_error", "mean_absolute_percentage_error",
     "mean_squared_logarithmic_error", "huber", "log_cosh", "hinge", "squared_hinge", "poisson"}
)  # fmt: skip
CROSSENTROPY = SPARSE | BINARY | frozenset({"categorical_crossentropy", "categorical_focal_crossentropy"})
