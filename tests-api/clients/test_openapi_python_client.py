"""The client openapi-python-client makes from openapi.yaml, against the live service.

Run by tests-api/clients/run.sh with the generated package on PYTHONPATH:
    python3 test_openapi_python_client.py BASE_URL JPEG_PATH SCENE_PNG_PATH

This generator sends no Accept header of its own and parses a 200 as the first media type it
knows (application/json), so the client is made with `Accept: application/json`; the JPEG answer
goes through the client's own httpx client with the generated form model.
"""
import base64
import io
import sys

from semadjust_client import Client
from semadjust_client.api.adjust import adjust_photo, list_styles
from semadjust_client.models import AdjustForm, AdjustResult, Problem, Styles
from semadjust_client.types import File

from checks import expect, expect_image_id, expect_jpeg, expect_reversed_coverage, inverted
from pictures import label_map, read_label_map

base, jpeg_path, scene_path = sys.argv[1:]
jpeg = open(jpeg_path, "rb").read()
scene = open(scene_path, "rb").read()


def upload(data, name, kind):
    return File(payload=io.BytesIO(data), file_name=name, mime_type=kind)


with Client(base_url=base, headers={"Accept": "application/json"}, raise_on_unexpected_status=True) as client:
    styles = list_styles.sync(client=client)
    expect(isinstance(styles, Styles) and styles.default and styles.styles, f"list_styles: {styles}")
    style = next(s for s in styles.styles if s.id == styles.default)
    k = style.k

    first = adjust_photo.sync_detailed(client=client, body=AdjustForm(
        image=upload(scene, "scene.png", "image/png"), style=style.id, quality=85, max_side=64))
    result = first.parsed
    expect(first.status_code == 200 and isinstance(result, AdjustResult), f"adjust_photo: {first.status_code} {result!r}")
    expect_image_id(result.image_id, "adjust_photo")
    expect(first.headers["X-Image-Id"] == result.image_id, "X-Image-Id differs from the body's image_id")
    expect((result.width, result.height) == (64, 48), f"max_side=64 gave {result.width}x{result.height}, not 64x48")
    expect(result.k == k and not result.user_map, f"adjust_photo: {result}")
    expect_jpeg(base64.b64decode(result.image), "adjust_photo image")
    width, height, labels = read_label_map(base64.b64decode(result.map_))
    expect((width, height) == (64, 48) and max(labels) < k, f"the map is {width}x{height} with labels up to {max(labels)}")

    # The JPEG answer: the generated form model, sent through the client's own httpx client.
    form = AdjustForm(image=upload(jpeg, "photo.jpg", "image/jpeg"))
    raw = client.get_httpx_client().post("/v1/adjust", files=form.to_multipart(), headers={"Accept": "image/jpeg"})
    expect(raw.status_code == 200 and raw.headers["Content-Type"] == "image/jpeg", f"JPEG answer: {raw.status_code}")
    expect_jpeg(raw.content, "JPEG answer")
    expect_image_id(raw.headers["X-Image-Id"], "X-Image-Id")

    # The same map again renders the same photo; the inverted one moves every pixel's preset.
    same = adjust_photo.sync(client=client, body=AdjustForm(
        image_id=result.image_id, map_=upload(label_map(width, height, labels), "same.png", "image/png"), quality=85))
    expect(isinstance(same, AdjustResult) and same.image == result.image, "re-render with the unchanged map gave another photo")
    edited = label_map(width, height, inverted(labels, k))
    again = adjust_photo.sync(client=client, body=AdjustForm(
        image_id=result.image_id, map_=upload(edited, "edited.png", "image/png"), quality=85))
    expect(isinstance(again, AdjustResult) and again.image_id == result.image_id and again.user_map, f"re-render: {again!r}")
    expect_reversed_coverage(result.coverage, again.coverage, "re-render")
    expect(base64.b64decode(again.map_) == edited, "re-render: the label map sent did not come back byte for byte")
    expect(again.image != result.image, "re-render: the edited map changed nothing in the photo")

    # Documented errors come back parsed as Problem, not raised.
    missing = adjust_photo.sync_detailed(client=client, body=AdjustForm(image_id="0" * 32))
    expect(missing.status_code == 404 and isinstance(missing.parsed, Problem), f"404: {missing.status_code} {missing.parsed!r}")
    both = adjust_photo.sync_detailed(client=client, body=AdjustForm(image=upload(jpeg, "photo.jpg", "image/jpeg"), image_id=result.image_id))
    expect(both.status_code == 400 and isinstance(both.parsed, Problem) and "not both" in both.parsed.detail, f"400: {both.parsed!r}")

print(f"openapi-python-client: styles, JSON ({result.width}x{result.height}), JPEG ({len(raw.content)} bytes), "
      f"re-render with an edited map (coverage {result.coverage} -> {again.coverage}), 404 and 400 problems: ok")
