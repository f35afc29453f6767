"""The report's grouping of failure messages: the same mistake on other inputs is one group."""

from grader.report import without_inputs


def test_messages_lose_the_inputs_they_failed_on_and_keep_the_rest():
    one = ("AssertionError: learning_rate is wrong (learning_rate0=0.53, epoch_num=12, "
           "decay_rate=0.2): learning_rate0 / (1 + decay_rate * epoch_num)")
    other = ("AssertionError: learning_rate is wrong (learning_rate0=0.91, epoch_num=3, "
             "decay_rate=1.7): learning_rate0 / (1 + decay_rate * epoch_num)")
    assert without_inputs(one) == without_inputs(other) == (
        "AssertionError: learning_rate is wrong: learning_rate0 / (1 + decay_rate * epoch_num)")
    network = "AssertionError: W1 is wrong (a 3-layer network (4, 5, 3, 1), learning_rate=0.3): x"
    assert without_inputs(network) == "AssertionError: W1 is wrong: x"
    plain = "NotImplementedError: finish exercise 1 (update_parameters_with_gd) first"
    assert without_inputs(plain) == plain
