"""The Keras side of tfdoctor: `DoctorCallback` for `model.fit(callbacks=[...])`. Importing
this module imports Keras."""

from .training.callback import DoctorCallback

__all__ = ["DoctorCallback"]
