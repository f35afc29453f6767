"""Hidden tests judged outside the student's kernel.

What an instructor writes in an autograder cell's ``### BEGIN HIDDEN TESTS`` block::

    from grader.hidden_tests import check, like, network, uniform

    check(update_parameters_with_gd,
          inputs=dict(parameters=network(), grads=like("parameters"),
                      learning_rate=uniform(0.01, 2.0)),
          returns="parameters", unchanged=("grads",),
          hints={"parameters": "W -= learning_rate * dW and b -= learning_rate * db, l = 1..L"})

The README's "Writing hidden tests" documents every field and recipe.
"""

from .judge import check
from .recipes import choice, default, derived, index_row, integers, like, network, normal, uniform

__all__ = ["check", "choice", "default", "derived", "index_row", "integers", "like", "network",
           "normal", "uniform"]
