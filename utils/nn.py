"""A small fully connected binary classifier: (LINEAR -> RELU) * (L-1) -> LINEAR -> SIGMOID.

Parameters live in a dict with keys "W1", "b1", ..., "WL", "bL"; W_l has shape (n_l, n_{l-1}) and
b_l has shape (n_l, 1). Data are stored one example per column: X is (n_0, m) and Y is (1, m).

The optimizer runs call forward_propagation, compute_cost and backward_propagation hundreds of
thousands of times on 64-column mini-batches. At that size numpy's fixed cost per call outweighs the
arithmetic, so the code below keeps the number of array operations small: results are updated in
place where that reads naturally, scalars are written as floats (a float scalar with a float array
avoids a slower mixed-type loop), and no Python-level loop ever visits single elements.
"""

import functools

import numpy as np


def initialize_parameters(layers_dims):
    """Return He-initialised weights and zero biases for the layer sizes in ``layers_dims``."""
    np.random.seed(3)
    parameters = {}
    for layer in range(1, len(layers_dims)):
        n_in, n_out = layers_dims[layer - 1], layers_dims[layer]
        parameters[f"W{layer}"] = np.random.randn(n_out, n_in) * np.sqrt(2 / n_in)
        parameters[f"b{layer}"] = np.zeros((n_out, 1))
    return parameters


@functools.cache
def _layer_keys(L):
    """Return ((W key, b key, dW key, db key) for layer l = 1..L), built once per depth."""
    # Formatting "W1", "dW1", ... afresh on every call, and hashing the new strings, costs about a
    # microsecond per forward/backward pair, noticeable over a few hundred thousand mini-batches.
    return tuple((f"W{i}", f"b{i}", f"dW{i}", f"db{i}") for i in range(1, L + 1))


def forward_propagation(X, parameters):
    """Run the network on X and return (A_L, cache); A_L holds the output probabilities, (1, m).

    ``cache`` is the pair ``(activations, weights)``: ``activations`` is the list
    ``[X, A_1, ..., A_L]`` and ``weights`` is ``[W_1, ..., W_L]``, which is all that
    backward_propagation needs.
    """
    *hidden_layers, output_layer = _layer_keys(len(parameters) // 2)
    A = X
    activations = [X]
    weights = []
    for w_key, b_key, _, _ in hidden_layers:
        W = parameters[w_key]
        Z = np.dot(W, A)
        Z += parameters[b_key]
        A = np.maximum(Z, 0.0, out=Z)  # ReLU, overwriting Z, which is not needed again
        activations.append(A)
        weights.append(W)

    w_key, b_key, _, _ = output_layer
    W = parameters[w_key]
    Z = np.dot(W, A)
    Z += parameters[b_key]
    # Sigmoid 1 / (1 + exp(-Z)), evaluated step by step in Z's own buffer.
    np.negative(Z, out=Z)
    np.exp(Z, out=Z)
    Z += 1.0
    A = np.reciprocal(Z, out=Z)
    activations.append(A)
    weights.append(W)
    return A, (activations, weights)


def backward_propagation(X, Y, cache):
    """Return the gradients {"dW1", "db1", ..., "dWL", "dbL"} of compute_cost(A_L, Y) / m.

    ``X`` must be the input given to forward_propagation (the cache already refers to it; the
    argument is kept so the call reads as in the original assignment).
    """
    activations, weights = cache
    L = len(weights)
    grads = {}
    dZ = activations[L] - Y
    dZ /= X.shape[1]  # dZ_L = (A_L - Y) / m: sigmoid and cross-entropy combined
    keys = _layer_keys(L)
    for layer in range(L, 0, -1):
        _, _, dw_key, db_key = keys[layer - 1]
        A_prev = activations[layer - 1]
        grads[dw_key] = np.dot(dZ, A_prev.T)
        grads[db_key] = np.add.reduce(dZ, axis=1, keepdims=True)  # np.sum without its wrapper
        if layer > 1:
            dZ = np.dot(weights[layer - 1].T, dZ)
            # ReLU derivative: 1 where Z_{l-1} > 0, else 0. A_prev = max(Z, 0) is never negative, so
            # np.sign(A_prev) is exactly that 0/1 mask, already as floats (a faster product than
            # multiplying by the boolean mask A_prev > 0).
            dZ *= np.sign(A_prev)
    return grads


def compute_cost(A_L, Y):
    """Return the cross-entropy summed over the columns: sum(-Y log A_L - (1 - Y) log(1 - A_L))."""
    # Two dot products do each term's multiply-and-sum in one call; with the labels as floats
    # (usually they arrive as ints) both products and 1 - y stay on numpy's fast float paths.
    a = A_L.ravel()
    y = Y.ravel().astype(np.float64, copy=False)
    return -float(np.dot(np.log(a), y) + np.dot(np.log(1.0 - a), 1.0 - y))


def predict(X, parameters):
    """Return the predicted labels, an int array of 0s and 1s of shape (1, m)."""
    A_L, _ = forward_propagation(X, parameters)
    return (A_L > 0.5).astype(int)


def accuracy(X, Y, parameters):
    """Return the fraction of the columns of X whose predicted label equals Y."""
    return float(np.mean(predict(X, parameters) == Y))


def predict_dec(parameters, X):
    """Return boolean predictions of shape (m,) for the points in X, (2, m); used for plotting."""
    A_L, _ = forward_propagation(X, parameters)
    return A_L[0] > 0.5
