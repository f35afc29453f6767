# nbgrader configuration for running stock nbgrader commands from this folder, e.g.
#   cd notebooks && nbgrader generate_assignment optimization_methods --force
# The project's own commands (`python -m grader ...`) configure nbgrader themselves.
c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "optimization-methods"
c.CourseDirectory.root = "."
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
c.Execute.timeout = 120
# Training and plotting cells carry this tag; stock nbgrader would run them, our grader skips them.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
