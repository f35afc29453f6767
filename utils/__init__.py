"""Support code for the optimization-methods notebook: data, a small network, plots and checks.

The graded functions (gradient-descent, momentum and Adam updates, mini-batches, learning-rate
decay) are deliberately *not* here: students write them in the notebook.
"""
