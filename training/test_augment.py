"""Checks of the full recipe's augmentation (training/augment.py); needs only numpy and torch.

  python3 -m training.test_augment
"""
import numpy as np

from .augment import augment_pair, rotation_grid, transform_pair, warp


def test_identity():
    rng = np.random.default_rng(0)
    img = rng.integers(0, 256, (30, 50, 3), dtype=np.uint8)
    out, tgt, lab = transform_pair(img, img, img[..., 0], 0.0, False)
    assert np.array_equal(out, img) and np.array_equal(lab, img[..., 0])
    # a zero-angle grid samples every pixel centre exactly
    assert np.array_equal(warp(img, rotation_grid(30, 50, 0.0)), img)


def test_flip_twice_is_identity():
    img = np.arange(4 * 6 * 3, dtype=np.uint8).reshape(4, 6, 3)
    once = transform_pair(img, img, None, 0.0, True)[0]
    assert np.array_equal(once[:, 0], img[:, -1])
    assert np.array_equal(transform_pair(once, once, None, 0.0, True)[0], img)


def test_rotation_moves_a_point_as_expected():
    # A bright pixel right of the centre of a wide image, rotated by 90 degrees, lands above or below
    # the centre at the same distance in pixels (no shear from the aspect ratio).
    h, w = 41, 81
    img = np.zeros((h, w), np.float32)
    img[20, 60] = 1.0  # 20 px right of the centre (20, 40)
    out = warp(img, rotation_grid(h, w, 90.0), nearest=True)
    ys, xs = np.nonzero(out)
    assert len(ys) == 1 and xs[0] == 40 and abs(ys[0] - 20) == 20, (ys, xs)


def test_labels_stay_labels_and_edges_are_replicated():
    rng = np.random.default_rng(1)
    labels = rng.choice(np.array([0, 3, 7, 255], np.uint8), (60, 80))
    img = np.full((60, 80, 3), 200, np.uint8)
    _, _, lab = transform_pair(img, img, labels, 9.0, False)
    assert set(np.unique(lab)) <= {0, 3, 7, 255}          # nearest: no blended label values
    out = transform_pair(img, img, None, 9.0, False)[0]
    assert (out == 200).all()                            # border padding: no black corners


def test_input_and_target_move_together():
    # target = a per-pixel colour edit of the input; after the same random transform, the target is
    # still (up to bilinear rounding) the edit of the transformed input at every pixel.
    rng = np.random.default_rng(2)
    base = rng.integers(0, 256, (12, 16, 3)).astype(np.uint8)
    inp = np.kron(base, np.ones((8, 8, 1), np.uint8))    # smooth-ish blocks, 96 x 128
    tgt = (255 - inp).astype(np.uint8)                    # the edit: invert
    for seed in range(5):
        a, b, _ = augment_pair(np.random.default_rng(seed), inp, tgt, None)
        assert np.abs(255 - a.astype(int) - b.astype(int)).max() <= 1


def main():
    tests = [v for k, v in globals().items() if k.startswith("test_")]
    for t in tests:
        t()
        print(f"ok {t.__name__}")
    print(f"{len(tests)} passed")


if __name__ == "__main__":
    main()
