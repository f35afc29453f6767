# nbgrader configuration for running stock nbgrader commands from this folder, e.g.
#   cd notebooks && nbgrader generate_assignment optimization_methods --force
# The project's own commands (`python -m grader ...`) read it too: course id, root, gradebook,
# and any nbgrader setting such as late penalties, e.g.
#   c.LateSubmissionPlugin.penalty_method = "zero"  (with a due date set in the gradebook)
c = get_config()  # noqa: F821 (provided by nbgrader when it loads this file)

c.CourseDirectory.course_id = "optimization-methods"
c.CourseDirectory.root = "."
c.CourseDirectory.db_url = "sqlite:///gradebook.db"
c.Execute.timeout = 120
# Training and plotting cells carry this tag; stock nbgrader would run them, our grader skips them.
c.ClearSolutions.code_stub = {"python": "# YOUR CODE HERE\nraise NotImplementedError()"}
# Stock `nbgrader generate_feedback` would show students the hidden tests: clear them, and show
# failing tests as their messages only (their tracebacks quote the hidden code).
c.GenerateFeedback.preprocessors = [
    "nbgrader.preprocessors.GetGrades",
    "nbgrader.preprocessors.ClearHiddenTests",
    "grader.preprocessors.HideTestTracebacks",
    "nbconvert.preprocessors.CSSHTMLHeaderPreprocessor",
]
# Short column titles for the grades table in the terminal and report.html (the CSV keeps the
# full names); read by `python -m grader`, ignored by nbgrader.
c.GradesTable.short_names = {
    "update_parameters_with_gd": "gd",
    "random_mini_batches": "batches",
    "initialize_velocity": "init_v",
    "update_parameters_with_momentum": "momentum",
    "initialize_adam": "init_adam",
    "update_parameters_with_adam": "adam",
    "update_lr": "lr",
    "schedule_lr_decay": "schedule",
}
