"""Dense indexes (FAISS and NumPy): one best score per id, and exact score statistics."""

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from kb.dense import FaissIndex, NumpyIndex, best_per_id

BACKENDS = [FaissIndex, NumpyIndex]


def unit_vectors(n: int, dim: int, seed: int) -> np.ndarray:
    v = np.random.default_rng(seed).normal(size=(n, dim)).astype(np.float32)
    return v / np.linalg.norm(v, axis=1, keepdims=True)


@pytest.mark.parametrize("backend", BACKENDS)
def test_several_vectors_under_one_id_come_back_once_with_the_best_score(backend):
    vectors = unit_vectors(9, 8, seed=1)
    ids = np.array([1, 1, 1, 2, 2, 3, 4, 5, 6])  # chunk 1 has three sentences, 2 has two
    index = backend(8)
    index.add(ids, vectors)
    query = vectors[1]  # the second sentence of chunk 1
    hits = index.search(query, 3)
    assert hits[0] == (1, pytest.approx(1.0, abs=1e-5))
    assert len({i for i, _ in hits}) == len(hits) == 3
    assert len(index) == 9 and index.ids().tolist() == [1, 2, 3, 4, 5, 6]
    index.remove(np.array([1]))
    assert len(index) == 6 and 1 not in [i for i, _ in index.search(query, 6)]


@pytest.mark.parametrize("backend", BACKENDS)
@settings(max_examples=25, deadline=None)
@given(n=st.integers(1, 60), seed=st.integers(0, 10_000))
def test_score_stats_equal_the_brute_force_mean_and_spread(backend, n, seed):
    vectors = unit_vectors(n + 1, 16, seed)
    index = backend(16)
    index.add(np.arange(n) // 2, vectors[:n])  # ids repeat: stats are over vectors
    all_scores = vectors[:n] @ vectors[n]
    mean, std = index.score_stats(vectors[n])
    assert mean == pytest.approx(float(all_scores.mean()), abs=1e-5)
    assert std == pytest.approx(float(all_scores.std()), abs=1e-4)


@pytest.mark.parametrize("backend", BACKENDS)
def test_score_stats_follow_additions_and_removals(backend):
    vectors = unit_vectors(20, 8, seed=3)
    index = backend(8)
    assert index.score_stats(vectors[0]) == (0.0, 0.0)
    index.add(np.arange(10), vectors[:10])
    index.add(np.arange(10, 19), vectors[10:19])
    index.remove(np.arange(5))
    expected = vectors[5:19] @ vectors[19]
    mean, std = index.score_stats(vectors[19])
    assert mean == pytest.approx(float(expected.mean()), abs=1e-5)
    assert std == pytest.approx(float(expected.std()), abs=1e-4)


def test_best_per_id_keeps_the_first_score_of_each_id():
    assert best_per_id(np.array([3, 3, -1, 2, 3, 1]), np.array([.9, .8, .7, .6, .5, .4]), 2) \
        == [(3, .9), (2, .6)]
