"""The grader's guard: runs inside the student's kernel before any cell of the submission.

This file is not imported by the kernel: SandboxedExecute sends its source, followed by
``install(<name>)``, as a silent first execution when a submission is graded. It needs only the
standard library, numpy and IPython.

``install(name)`` captures references while they are still pristine - the builtins, a snapshot of
numpy's namespace, the kernel's stdout - and binds ``name`` (random per grading) in the notebook's
namespace to an object with one method. SealTestCells turns every autograder cell into::

    <name>.run_tests("<pass token>", "<the cell's test code>", update_lr=update_lr)

and ``run_tests`` executes the test code in a fresh namespace holding only those captured
builtins, the numpy snapshot as ``np``, and the function under test. Whatever a student cell
rebinds or monkey-patches afterwards (``np.allclose``, ``np.all``, ``np.testing``, ``bool``,
``isinstance``, a global named ``_close``, ``utils.public_tests``) is therefore never looked up by
the hidden tests. The token - a secret that exists nowhere until its cell is sent - is printed
only after the tests ran to the end; RequirePassTokens fails every autograder cell whose token is
missing, so silencing tracebacks, swallowing exceptions or skipping cells earns nothing.

The numpy snapshot keeps references to numpy's functions, not copies: the hidden tests rely
only on what a student cannot change from Python - ufuncs, C functions, and methods of the
immutable ``ndarray`` and ``RandomState`` types - and check result types exactly (an ndarray
subclass or an object with a custom ``__eq__`` is rejected before any comparison).

The kernel is still the student's process. What this does not stop - code that finds the
guard's own objects or the test's frames (``gc``, ``sys._getframe``, ``ctypes``), or rewrites a
cell's source before IPython runs it (input transformers) - is listed in the README, section
"What grading defends against".
"""


def install(name):
    """Bind `name` in the notebook's namespace to the guard; call before any student code."""
    import builtins
    import sys
    import types

    import numpy
    import numpy.random
    from IPython import get_ipython

    pristine_builtins = dict(vars(builtins))
    numpy_names = dict(vars(numpy))
    random_names = dict(vars(numpy.random))
    namespace_type, new_dict, run, compile_ = types.SimpleNamespace, dict, exec, compile
    write, flush = sys.stdout.write, sys.stdout.flush
    gettrace, getprofile = sys.gettrace, sys.getprofile

    def run_tests(token, source, **functions):
        """Run hidden test code with pristine names; print `token` if it raised nothing."""
        if gettrace() is not None or getprofile() is not None:
            raise RuntimeError("a trace or profile function is active (sys.settrace or "
                               "sys.setprofile): the hidden tests do not run under one")
        np = namespace_type(**numpy_names)
        np.random = namespace_type(**random_names)
        namespace = new_dict(functions)
        namespace.update(__builtins__=new_dict(pristine_builtins), __name__="hidden_tests", np=np)
        run(compile_(source, "<hidden tests>", "exec"), namespace)
        write("\n" + token + "\n")
        flush()

    get_ipython().user_ns[name] = namespace_type(run_tests=run_tests)


def prelude(name):
    """Code that installs the guard as `name` in a fresh kernel, leaving nothing else behind.

    Called by the grader (not in the kernel): SandboxedExecute runs it silently first thing.
    """
    from pathlib import Path

    source = Path(__file__).read_text(encoding="utf-8")
    return (
        "def _install_grader_guard():\n"
        "    namespace = {'__name__': 'grader_guard'}\n"
        f"    exec(compile({source!r}, '<grader guard>', 'exec'), namespace)\n"
        f"    namespace['install']({name!r})\n"
        "_install_grader_guard()\n"
        "del _install_grader_guard\n"
    )
