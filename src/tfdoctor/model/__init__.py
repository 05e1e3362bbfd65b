"""The model layer: load a Keras model (`load.load_model`) and read what it expects of its
data into `ModelFacts` (`read.model_facts`). Keras is imported lazily, inside the functions."""
