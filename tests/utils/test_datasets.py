"""Tests for utils.datasets.load_moons."""

import numpy as np
import sklearn.datasets

from utils.datasets import load_moons


def test_shapes_and_dtypes():
    X, Y = load_moons()
    assert X.shape == (2, 300)
    assert Y.shape == (1, 300)
    assert X.dtype == np.float64
    assert np.issubdtype(Y.dtype, np.integer)


def test_labels_are_balanced_zeros_and_ones():
    _, Y = load_moons()
    assert set(np.unique(Y)) == {0, 1}
    assert np.count_nonzero(Y == 1) == 150


def test_size_and_noise_arguments():
    X, Y = load_moons(n_samples=40)
    assert X.shape == (2, 40) and Y.shape == (1, 40)
    X_clean, Y_clean = load_moons(noise=0.0)
    # Without noise every point lies on its unit half-circle (the second one centred at (1, 0.5)).
    centres = np.where(Y_clean == 0, [[0.0], [0.0]], [[1.0], [0.5]])
    np.testing.assert_allclose(np.hypot(*(X_clean - centres)), 1.0)


def test_deterministic_whatever_the_global_state():
    X1, Y1 = load_moons()
    np.random.seed(12345)
    np.random.rand(7)
    X2, Y2 = load_moons()
    np.testing.assert_array_equal(X1, X2)
    np.testing.assert_array_equal(Y1, Y2)


def test_seed_changes_the_data():
    X3, _ = load_moons(seed=3)
    X4, _ = load_moons(seed=4)
    assert not np.allclose(X3, X4)


def test_matches_the_recipe():
    np.random.seed(3)
    points, labels = sklearn.datasets.make_moons(n_samples=300, noise=0.2)
    X, Y = load_moons()
    np.testing.assert_array_equal(X, points.T)
    np.testing.assert_array_equal(Y, labels.reshape(1, 300))


def test_first_values():
    X, Y = load_moons()
    np.testing.assert_allclose(
        X[:, :3],
        [[-0.21687013, 0.80505015, 0.71127451], [1.01544937, -0.5579734, -0.41006024]],
        atol=1e-8,
    )
    np.testing.assert_array_equal(Y[0, :10], [0, 1, 1, 1, 0, 0, 1, 1, 0, 1])
