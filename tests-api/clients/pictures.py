"""The pictures the client tests send, and the label-map edit they make, with zlib only.

`scene` writes an RGB PNG photo (a sky over a field with a bright disc), so a test has a photo
larger than `max_side`'s minimum without an image library. `read_label_map` and `label_map`
read and write the 8-bit grayscale PNGs the service answers with and accepts as `map`.
"""
import struct
import sys
import zlib

SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _chunk(kind, data):
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)


def _png(width, height, colour_type, channels, pixels):
    stride = width * channels
    rows = b"".join(b"\x00" + pixels[y * stride:(y + 1) * stride] for y in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return SIGNATURE + _chunk(b"IHDR", header) + _chunk(b"IDAT", zlib.compress(rows)) + _chunk(b"IEND", b"")


def scene(width, height):
    """An RGB PNG: blue sky above, green field below, an orange disc across the horizon."""
    pixels = bytearray()
    for y in range(height):
        for x in range(width):
            dx, dy = x - width * 0.6, y - height * 0.5
            if dx * dx + dy * dy < (height * 0.2) ** 2:
                pixels += bytes((230, 140, 40))
            elif y < height // 2:
                pixels += bytes((90 + y * 60 // height, 140, 220))
            else:
                pixels += bytes((60, 150 - (y - height // 2) * 60 // height, 50 + x * 40 // width))
    return _png(width, height, 2, 3, bytes(pixels))


def label_map(width, height, labels):
    """An 8-bit grayscale PNG whose pixel values are the given preset indices (row-major)."""
    return _png(width, height, 0, 1, bytes(labels))


def read_label_map(data):
    """(width, height, labels) of an 8-bit grayscale, non-interlaced PNG; anything else raises."""
    if not data.startswith(SIGNATURE):
        raise ValueError("not a PNG")
    position, header, compressed = len(SIGNATURE), None, b""
    while position < len(data):
        (length,) = struct.unpack(">I", data[position:position + 4])
        kind = data[position + 4:position + 8]
        body = data[position + 8:position + 8 + length]
        if zlib.crc32(kind + body) & 0xFFFFFFFF != struct.unpack(">I", data[position + 8 + length:position + 12 + length])[0]:
            raise ValueError(f"bad CRC in {kind!r}")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            compressed += body
        position += 12 + length
    width, height, depth, colour_type, _, _, interlace = header
    if (depth, colour_type, interlace) != (8, 0, 0):
        raise ValueError(f"not an 8-bit gray non-interlaced PNG: depth {depth}, colour type {colour_type}, interlace {interlace}")
    raw = zlib.decompress(compressed)
    labels, previous = bytearray(), bytearray(width)
    for y in range(height):
        kind, row = raw[y * (width + 1)], bytearray(raw[y * (width + 1) + 1:(y + 1) * (width + 1)])
        for x in range(width):
            left = row[x - 1] if x else 0
            up, up_left = previous[x], previous[x - 1] if x else 0
            if kind == 1:
                row[x] = (row[x] + left) & 0xFF
            elif kind == 2:
                row[x] = (row[x] + up) & 0xFF
            elif kind == 3:
                row[x] = (row[x] + (left + up) // 2) & 0xFF
            elif kind == 4:
                p = left + up - up_left
                pa, pb, pc = abs(p - left), abs(p - up), abs(p - up_left)
                row[x] = (row[x] + (left if pa <= pb and pa <= pc else up if pb <= pc else up_left)) & 0xFF
            elif kind != 0:
                raise ValueError(f"unknown PNG filter {kind}")
        labels += row
        previous = row
    return width, height, bytes(labels)


if __name__ == "__main__":
    # pictures.py scene WIDTH HEIGHT OUT.png: the photo the TypeScript test reads.
    _, what, width, height, path = sys.argv
    assert what == "scene"
    with open(path, "wb") as out:
        out.write(scene(int(width), int(height)))
