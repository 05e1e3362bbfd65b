"""Training watched: the Keras callback (`tfdoctor.keras.DoctorCallback`, which imports
Keras) and TensorBoard logs read back (`read_logs`, `training_log`: no TensorFlow)."""
