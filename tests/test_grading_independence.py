"""Grading must not depend on what else is in the run, nor on its order (issue 9).

For any list of submissions, each one's result must be exactly what grading
it alone (a fresh grader and a fresh worker) gives: in any order, with one
grader for the whole run (its verdict cache shared by all the answers), and
with a grader per submission sharing one worker (no cache shared, the worker
state shared). The answer pools hold answers that are equal as text but not
as answers, and the other way round.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from grader.grading import Grader
from grader.sandbox import Sandbox
from grader.submission import submission_from_data
from solver.key import build_key
from solver.spec.loading import load_problem

SEED = Path(__file__).resolve().parents[1] / "problems" / "cnn" / "q1_1.yaml"
TIME_LIMIT = 5.0
CORRECT_I = "f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c,2(j-1)+k]"

POOLS = {
    # the seed's a is 4 x 5; "4*5" is one axis (20) only where '*' is not read as a separator
    ("a", "shape"): ["4 x 5", "4 × 5", "4*5", "[4, 5]", "5 x 4", "20", "(4, 5)", "4 x 5 x 1"],
    # c.i is 1 x 2: "[1*1, 2]" has 2 axes, "[1×1, 2]" has 3 (× separates axes)
    ("c.i", "shape"): ["[1*1, 2]", "[1×1, 2]", "1 x 2", "1 × 2", "2", "[1, 2]"],
    ("c.i", "value"): [CORRECT_I, "f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c,2j+k]",
                       "f[1,j] = x[1,j]", "f[1,j] = sum_{c=1}^{2} sum_{k=1}^{3} W[1,c,k] x[c,2(j-1)+k-1]"],
    ("b", "shape"): ["F x (floor((H+2P-D(K-1)-1)/S)+1) x (floor((W+2P-D(K-1)-1)/S)+1)",
                     "F x ceil((H+2P-D(K-1))/S) x ceil((W+2P-D(K-1))/S)", "F x H x W",
                     "F x (floor((H+2P-D*K-1)/S)+1) x (floor((W+2P-D*K-1)/S)+1)"],
}


def _submission(answers: dict, indexing):
    by_part: dict = {}
    for (part, item), answer in answers.items():
        if answer is not None:
            by_part.setdefault(part, {})[item] = answer
    return {"problem": "q1.1", "indexing": indexing, "answers": by_part}


SUBMISSIONS = st.builds(
    _submission,
    st.fixed_dictionaries({target: st.one_of(st.none(), st.sampled_from(pool))
                           for target, pool in POOLS.items()}),
    st.sampled_from([None, 0, 1]))
RUNS = st.lists(SUBMISSIONS, min_size=2, max_size=4).flatmap(
    lambda batch: st.tuples(st.just(batch), st.permutations(range(len(batch)))))


@pytest.fixture(scope="module")
def key():
    return build_key(load_problem(SEED))


def _load(data: dict, index: int):
    return submission_from_data(data, path=f"s{index}.yaml")


def _alone(key, data: dict, index: int) -> dict:
    with Grader(key, time_limit=TIME_LIMIT) as grader:   # a fresh cache and a fresh worker
        return grader.grade(_load(data, index)).to_data()


@settings(max_examples=15, deadline=None, database=None, derandomize=True,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture])
@given(run=RUNS)
@example(run=([_submission({("c.i", "shape"): "[1*1, 2]"}, None),
               _submission({("c.i", "shape"): "[1×1, 2]"}, None)], [0, 1]))
def test_each_result_is_the_result_of_grading_it_alone(key, run):
    batch, order = run
    alone = [_alone(key, data, index) for index, data in enumerate(batch)]
    with Grader(key, time_limit=TIME_LIMIT) as shared_cache:
        together = {index: shared_cache.grade(_load(batch[index], index)).to_data() for index in order}
    with Sandbox(time_limit=TIME_LIMIT) as worker:
        apart = {index: Grader(key, sandbox=worker).grade(_load(batch[index], index)).to_data()
                 for index in order}
    for index in order:
        assert together[index] == alone[index], (index, batch[index])
        assert apart[index] == alone[index], (index, batch[index])
