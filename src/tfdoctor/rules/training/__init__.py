"""TFD8xx: training dynamics, judged on what the Keras callback watched or a TensorBoard log
holds."""
