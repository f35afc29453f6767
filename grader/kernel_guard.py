"""The grader's guard: runs inside the student's kernel before any cell of the submission.

This file is not imported by the kernel: SandboxedExecute sends its source, followed by
``install(<name>, <key>)``, as a silent first execution when a submission is graded. It needs
only the standard library, numpy and IPython.

``install(name, key)`` captures references while they are still pristine - the builtins, a
snapshot of numpy's namespace, the kernel's stdout, sha256 - and binds ``name`` (random per
grading) in the notebook's namespace to an object with one method. SealTestCells turns every
autograder cell into::

    <name>.run_tests("<grade id>", "<the cell's test code>", update_lr=update_lr)

and ``run_tests`` executes the test code in a fresh namespace holding only those captured
builtins, the numpy snapshot as ``np``, and the function under test (which may not shadow a
builtin). Whatever a student cell rebinds or monkey-patches afterwards (``np.allclose``,
``np.all``, ``np.testing``, ``bool``, ``isinstance``, a global named ``_close``,
``utils.public_tests``) is therefore never looked up by the hidden tests.

Only once the test code ran to the end does ``run_tests`` print the cell's pass token,
``TOKEN_PREFIX + HMAC-SHA256(key, grade id + "\\0" + sha256(test code))`` (``pass_token``). The
key is drawn by the grader for each grading and is in no cell: the guard keeps it only as two
keyed sha256 states in its closure, and the grader computes the expected token from the test
code it sealed. RequirePassTokens fails every autograder cell whose token is missing, so
silencing tracebacks, swallowing exceptions, skipping cells, or rewriting a sealed cell before
IPython runs it (an input transformer printing something token-like, or calling ``run_tests``
with other test code) earns nothing.

The numpy snapshot keeps references to numpy's functions, not copies: the hidden tests rely
only on what a student cannot change from Python - ufuncs, C functions, and methods of the
immutable ``ndarray`` and ``RandomState`` types - and check result types exactly (an ndarray
subclass or an object with a custom ``__eq__`` is rejected before any comparison).

The kernel is still the student's process. What this does not stop - code that finds the
guard's own objects or the test's frames (``run_tests.__closure__``, ``gc``, ``sys._getframe``,
``ctypes``): they hold the keyed hash states, from which any cell's token can be computed, and
the hidden tests' namespace - is listed in the README, section "What grading defends against".
"""

TOKEN_PREFIX = "grader-pass-"


def install(name, key):
    """Bind `name` in the notebook's namespace to the guard signing with `key` (bytes); call
    before any student code."""
    import builtins
    import hashlib
    import sys
    import types

    import numpy
    import numpy.random
    from IPython import get_ipython

    pristine_builtins = dict(vars(builtins))
    builtin_names = frozenset(pristine_builtins)
    numpy_names = dict(vars(numpy))
    random_names = dict(vars(numpy.random))
    namespace_type, new_dict, run, compile_ = types.SimpleNamespace, dict, exec, compile
    str_, type_ = str, type
    write, flush = sys.stdout.write, sys.stdout.flush
    gettrace, getprofile = sys.gettrace, sys.getprofile
    # HMAC-SHA256 (RFC 2104) held as its two keyed hash states, C objects whose methods no
    # student code can replace; the key itself is not kept
    sha256, prefix = hashlib.sha256, TOKEN_PREFIX
    block = (sha256(key).digest() if len(key) > 64 else key).ljust(64, b"\0")
    inner = sha256(bytes(byte ^ 0x36 for byte in block))
    outer = sha256(bytes(byte ^ 0x5C for byte in block))

    def run_tests(grade_id, source, **functions):
        """Run hidden test code with pristine names; print its pass token if it raised nothing."""
        if type_(grade_id) is not str_ or type_(source) is not str_:
            raise TypeError("run_tests takes the grade id and the test code as plain strings")
        if functions.keys() & builtin_names:
            raise TypeError("the function under test may not shadow a builtin")
        if gettrace() is not None or getprofile() is not None:
            raise RuntimeError("a trace or profile function is active (sys.settrace or "
                               "sys.setprofile): the hidden tests do not run under one")
        np = namespace_type(**numpy_names)
        np.random = namespace_type(**random_names)
        namespace = new_dict(functions)
        namespace.update(__builtins__=new_dict(pristine_builtins), __name__="hidden_tests", np=np)
        run(compile_(source, "<hidden tests>", "exec"), namespace)
        signed = inner.copy()
        signed.update((grade_id + "\0" + sha256(source.encode()).hexdigest()).encode())
        token = outer.copy()
        token.update(signed.digest())
        write("\n" + prefix + token.hexdigest() + "\n")
        flush()

    get_ipython().user_ns[name] = namespace_type(run_tests=run_tests)


def pass_token(key, grade_id, source):
    """The token the guard prints once `source` ran to the end for `grade_id`, as the grader
    computes it (not used in the kernel)."""
    import hashlib
    import hmac

    digest = hashlib.sha256(source.encode()).hexdigest()
    return TOKEN_PREFIX + hmac.new(key, (grade_id + "\0" + digest).encode(), "sha256").hexdigest()


def prelude(name, key):
    """Code that installs the guard as `name`, signing with `key`, in a fresh kernel, leaving
    nothing else behind - not even its own source in IPython's line cache.

    Called by the grader (not in the kernel): SandboxedExecute runs it silently first thing.
    """
    from pathlib import Path

    source = Path(__file__).read_text(encoding="utf-8")
    return (
        "def _install_grader_guard():\n"
        "    import linecache\n"
        "    import sys\n"
        "    namespace = {'__name__': 'grader_guard'}\n"
        f"    exec(compile({source!r}, '<grader guard>', 'exec'), namespace)\n"
        f"    namespace['install']({name!r}, {bytes(key)!r})\n"
        "    linecache.cache.pop(sys._getframe().f_code.co_filename, None)\n"
        "_install_grader_guard()\n"
        "del _install_grader_guard\n"
    )
