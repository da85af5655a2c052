"""The client openapi-generator (-g python) makes from openapi.yaml, against the live service.

Run by tests-api/clients/run.sh with the generated package on PYTHONPATH:
    python3 test_openapi_generator.py BASE_URL JPEG_PATH SCENE_PNG_PATH
"""
import base64
import sys

import semadjust_client
from semadjust_client.api.adjust_api import AdjustApi
from semadjust_client.exceptions import NotFoundException, UnprocessableEntityException
from semadjust_client.models.adjust_result import AdjustResult
from semadjust_client.models.problem import Problem

from checks import expect, expect_image_id, expect_jpeg, expect_reversed_coverage, inverted
from pictures import label_map, read_label_map

base, jpeg_path, scene_path = sys.argv[1:]
jpeg = open(jpeg_path, "rb").read()
scene = open(scene_path, "rb").read()

with semadjust_client.ApiClient(semadjust_client.Configuration(host=base)) as client:
    api = AdjustApi(client)

    styles = api.list_styles()
    expect(styles.default and styles.styles, f"list_styles: {styles}")
    style = next(s for s in styles.styles if s.id == styles.default)
    k = style.k
    expect(len(style.presets) == k == len(style.colours), f"list_styles: {style}")

    # The JSON answer, typed: the client asks for it (Accept: application/json) by itself.
    first = api.adjust_photo_with_http_info(image=("scene.png", scene), style=style.id, quality=85, max_side=64)
    result = first.data
    expect(first.status_code == 200 and isinstance(result, AdjustResult), f"adjust_photo: {first.status_code} {type(result)}")
    expect_image_id(result.image_id, "adjust_photo")
    expect((result.width, result.height) == (64, 48), f"max_side=64 gave {result.width}x{result.height}, not 64x48")
    expect(result.style == style.id and result.k == k and not result.user_map, f"adjust_photo: {result}")
    expect(abs(sum(result.coverage) - 1) < 1e-3, f"coverage {result.coverage} does not sum to 1")
    expect_jpeg(base64.b64decode(result.image), "adjust_photo image")
    width, height, labels = read_label_map(base64.b64decode(result.map))
    expect((width, height) == (64, 48) and max(labels) < k, f"the map is {width}x{height} with labels up to {max(labels)}")

    # The JPEG answer: raw, as the generated client hands any media type it does not parse.
    raw = api.adjust_photo_without_preload_content(image=("photo.jpg", jpeg), _headers={"Accept": "image/jpeg"})
    expect(raw.status == 200 and raw.headers["Content-Type"] == "image/jpeg", f"JPEG answer: {raw.status} {raw.headers}")
    expect_jpeg(raw.data, "JPEG answer")
    expect_image_id(raw.headers["X-Image-Id"], "X-Image-Id")
    expect(raw.headers["X-Map-K"] == str(k), f"X-Map-K {raw.headers['X-Map-K']}")

    # Re-render from the cache with an edited map: every pixel moved to the other preset(s).
    # The same map again renders the same photo; the inverted one moves every pixel's preset.
    same = api.adjust_photo(image_id=result.image_id, map=("same.png", label_map(width, height, labels)), quality=85)
    expect(same.image == result.image, "re-render with the unchanged map gave another photo")
    edited = label_map(width, height, inverted(labels, k))
    again = api.adjust_photo(image_id=result.image_id, map=("edited.png", edited), quality=85)
    expect(again.image_id == result.image_id and again.user_map, f"re-render: {again.image_id} user_map={again.user_map}")
    expect_reversed_coverage(result.coverage, again.coverage, "re-render")
    expect(base64.b64decode(again.map) == edited, "re-render: the label map sent did not come back byte for byte")
    expect(again.image != result.image, "re-render: the edited map changed nothing in the photo")

    # Errors arrive as typed exceptions carrying the problem document.
    try:
        api.adjust_photo(image_id="0" * 32)
        raise AssertionError("an unknown image_id was answered 2xx")
    except NotFoundException as error:
        expect(isinstance(error.data, Problem) and error.data.status == 404, f"404: {error.data!r}")
    try:
        api.adjust_photo(image=("photo.jpg", jpeg), style="no-such-style")
        raise AssertionError("an unknown style was answered 2xx")
    except UnprocessableEntityException as error:
        expect(isinstance(error.data, Problem) and "no-such-style" in error.data.detail, f"422: {error.data!r}")

print(f"openapi-generator python client: styles, JSON ({result.width}x{result.height}), JPEG ({len(raw.data)} bytes), "
      f"re-render with an edited map (coverage {result.coverage} -> {again.coverage}), 404 and 422 problems: ok")
