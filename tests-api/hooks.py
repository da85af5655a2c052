"""Schemathesis hooks for `make test-api` (loaded through SCHEMATHESIS_HOOKS=hooks).

Generated multipart bodies hold random bytes, which the service rightly refuses (415/422): on
their own they would never reach the success answers, so those would go unchecked. These hooks
turn part of the generated `POST /v1/adjust` cases into real requests: a real JPEG or PNG photo,
sometimes a valid label map or one with the wrong K, and each of the Accept values the service
negotiates. Which rewrite applies is derived from the generated case itself, so a run is as
reproducible as schemathesis's own seed.
"""
import pathlib
import struct
import zlib

import schemathesis

ROOT = pathlib.Path(__file__).resolve().parent.parent
JPEG = (ROOT / "Tests" / "ImagingTests" / "Fixtures" / "baseline420.jpg").read_bytes()
# K of the tiny parity model the server runs under `make test-api`.
K = 2
ACCEPTS = [None, "image/jpeg", "application/json", "multipart/mixed", "*/*", "application/json;q=0.5, image/*", "text/html"]


def png(width, height, channels, pixel):
    """A minimal 8-bit PNG (gray, gray+alpha, RGB or RGBA); pixel(x, y) gives a row's bytes."""
    colour_type = {1: 0, 2: 4, 3: 2, 4: 6}[channels]
    rows = b"".join(b"\x00" + bytes(v for x in range(width) for v in pixel(x, y)) for y in range(height))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xFFFFFFFF)

    header = struct.pack(">IIBBBBB", width, height, 8, colour_type, 0, 0, 0)
    return b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", zlib.compress(rows)) + chunk(b"IEND", b"")


PHOTO_PNG = png(40, 28, 3, lambda x, y: (x * 6, y * 9, 128))
LABEL_MAP = png(10, 7, 1, lambda x, y: ((x + y) % K,))
WEIGHT_MAP = png(5, 5, K, lambda x, y: (x * 50, 255 - x * 50))  # gray+alpha: K = 2 weights
WRONG_K_MAP = png(4, 4, 1, lambda x, y: (K + 1,))


def seed_of(case):
    body = case.body if isinstance(case.body, dict) else {}
    text = repr(sorted((k, v if isinstance(v, (str, int, float)) else len(v or b"")) for k, v in body.items()))
    return zlib.crc32(text.encode())


@schemathesis.hook
def before_load_schema(context, raw_schema):
    """Gives the reRender link the body mapping that openapi.yaml cannot carry.

    OpenAPI allows a Link's requestBody to be an object of runtime expressions, but openapi-generator
    refuses a document that has one (it reads the field as a string only), so the committed link
    says in words that `X-Image-Id` goes back as the form field `image_id`. Here that sentence
    becomes the expression schemathesis's stateful phase follows, so re-renders of real cached
    photos are still tested.
    """
    link = raw_schema["paths"]["/v1/adjust"]["post"]["responses"]["200"]["links"]["reRender"]
    assert "requestBody" not in link, "openapi.yaml has a link requestBody again: drop this hook"
    link["requestBody"] = {"image_id": "$response.header.X-Image-Id"}


@schemathesis.hook
def map_case(context, case):
    if case.operation.method.upper() != "POST" or case.operation.path != "/v1/adjust":
        return case
    seed = seed_of(case)
    accept = ACCEPTS[seed % len(ACCEPTS)]
    if accept is not None:
        case.headers = dict(case.headers or {})
        case.headers["Accept"] = accept
    body = case.body
    # Half the cases that send an image send a real one; the rest keep schemathesis's bytes.
    if isinstance(body, dict) and "image" in body and (seed >> 4) % 2 == 0:
        body["image"] = JPEG if (seed >> 5) % 2 == 0 else PHOTO_PNG
        if "map" in body:
            body["map"] = [LABEL_MAP, WEIGHT_MAP, WRONG_K_MAP, body["map"]][(seed >> 6) % 4]
    return case


@schemathesis.deserializer("multipart/mixed")
def multipart_mixed(context, response):
    """The three parts of a multipart/mixed answer, by name, for schema validation.

    The metadata part is parsed as JSON; the binary parts become latin-1 strings (lossless) after
    checking that each has its documented Content-Type and the signature of that format.
    """
    import email.parser
    import json

    content_type = response.headers.get("Content-Type") or response.headers.get("content-type")
    if isinstance(content_type, list):
        content_type = content_type[0]
    message = email.parser.BytesParser().parsebytes(b"Content-Type: " + content_type.encode() + b"\r\n\r\n" + response.content)
    if not message.is_multipart():
        raise ValueError("not a multipart body")
    signatures = {"image/jpeg": b"\xff\xd8\xff", "image/png": b"\x89PNG\r\n\x1a\n"}
    parts = {}
    for part in message.get_payload():
        name = part.get_param("name", header="Content-Disposition")
        if name is None:
            raise ValueError("a part has no Content-Disposition name")
        if name in parts:
            raise ValueError(f"the part '{name}' appears twice")
        body = part.get_payload(decode=True)
        kind = part.get_content_type()
        if kind == "application/json":
            parts[name] = json.loads(body)
        else:
            if kind in signatures and not body.startswith(signatures[kind]):
                raise ValueError(f"the part '{name}' says {kind} but does not start like one")
            parts[name] = body.decode("latin-1")
    return parts
