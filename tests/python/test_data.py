"""Datasets through the bindings: the real loaders, NumPy views without copies, and errors."""
import numpy as np
import pytest

import deepctl as dc


def test_fashion_mnist_from_debian():
    train, test = dc.load_fashion_mnist()
    assert len(train) == 60000 and len(test) == 10000
    assert train.input_shape == (1, 28, 28) and train.num_classes == 10
    assert train.inputs.dtype == np.float32 and 0 <= train.inputs.min() and train.inputs.max() <= 1
    assert np.allclose(train.targets.sum(axis=1), 1)


def test_digits_split_is_deterministic_and_standardised():
    a_train, a_test = dc.load("digits")
    b_train, _ = dc.load("digits")
    assert len(a_train) + len(a_test) == 1797
    assert np.array_equal(a_train.inputs, b_train.inputs)
    assert abs(a_train.inputs.mean()) < 1e-3


def test_inputs_are_views_of_the_cpp_buffers():
    data = dc.two_spirals(200, 0.1, seed=3)
    inputs = data.inputs
    assert not inputs.flags.owndata and not inputs.flags.writeable
    assert inputs.base is not None
    del data  # the view keeps its dataset alive
    assert np.isfinite(inputs).all()


def test_dataset_from_numpy_and_shape_errors():
    d = dc.Dataset(np.ones((4, 6)), np.eye(4)[:, :2], num_classes=2, input_shape=(1, 2, 3))
    assert d.input_shape == (1, 2, 3) and len(d) == 4
    with pytest.raises(ValueError, match="4 input rows but 3 target rows"):
        dc.Dataset(np.ones((4, 6)), np.ones((3, 2)))
    with pytest.raises(ValueError, match="data.colour: unknown key"):
        dc.load("digits", colour=1)
    with pytest.raises(ValueError, match="/nonexistent"):
        dc.load_fashion_mnist("/nonexistent")


def test_ib12bit_matches_the_readme_rendering():
    # 4096 lines "bits of F, y", each ending in \n: the SHA-256 its README gives.
    import hashlib
    d = dc.load_ib12bit()
    F = np.asarray(d.inputs).astype(int)
    y = np.asarray(d.targets)[:, 1].astype(int)
    text = "".join(",".join(map(str, row)) + f",{label}\n" for row, label in zip(F, y))
    assert hashlib.sha256(text.encode()).hexdigest() == \
        "3a26a447a018ff27688c3a95201e20c969142b78040322deb48a7d11e73ac239"
    train, test = dc.load("ib12bit", test_fraction=0.2)
    assert len(train) + len(test) == 4096 and train.num_classes == 2


def test_binning_information_of_the_12_bit_set():
    import deepctl.infoplane as ip
    d = dc.load_ib12bit()
    y = np.asarray(d.targets)[:, 1].astype(int).tolist()
    i_xt, i_ty = ip.binning_information(np.asarray(d.inputs, dtype=float), y, [0.5])
    assert i_xt == pytest.approx(12.0) and i_ty == pytest.approx(0.99916, abs=1e-5)
