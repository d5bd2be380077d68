import numpy as np
import pytest

from nnlib import FlatWeights

SHAPES = [(3, 2), (3,), (1, 3), (1,)]


def test_views_have_the_shapes_and_tile_the_buffer():
    fw = FlatWeights(SHAPES)
    assert fw.size == 6 + 3 + 3 + 1
    assert [v.shape for v in fw.views] == SHAPES
    for view in fw.views:
        assert np.shares_memory(view, fw.flat)
    fw.flat[:] = np.arange(fw.size)
    assert np.array_equal(np.concatenate([v.ravel() for v in fw.views]), np.arange(fw.size))


def test_writes_through_views_reach_the_flat_vector_and_back():
    fw = FlatWeights(SHAPES)
    W0 = fw.views[0]
    W0[:] = 1.0
    W0 *= 3.0
    assert np.all(fw.flat[:6] == 3.0) and np.all(fw.flat[6:] == 0.0)
    fw.flat -= 1.0
    assert np.all(W0 == 2.0) and np.all(fw.views[3] == -1.0)


def test_rebinding_makes_a_copy_that_is_no_longer_linked():
    fw = FlatWeights(SHAPES)
    W0 = fw.views[0]
    W0 = W0 + 1.0          # the mistake the lessons warn about
    assert not np.shares_memory(W0, fw.flat)
    assert np.all(fw.flat == 0.0)


def test_copy_is_independent():
    fw = FlatWeights(SHAPES)
    fw.flat[:] = 2.0
    twin = fw.copy()
    twin.flat[:] = 5.0
    assert np.all(fw.flat == 2.0) and np.all(twin.views[0] == 5.0)
    assert not np.shares_memory(twin.flat, fw.flat)


def test_split_lays_out_another_vector_the_same_way():
    fw = FlatWeights(SHAPES)
    grad = np.arange(fw.size, dtype=float)
    parts = fw.split(grad)
    assert np.shares_memory(parts[2], grad)
    assert parts[2].tolist() == [[9.0, 10.0, 11.0]]
    with pytest.raises(ValueError, match="expected"):
        fw.split(np.zeros(3))


def test_wrapping_an_existing_buffer_checks_it():
    buffer = np.ones(13)
    fw = FlatWeights(SHAPES, buffer)
    assert fw.flat is buffer
    with pytest.raises(ValueError, match="13"):
        FlatWeights(SHAPES, np.ones(12))
    with pytest.raises(TypeError, match="float64"):
        FlatWeights(SHAPES, np.ones(13, dtype=np.float32))
