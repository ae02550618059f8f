import numpy as np

from minicpmv_edge.runtime.sampling import Sampler, Sampling


def test_greedy_picks_argmax() -> None:
    logits = np.array([0.1, 3.0, 2.9, -1.0], np.float32)
    assert Sampler(Sampling())(logits, []) == 1


def test_repetition_penalty_demotes_seen_tokens() -> None:
    logits = np.array([0.0, 3.0, 2.9], np.float32)
    assert Sampler(Sampling(repetition_penalty=1.2))(logits, [1]) == 2


def test_top_p_keeps_only_the_nucleus() -> None:
    logits = np.array([10.0, 9.0, 0.0, 0.0, 0.0], np.float32)
    sampler = Sampler(Sampling(temperature=1.0, top_p=0.5, top_k=0, seed=3))
    assert {sampler(logits, []) for _ in range(50)} == {0}
    wide = Sampler(Sampling(temperature=1.0, top_p=0.99, top_k=0, seed=3))
    assert {wide(logits, []) for _ in range(200)} == {0, 1}


def test_seeded_sampling_is_reproducible() -> None:
    logits = np.random.default_rng(0).normal(size=100).astype(np.float32)
    a = [Sampler(Sampling(temperature=0.7, seed=5))(logits, []) for _ in range(3)]
    b = [Sampler(Sampling(temperature=0.7, seed=5))(logits, []) for _ in range(3)]
    assert a == b
