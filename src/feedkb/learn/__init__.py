"""The learned layer of tagging: a linear model over character n-grams of title and summary,
with the rules' scores as features, trained on labelled items and the curator's corrections.

``features`` turns text into the model's inputs, ``model`` scores with a trained model and
keeps it on disk, ``train`` fits and cross-validates, ``examples`` gathers labelled items.
"""
