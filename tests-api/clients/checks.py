"""What the client tests expect of an answer, whichever generated client received it."""
import re

IMAGE_ID = re.compile(r"^[0-9a-f]{32}$")


class Failure(AssertionError):
    pass


def expect(condition, message):
    if not condition:
        raise Failure(message)


def expect_jpeg(data, what):
    expect(isinstance(data, (bytes, bytearray)), f"{what}: expected bytes, got {type(data).__name__}")
    expect(data[:3] == b"\xff\xd8\xff" and data[-2:] == b"\xff\xd9", f"{what}: not a whole JPEG ({len(data)} bytes)")


def expect_image_id(value, what):
    expect(isinstance(value, str) and IMAGE_ID.match(value), f"{what}: {value!r} is not an image_id")


def inverted(labels, k):
    """The label map with every preset index i replaced by K-1-i: an edit that moves every pixel."""
    return bytes(k - 1 - label for label in labels)


def expect_reversed_coverage(first, second, what):
    """After `inverted`, preset i covers what preset K-1-i covered (the service counts the map's pixels)."""
    expect(len(first) == len(second), f"{what}: coverage {second} has another K than {first}")
    for before, after in zip(reversed(first), second):
        expect(abs(before - after) < 1e-3, f"{what}: coverage {second} is not {first} reversed")
