"""The two-moons data set the optimization notebook trains on."""

import numpy as np


def load_moons(n_samples=300, noise=0.2, seed=3):
    """Return the seeded two-moons data as X of shape (2, m) float64 and Y of shape (1, m) ints."""
    # make_moons is called without random_state on purpose: it then draws from numpy's global
    # generator, which the seed below fixes, exactly as the original assignment did.
    # imported here, not at the top: scikit-learn takes ~0.6 s to import and only this needs it
    import sklearn.datasets

    np.random.seed(seed)
    points, labels = sklearn.datasets.make_moons(n_samples=n_samples, noise=noise)
    X = np.ascontiguousarray(points.T, dtype=np.float64)
    Y = labels.reshape(1, -1)
    return X, Y
