// Generated from openapi.yaml by `make openapi-embed` (tests-api/embed_openapi.py): do not edit.
// OpenAPITests fails when this copy and openapi.yaml differ.

/// The service's OpenAPI document, compiled into the binary so that `GET /openapi.yaml` works
/// with no file beside the executable (containers, installed binaries). Not a SwiftPM resource: that
/// is a bundle folder the static deploy binary and an installed binary would have to carry beside them.
enum OpenAPIDocument {
    static let yaml = #"""
openapi: 3.1.0
info:
  title: semadjust
  version: 0.1.0
  summary: Semantics-aware photo adjustment (Nam & Kim, "Deep Semantics-Aware Photo Adjustment").
  description: |
    Retouches photos with a network that understands the picture. For every photo it discovers a
    **semantic adjustment map**: K channels saying which of the style's K presets applies where.
    The map comes back with the retouched JPEG as an 8-bit PNG label image (pixel values are preset
    indices 0..K-1, at the photo's size); paint on it and send it back as `map` to personalise the
    result, together with the `image_id` of the first answer so the photo is re-rendered from cached
    features without running the network trunk again.

    Every error is an RFC 9457 `application/problem+json` document (`Problem`). Every response
    carries `X-Request-Id` (the client's, when it sent a safe one, else a generated one).
    Cross-origin browser calls are allowed for the origins the operator configures
    (`semadjust serve --cors-origins`); preflight is answered by `OPTIONS`.

    Access control is the operator's choice (`semadjust serve --api-keys FILE`, off by default).
    When it is on, `POST /v1/adjust` and `DELETE /v1/images/{image_id}` need
    `Authorization: Bearer <key>` (401 without a known key, 429 with `Retry-After` over the key's
    rate limit), and an `image_id` is found only with the key that made it.

    This document is served by the service itself at `GET /openapi.yaml`.
  license:
    name: Apache-2.0
    identifier: Apache-2.0
servers:
  - url: http://127.0.0.1:8080
    description: "`make run` on this machine"
tags:
  - name: adjust
    description: Retouching photos and personalising their adjustment maps.
  - name: web
    description: The browser page, built into the binary.
  - name: operations
    description: Health, readiness, metrics and this document, for operators and tooling.

paths:
  /v1/adjust:
    post:
      tags: [adjust]
      operationId: adjustPhoto
      security:
        - {}
        - apiKey: []
      summary: Retouch a photo and return it with its adjustment map
      description: |
        Send a new photo as `image`, or the `image_id` of an earlier answer to re-render that photo
        (typically with an edited `map`) without re-running the trunk: the features are cached for
        a while in a bounded LRU cache; once evicted the id answers 404 and the photo must be sent
        again.

        The photo may be JPEG, PNG, WebP, HEIC/HEIF, AVIF or TIFF, told apart by its bytes (never by
        a file name or a declared type). It comes as the `image` part of a `multipart/form-data`
        form, or as the request body itself with `Content-Type: image/*` (`image/heic`,
        `image/jpeg`…; any image type, the bytes decide) or `application/octet-stream`, and the
        options in the query string
        (`curl --data-binary @photo.heic -H 'Content-Type: image/heic' '.../v1/adjust?style=xpro&strength=0.6'`);
        the query parameters below are its options, and may accompany a multipart form too (an
        option given in both must have the same value there, else 400).

        The answer's form is chosen by `Accept`, with q-values (RFC 9110 §12.5.1):

        | Accept | answer |
        |---|---|
        | absent, `*/*`, `image/*`, `image/jpeg` | the JPEG alone (`curl -o out.jpg` works); metadata in `X-*` headers |
        | `image/webp`, `image/avif`, `image/png` | the photo alone in that format |
        | `application/json`, `application/*` | `AdjustResult`: image and map base64-encoded, with all metadata |
        | `multipart/mixed`, `multipart/*` | three parts: `metadata` (JSON), `image`, `map` (PNG) |

        The `format` field (`jpeg`, `png`, `webp`, `webp-lossless`, `avif`) fixes the image's format
        in every form; `Accept` must then admit it (or JSON, or multipart). What `Accept` admits
        nothing of is answered 406. The output has the photo's full resolution (or `max_side`) and
        upright orientation (EXIF orientation, or HEIF's irot/imir, applied). Colour: a photo with
        an ICC profile (Display P3, Adobe RGB, ProPhoto…) or an nclx colour description is converted
        to sRGB (LittleCMS, perceptual intent) before the model, and the answer is sRGB, tagged
        with an sRGB profile; a photo whose profile is sRGB keeps it; one without is taken as sRGB.
      parameters:
        - name: style
          in: query
          description: As the form field `style`.
          schema:
            type: string
          examples:
            popout:
              value: popout
        - name: quality
          in: query
          description: As the form field `quality`.
          schema:
            type: integer
            minimum: 1
            maximum: 100
        - name: max_side
          in: query
          description: As the form field `max_side`.
          schema:
            type: integer
            minimum: 64
            maximum: 20000
        - name: refine
          in: query
          description: As the form field `refine`.
          schema:
            type: boolean
        - name: format
          in: query
          description: As the form field `format`.
          schema:
            $ref: "#/components/schemas/OutputFormat"
        - name: strength
          in: query
          description: As the form field `strength`.
          schema:
            type: number
            minimum: 0
            maximum: 1
      requestBody:
        required: true
        content:
          multipart/form-data:
            schema:
              $ref: "#/components/schemas/AdjustForm"
            encoding:
              image:
                contentType: image/jpeg, image/png, image/webp, image/heic, image/heif, image/avif, image/tiff
              map:
                contentType: image/png
            examples:
              newPhoto:
                summary: A new photo in the default style
                value:
                  image: "(the bytes of photo.jpg)"
              styledWithQuality:
                summary: A new photo, style and JPEG quality chosen, downscaled to at most 2048 px
                value:
                  image: "(the bytes of photo.jpg)"
                  style: popout
                  quality: 85
                  max_side: 2048
              ownMap:
                summary: A new photo with your own label map
                value:
                  image: "(the bytes of photo.jpg)"
                  style: popout
                  map: "(the bytes of mymap.png)"
              reRender:
                summary: Re-render an earlier photo with an edited map (no trunk run)
                value:
                  image_id: 9f86d081884c7d659a2feaa0c55ad015
                  map: "(the bytes of edited-map.png)"
              webpAtStrength:
                summary: A HEIC photo answered as WebP with 60 % of the effect
                value:
                  image: "(the bytes of photo.heic)"
                  format: webp
                  strength: 0.6
          # The photo as the body is accepted under any image/* type as well; the spec names
          # application/octet-stream, the type code generators know for a binary body
          # (openapi-python-client skips an operation with an image/* body).
          application/octet-stream:
            schema:
              type: string
              format: binary
            examples:
              rawPhoto:
                summary: "The photo itself as the body (curl --data-binary @photo.heic), options in the query"
                value: "(the bytes of photo.heic)"
      responses:
        "200":
          description: |
            The retouched photo. Which body depends on `Accept` (see above); `X-Image-Id` and
            `Server-Timing` come with every form, the `X-Style` and `X-Map-*` headers with the JPEG
            form (the other forms carry that metadata in their body).
          headers:
            X-Image-Id:
              $ref: "#/components/headers/X-Image-Id"
            X-Style:
              $ref: "#/components/headers/X-Style"
            X-Map-K:
              $ref: "#/components/headers/X-Map-K"
            X-Map-Coverage:
              $ref: "#/components/headers/X-Map-Coverage"
            Server-Timing:
              $ref: "#/components/headers/Server-Timing"
            Vary:
              description: "`Accept`: the body depends on it."
              schema:
                type: string
              example: Accept
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          links:
            reRender:
              operationId: adjustPhoto
              # No requestBody here: openapi-generator reads a Link's requestBody as a string only and
              # refuses the document over an object; the description says what goes where.
              description: |
                Re-render the same photo from its cached features, typically with an edited `map`:
                send this answer's `X-Image-Id` header (or `image_id` member) as the form field
                `image_id`, without `image`.
          # application/json first: code generators type the call's result by the first media type,
          # and openapi-generator's clients send `Accept: application/json` when it is offered.
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/AdjustResult"
              examples:
                discovered:
                  summary: The discovered map of a 640×480 photo in style popout
                  value:
                    image_id: 9f86d081884c7d659a2feaa0c55ad015
                    style: popout
                    width: 640
                    height: 480
                    K: 2
                    presets: [background, foreground]
                    colours: ["#0072B2", "#E69F00"]
                    coverage: [0.6143, 0.3857]
                    user_map: false
                    image_type: image/jpeg
                    format: jpeg
                    strength: 1
                    image: "/9j/4AAQSkZJRgABAQAAAQABAAD/2wBDAAgGBgcGBQgHBwcJCQgKDBQNDAsLDBkSEw8U..."
                    map_type: image/png
                    map: "iVBORw0KGgoAAAANSUhEUgAAAoAAAAHgCAAAAAB..."
                    timings_ms: {decode: 6.1, resize: 3.4, context: 812.5, map: 4.2, render: 95.0, encode: 14.8}
            image/jpeg:
              schema:
                type: string
                format: binary
                contentMediaType: image/jpeg
              examples:
                photo:
                  summary: The retouched JPEG (binary)
                  value: "(JPEG bytes, the photo's size)"
            image/webp:
              schema:
                type: string
                format: binary
                contentMediaType: image/webp
              examples:
                photo:
                  summary: The retouched photo as WebP (lossy, or lossless with format=webp-lossless)
                  value: "(WebP bytes)"
            image/avif:
              schema:
                type: string
                format: binary
                contentMediaType: image/avif
              examples:
                photo:
                  summary: The retouched photo as AVIF
                  value: "(AVIF bytes)"
            image/png:
              schema:
                type: string
                format: binary
                contentMediaType: image/png
              examples:
                photo:
                  summary: The retouched photo as PNG
                  value: "(PNG bytes)"
            multipart/mixed:
              schema:
                $ref: "#/components/schemas/AdjustParts"
              encoding:
                metadata:
                  contentType: application/json
                image:
                  contentType: image/jpeg, image/png, image/webp, image/avif
                map:
                  contentType: image/png
              examples:
                parts:
                  summary: Metadata, JPEG and map as three parts
                  value:
                    metadata:
                      image_id: 9f86d081884c7d659a2feaa0c55ad015
                      style: popout
                      width: 640
                      height: 480
                      K: 2
                      presets: [background, foreground]
                      colours: ["#0072B2", "#E69F00"]
                      coverage: [0.6143, 0.3857]
                      user_map: false
                      image_type: image/jpeg
                      format: jpeg
                      strength: 1
                      map_type: image/png
                      timings_ms: {decode: 6.1, resize: 3.4, context: 812.5, map: 4.2, render: 95.0, encode: 14.8}
                    image: "(JPEG bytes)"
                    map: "(PNG bytes)"
        "400":
          $ref: "#/components/responses/BadRequest"
        "401":
          $ref: "#/components/responses/Unauthorized"
        "429":
          $ref: "#/components/responses/TooManyRequests"
        "404":
          description: "`image_id` names no cached photo (never issued, evicted, expired, deleted, or made with another API key): send the image again."
          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          content:
            application/problem+json:
              schema:
                $ref: "#/components/schemas/Problem"
              example:
                type: about:blank
                title: Not Found
                status: 404
                detail: no photo is cached under image_id 9f86d081884c7d659a2feaa0c55ad015 (unknown, evicted or expired); send the image again
                instance: /v1/adjust
        "406":
          description: "`Accept` allows none of the answers (with a `format` field: no envelope for that format)."
          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          content:
            application/problem+json:
              schema:
                $ref: "#/components/schemas/Problem"
              example:
                type: about:blank
                title: Not Acceptable
                status: 406
                detail: "this endpoint answers image/jpeg, image/png, image/webp, image/avif, application/json or multipart/mixed; Accept was 'text/html'"
                instance: /v1/adjust
        "413":
          description: The request body, a part, or the decoded photo (pixels) is over a limit.
          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          content:
            application/problem+json:
              schema:
                $ref: "#/components/schemas/Problem"
              example:
                type: about:blank
                title: Content Too Large
                status: 413
                detail: Content-Length 90000000 exceeds the limit of 67108864 bytes
                instance: /v1/adjust
        "415":
          description: |
            The request is neither `multipart/form-data` nor a photo posted as the body (`image/*`),
            or the photo is none of the formats read (judged by its bytes), or uses a part of its
            format that is not read (an animated WebP).
          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          content:
            application/problem+json:
              schema:
                $ref: "#/components/schemas/Problem"
              examples:
                notAnImage:
                  value:
                    type: about:blank
                    title: Unsupported Media Type
                    status: 415
                    detail: "the image could not be decoded: the image is none of JPEG, PNG, WebP, HEIC, AVIF or TIFF (judged by its first bytes)"
                    instance: /v1/adjust
                notAForm:
                  value:
                    type: about:blank
                    title: Unsupported Media Type
                    status: 415
                    detail: the request has no Content-Type; send multipart/form-data, or the photo itself as image/*
                    instance: /v1/adjust
        "422":
          description: |
            The request is well-formed but its content cannot be used: a corrupt or truncated
            image, a map that does not fit the style (wrong K, values out of range, unreadable),
            `quality` or `max_side` out of range, an unknown style, or a style that does not match
            the `image_id`'s.
          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          content:
            application/problem+json:
              schema:
                $ref: "#/components/schemas/Problem"
              examples:
                wrongK:
                  summary: A label map with an index the style does not have
                  value:
                    type: about:blank
                    title: Unprocessable Content
                    status: 422
                    detail: "the adjustment map is invalid: 16 pixels have preset index 3 or similar, but this style has K = 2 presets (indices 0..1)"
                    instance: /v1/adjust
                unknownStyle:
                  value:
                    type: about:blank
                    title: Unprocessable Content
                    status: 422
                    detail: "unknown style 'sepia'; available: popout, watercolor, xpro"
                    instance: /v1/adjust
                quality:
                  value:
                    type: about:blank
                    title: Unprocessable Content
                    status: 422
                    detail: quality must be between 1 and 100, got 0
                    instance: /v1/adjust
        "500":
          description: The engine or the encoder failed on an accepted input (a bug; please report the request id).
          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          content:
            application/problem+json:
              schema:
                $ref: "#/components/schemas/Problem"
              example:
                type: about:blank
                title: Internal Server Error
                status: 500
                detail: "inference failed: ..."
                instance: /v1/adjust
        "503":
          $ref: "#/components/responses/Unavailable"
    options:
      tags: [adjust]
      operationId: adjustPreflight
      summary: CORS preflight (and the allowed methods)
      description: |
        With `Origin` and `Access-Control-Request-Method`, a CORS preflight: for an allowed origin
        the `Access-Control-Allow-*` headers say what the page may send; for any other origin the
        204 comes without them and the browser blocks the call. Without those headers, a plain
        `OPTIONS` listing the methods in `Allow`.
      parameters:
        - name: Origin
          in: header
          required: false
          description: The page's origin (scheme://host[:port]); any other value is simply not an allowed origin.
          schema:
            type: string
          example: https://app.example
        - name: Access-Control-Request-Method
          in: header
          required: false
          description: The method the page wants to use; GET, HEAD, POST, DELETE and OPTIONS are allowed, others get no allow headers.
          schema:
            type: string
          example: POST
        - name: Access-Control-Request-Headers
          in: header
          required: false
          description: Headers the page wants to send, comma-separated; those not allowed are left out of the answer.
          schema:
            type: string
          example: content-type, x-request-id
      responses:
        "204":
          description: Preflight or method list; no body.
          headers:
            Allow:
              description: The methods of this resource (plain OPTIONS only).
              schema:
                type: string
              example: POST, OPTIONS
            Access-Control-Allow-Origin:
              description: The allowed origin (or `*`), for an allowed preflight only.
              schema:
                type: string
              example: https://app.example
            Access-Control-Allow-Methods:
              description: The methods a page may use, for an allowed preflight only.
              schema:
                type: string
              example: GET, HEAD, POST, OPTIONS, DELETE
            Access-Control-Allow-Headers:
              description: The requested headers a page may send, for an allowed preflight only.
              schema:
                type: string
              example: Content-Type, X-Request-Id
            Access-Control-Max-Age:
              description: Seconds a browser may cache this preflight answer.
              schema:
                type: string
                pattern: "^[0-9]+$"
              example: "600"
            Vary:
              description: What the preflight answer depends on.
              schema:
                type: string
              example: Origin, Access-Control-Request-Method, Access-Control-Request-Headers
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"

  /v1/images/{image_id}:
    delete:
      tags: [adjust]
      operationId: deletePhoto
      summary: Forget a cached photo
      description: |
        Drops the analysed photo behind an `image_id` from the re-render cache at once (it is
        otherwise kept until it expires or is evicted); later re-renders with the id get 404.
        With API keys on, only the key that made the id can delete it.
      security:
        - {}
        - apiKey: []
      parameters:
        - name: image_id
          in: path
          required: true
          description: The `X-Image-Id` (or `image_id`) of an earlier answer.
          schema:
            type: string
          example: 9f86d081884c7d659a2feaa0c55ad015
      responses:
        "204":
          description: The photo is forgotten.
          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
        "400":
          description: The id is not 32 hex digits.
          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          content:
            application/problem+json:
              schema:
                $ref: "#/components/schemas/Problem"
              example:
                type: about:blank
                title: Bad Request
                status: 400
                detail: "an image id is the 32 hex digits an earlier response gave, got 'photo1'"
                instance: /v1/images/photo1
        "401":
          $ref: "#/components/responses/Unauthorized"
        "404":
          description: No photo is cached under the id (never issued, evicted, expired, already deleted, or another key's).
          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          content:
            application/problem+json:
              schema:
                $ref: "#/components/schemas/Problem"
              example:
                type: about:blank
                title: Not Found
                status: 404
                detail: no photo is cached under image_id 9f86d081884c7d659a2feaa0c55ad015 (unknown, evicted, expired or already deleted)
                instance: /v1/images/9f86d081884c7d659a2feaa0c55ad015
        "429":
          $ref: "#/components/responses/TooManyRequests"

  /:
    get:
      tags: [web]
      operationId: webPage
      summary: The browser page for trying the service
      description: |
        A page that uploads a photo, shows the result and its adjustment map, and lets you paint
        the map and re-render through `image_id`. It is built into the binary, loads only
        `ui/app.js` and `ui/style.css`, and uses relative URLs only, so it also works behind a
        proxy that mounts the service under a path prefix.
      parameters:
        - $ref: "#/components/parameters/If-None-Match"
      responses:
        "200":
          $ref: "#/components/responses/WebPage"
        "304":
          $ref: "#/components/responses/NotModified"
  /ui/app.js:
    get:
      tags: [web]
      operationId: webScript
      summary: The page's script
      parameters:
        - $ref: "#/components/parameters/If-None-Match"
      responses:
        "200":
          $ref: "#/components/responses/WebScript"
        "304":
          $ref: "#/components/responses/NotModified"
  /ui/style.css:
    get:
      tags: [web]
      operationId: webStyleSheet
      summary: The page's style sheet
      parameters:
        - $ref: "#/components/parameters/If-None-Match"
      responses:
        "200":
          $ref: "#/components/responses/WebStyleSheet"
        "304":
          $ref: "#/components/responses/NotModified"

  /v1/styles:
    get:
      tags: [adjust]
      operationId: listStyles
      summary: The styles offered, with their presets
      description: |
        One style per model file in the service's models folder (a file dropped there appears
        here after a restart). `colours` are display colours for the presets, for map previews
        and legends; `default` is the style used when a request names none (empty when no model
        is loaded).
      responses:
        "200":
          description: The style catalogue.
          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          content:
            application/json:
              schema:
                $ref: "#/components/schemas/Styles"
              example:
                default: popout
                styles:
                  - id: popout
                    K: 2
                    presets: [background, foreground]
                    colours: ["#0072B2", "#E69F00"]
                  - id: watercolor
                    K: 2
                    presets: [p0, p1]
                    colours: ["#0072B2", "#E69F00"]
                  - id: xpro
                    K: 4
                    presets: [p0, p1, p2, p3]
                    colours: ["#0072B2", "#E69F00", "#009E73", "#CC79A7"]

  /healthz:
    get:
      tags: [operations]
      operationId: health
      summary: Liveness
      description: The process serves HTTP (it says nothing about models; see `/readyz`).
      responses:
        "200":
          description: Alive.
          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          content:
            text/plain:
              schema:
                type: string
                const: "ok\n"
              example: "ok\n"

  /readyz:
    get:
      tags: [operations]
      operationId: readiness
      summary: Readiness (at least one model loaded)
      responses:
        "200":
          description: Ready; the loaded styles follow.
          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          content:
            text/plain:
              schema:
                type: string
                pattern: "^ready: "
              example: "ready: popout, watercolor, xpro\n"
        "503":
          description: No model is loaded; retry after the given seconds.
          headers:
            Retry-After:
              $ref: "#/components/headers/Retry-After"
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          content:
            application/problem+json:
              schema:
                $ref: "#/components/schemas/Problem"
              example:
                type: about:blank
                title: Service Unavailable
                status: 503
                detail: no models are loaded
                instance: /readyz

  /metrics:
    get:
      tags: [operations]
      operationId: metrics
      summary: Prometheus metrics
      description: |
        Prometheus text exposition format 0.0.4: requests by route, method and status, latency
        histograms (whole requests and pipeline stages), open connections, inference queue depth
        and `image_id` cache hits and misses. Route labels are bounded: unknown paths count as
        `other`.
      responses:
        "200":
          description: The metrics.
          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          content:
            text/plain:
              schema:
                type: string
              example: |
                # TYPE semadjust_http_requests_total counter
                semadjust_http_requests_total{route="/v1/adjust",method="POST",status="200"} 42
                # TYPE semadjust_http_request_duration_seconds histogram
                semadjust_http_request_duration_seconds_bucket{route="/v1/adjust",le="1.0"} 40
                semadjust_http_request_duration_seconds_count{route="/v1/adjust"} 42
                # TYPE semadjust_pipeline_stage_duration_seconds histogram
                semadjust_pipeline_stage_duration_seconds_sum{stage="context"} 31.7
                # TYPE semadjust_inference_queue_depth gauge
                semadjust_inference_queue_depth 0.0
                # TYPE semadjust_cache_lookups_total counter
                semadjust_cache_lookups_total{result="hit"} 17
                # TYPE semadjust_http_open_connections gauge
                semadjust_http_open_connections 3.0

  /openapi.yaml:
    get:
      tags: [operations]
      operationId: openAPIDocument
      summary: This document
      description: The OpenAPI 3.1 description of the service, built into the binary.
      responses:
        "200":
          description: The document (YAML).
          headers:
            X-Request-Id:
              $ref: "#/components/headers/X-Request-Id"
          content:
            application/yaml:
              schema:
                description: The document, as YAML parsers read it.
                type: object
                required: [openapi, info, paths]
                properties:
                  openapi:
                    type: string
                    pattern: "^3\\.1\\."
              example: |
                openapi: 3.1.0
                info:
                  title: semadjust
                ...

components:
  schemas:
    AdjustForm:
      type: object
      description: |
        The fields of `POST /v1/adjust`. Exactly one of `image` and `image_id` is required; each
        field may appear once; any other field is answered 400.
      properties:
        image:
          type: string
          format: binary
          description: "The photo: JPEG, PNG, WebP, HEIC/HEIF, AVIF or TIFF (a file part; its declared type is not trusted, the bytes are)."
        image_id:
          type: string
          pattern: "^[0-9A-Fa-f]{32}$"
          description: |
            The `image_id` of an earlier answer (32 hex digits, case-insensitive): re-renders that
            photo from cached features without re-running the trunk. Not together with `image` or
            `max_side`.
          examples: [9f86d081884c7d659a2feaa0c55ad015]
        style:
          type: string
          description: |
            A style id from `GET /v1/styles`; the default style when absent. With `image_id` it
            must be the style the photo was analysed for, or be omitted.
          examples: [popout]
        map:
          type: string
          format: binary
          contentMediaType: image/png
          description: |
            Your adjustment map, any size (resized to the photo): either an 8-bit grayscale PNG
            label image whose pixel values are preset indices 0..K-1 (what answers return), or a
            PNG whose channel count equals K holding per-preset weights (K = 2 gray+alpha, 3 RGB,
            4 RGBA). Anything else is answered 422 with the reason.
        quality:
          type: integer
          minimum: 1
          maximum: 100
          default: 90
          description: Quality of a lossy answer (JPEG, WebP, AVIF); the lossless formats ignore it.
        format:
          $ref: "#/components/schemas/OutputFormat"
        strength:
          type: number
          minimum: 0
          maximum: 1
          default: 1
          description: |
            How much of the adjustment is applied: each pixel's Lab colour is
            `input + strength × (adjusted − input)`; 0 gives the photo's own colours back, 1 the
            full effect. Works with `image_id` re-renders (no trunk run).
        max_side:
          type: integer
          minimum: 64
          maximum: 20000
          description: |
            Downscale the photo first so that its longer side is at most this many pixels (the
            answer and its map have that size). A new image only, not with `image_id`.
        refine:
          type: boolean
          description: |
            Snap the map to the photo's edges before the colour pass (a guided filter with the
            photo as the guide): the discovered map's boundaries, or your `map`'s rough strokes,
            move onto the object boundaries they are near. The answer's map is the snapped one.
            When absent, the discovered map is snapped and your `map` is used as painted; `false`
            keeps the discovered map as the network predicted it (boundaries from 1/4–1/16-scale
            features), `true` snaps your `map` too. A style made for a smooth look (its model says
            `map_default: soft`, e.g. a graduated filter trained with `training.own_style`) blends
            its presets by the discovered map's probabilities when `refine` is absent, so they fade
            into each other with no line between them; `true` or `false` then renders labels as
            above. Works with `image_id` re-renders (no trunk run). `true`/`false` in any case, or
            `1`/`0`.
      additionalProperties: false
      # Exactly one of image and image_id, and max_side only with image. Said with if/then and
      # dependentSchemas, not a top-level oneOf: code generators turn a oneOf form into an untyped
      # body (openapi-python-client) or lose the fields, while they read these as the plain form.
      if:
        not:
          required: [image_id]
      then:
        required: [image]
      dependentSchemas:
        image_id:
          not:
            anyOf:
              - required: [image]
              - required: [max_side]

    AdjustMetadata:
      type: object
      description: What an adjustment produced, without the image bytes.
      required: [image_id, style, width, height, K, presets, coverage, user_map, image_type, format, strength, map_type, timings_ms]
      properties:
        image_id:
          type: string
          pattern: "^[0-9a-f]{32}$"
          description: Send it back with a new `map` to re-render without the trunk.
        style:
          type: string
          description: The style id used.
        width:
          type: integer
          minimum: 1
          description: The output's width in pixels (upright).
        height:
          type: integer
          minimum: 1
          description: The output's height in pixels (upright).
        K:
          type: integer
          minimum: 1
          description: The style's number of presets.
        presets:
          type: array
          items:
            type: string
          description: The presets' names; index i is label value i in the map.
        colours:
          type: array
          items:
            $ref: "#/components/schemas/Colour"
          description: Display colours of the presets, as in `GET /v1/styles`.
        coverage:
          type: array
          items:
            type: number
            minimum: 0
            maximum: 1
          description: The fraction of pixels assigned to each preset (sums to 1).
        user_map:
          type: boolean
          description: Whether the map was the caller's rather than the discovered one.
        image_type:
          type: string
          enum: [image/jpeg, image/png, image/webp, image/avif]
          description: The media type of the image.
        format:
          $ref: "#/components/schemas/OutputFormat"
        strength:
          type: number
          minimum: 0
          maximum: 1
          description: The strength the adjustment was applied at.
        map_type:
          type: string
          const: image/png
        timings_ms:
          type: object
          description: "Milliseconds per pipeline stage: decode, resize, context, fit (the guided colour fit, near 0 below ~1 MP), map, render, encode for a new photo; map, render, encode for a re-render."
          additionalProperties:
            type: number
            minimum: 0

    AdjustResult:
      description: "The JSON answer of `POST /v1/adjust`: metadata with the JPEG and the map base64-encoded."
      allOf:
        - $ref: "#/components/schemas/AdjustMetadata"
        - type: object
          required: [image, map]
          properties:
            image:
              type: string
              contentEncoding: base64
              description: |
                The retouched photo in `image_type`. A JPEG is baseline with standard Huffman tables
                and restart markers (so that a re-render re-encodes only the segments a repaint
                touches); the other formats are encoded whole.
            map:
              type: string
              contentEncoding: base64
              contentMediaType: image/png
              description: |
                The map used: an 8-bit PNG label image (values 0..K-1) of the output's size, ready
                to edit and send back as `map`. A label map sent as an 8-bit gray PNG of the photo's
                size comes back byte for byte as it was sent.

    AdjustParts:
      type: object
      description: The parts of a `multipart/mixed` answer (each has a Content-Disposition name).
      required: [metadata, image, map]
      properties:
        metadata:
          $ref: "#/components/schemas/AdjustMetadata"
        image:
          type: string
          format: binary
          description: The photo in the metadata's `image_type` (the part's Content-Type says so too).
        map:
          type: string
          format: binary
          contentMediaType: image/png

    OutputFormat:
      type: string
      enum: [jpeg, png, webp, webp-lossless, avif]
      description: |
        The answer's image format: JPEG (default), PNG, lossy or lossless WebP, AVIF. Quality
        applies to the lossy ones. At 12 MP on 2 cores a JPEG encode takes ~0.1 s, WebP ~0.6 s,
        AVIF ~0.5 s, PNG ~1.3 s, lossless WebP ~3 s.

    Styles:
      type: object
      required: [default, styles]
      properties:
        default:
          type: string
          description: The style used when a request names none; empty when no model is loaded.
        styles:
          type: array
          items:
            $ref: "#/components/schemas/Style"

    Style:
      type: object
      required: [id, K, presets, colours]
      properties:
        id:
          type: string
          examples: [popout]
        K:
          type: integer
          minimum: 1
          description: Number of presets (channels of the adjustment map).
        presets:
          type: array
          items:
            type: string
          description: Preset names; index i is label value i in maps.
        colours:
          type: array
          items:
            $ref: "#/components/schemas/Colour"
          description: A display colour per preset, colour-blind safe.

    Colour:
      type: string
      pattern: "^#[0-9A-Fa-f]{6}$"
      description: "An sRGB colour as #rrggbb."
      examples: ["#0072B2"]

    Problem:
      type: object
      description: RFC 9457 problem details; extension members may follow.
      required: [type, title, status]
      properties:
        type:
          type: string
          format: uri-reference
          description: The problem type; `about:blank` means the status says it all.
          examples: [about:blank]
        title:
          type: string
          description: The status's reason phrase.
          examples: [Bad Request]
        status:
          type: integer
          minimum: 100
          maximum: 599
        detail:
          type: string
          description: What exactly was wrong, in words a caller can act on.
        instance:
          type: string
          description: The request path.
          examples: [/v1/adjust]

  headers:
    X-Request-Id:
      description: The request's id, for logs and support; the client's own when it sent an acceptable one.
      required: true
      schema:
        type: string
        pattern: "^[A-Za-z0-9._:/+=-]{1,128}$"
      example: 1f0c9a7e3b2d4c58a9e1d2c3b4a59687
    X-Image-Id:
      description: The photo's id in the re-render cache; send it back as `image_id`.
      required: true
      schema:
        type: string
        pattern: "^[0-9a-f]{32}$"
      example: 9f86d081884c7d659a2feaa0c55ad015
    X-Style:
      description: The style used (JPEG answers).
      schema:
        type: string
      example: popout
    X-Map-K:
      description: The style's number of presets K (JPEG answers).
      schema:
        type: string
        pattern: "^[0-9]+$"
      example: "2"
    X-Map-Coverage:
      description: The fraction of pixels per preset, comma-separated in preset order (JPEG answers).
      schema:
        type: string
        pattern: "^[0-9.]+(,[0-9.]+)*$"
      example: "0.6143,0.3857"
    Server-Timing:
      description: The pipeline stages and their milliseconds (W3C Server Timing).
      required: true
      schema:
        type: string
      example: "decode;dur=6.1, resize;dur=3.4, context;dur=812.5, map;dur=4.2, render;dur=95.0, encode;dur=14.8"
    ETag:
      description: The file's version (a strong validator); send it back as `If-None-Match`.
      required: true
      schema:
        type: string
        pattern: '^"[0-9a-f]{16}"$'
      example: '"5d1b3c2a9e8f7061"'
    Cache-Control:
      description: "`no-cache`: keep the file, but revalidate each time (the URLs carry no version)."
      required: true
      schema:
        type: string
      example: no-cache
    Content-Security-Policy:
      description: Everything from this origin only, nothing inline, never framed.
      required: true
      schema:
        type: string
      example: "default-src 'self'; img-src 'self' data: blob:; script-src 'self'; style-src 'self'; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'"
    X-Content-Type-Options:
      description: Browsers must not guess another type than the one declared.
      required: true
      schema:
        type: string
        const: nosniff
      example: nosniff
    Referrer-Policy:
      description: The page's URL is never sent to other sites.
      required: true
      schema:
        type: string
      example: no-referrer
    Retry-After:
      description: Seconds after which a retry may succeed.
      required: true
      schema:
        type: string
        pattern: "^[0-9]+$"
      example: "1"

  parameters:
    If-None-Match:
      name: If-None-Match
      in: header
      required: false
      description: The `ETag` of the copy the browser holds; when it is current the answer is a bodiless 304.
      schema:
        type: string
      example: '"5d1b3c2a9e8f7061"'

  responses:
    WebPage:
      description: The page (HTML).
      headers:
        ETag:
          $ref: "#/components/headers/ETag"
        Cache-Control:
          $ref: "#/components/headers/Cache-Control"
        Content-Security-Policy:
          $ref: "#/components/headers/Content-Security-Policy"
        X-Content-Type-Options:
          $ref: "#/components/headers/X-Content-Type-Options"
        Referrer-Policy:
          $ref: "#/components/headers/Referrer-Policy"
        X-Request-Id:
          $ref: "#/components/headers/X-Request-Id"
      content:
        text/html:
          schema:
            type: string
          example: '<!doctype html>...'
    WebScript:
      description: The page's script.
      headers:
        ETag:
          $ref: "#/components/headers/ETag"
        Cache-Control:
          $ref: "#/components/headers/Cache-Control"
        Content-Security-Policy:
          $ref: "#/components/headers/Content-Security-Policy"
        X-Content-Type-Options:
          $ref: "#/components/headers/X-Content-Type-Options"
        Referrer-Policy:
          $ref: "#/components/headers/Referrer-Policy"
        X-Request-Id:
          $ref: "#/components/headers/X-Request-Id"
      content:
        text/javascript:
          schema:
            type: string
          example: '"use strict";...'
    WebStyleSheet:
      description: The page's style sheet.
      headers:
        ETag:
          $ref: "#/components/headers/ETag"
        Cache-Control:
          $ref: "#/components/headers/Cache-Control"
        Content-Security-Policy:
          $ref: "#/components/headers/Content-Security-Policy"
        X-Content-Type-Options:
          $ref: "#/components/headers/X-Content-Type-Options"
        Referrer-Policy:
          $ref: "#/components/headers/Referrer-Policy"
        X-Request-Id:
          $ref: "#/components/headers/X-Request-Id"
      content:
        text/css:
          schema:
            type: string
          example: ':root { ... }'
    NotModified:
      description: The copy named by `If-None-Match` is current; no body.
      headers:
        ETag:
          $ref: "#/components/headers/ETag"
        Cache-Control:
          $ref: "#/components/headers/Cache-Control"
        Content-Security-Policy:
          $ref: "#/components/headers/Content-Security-Policy"
        X-Content-Type-Options:
          $ref: "#/components/headers/X-Content-Type-Options"
        Referrer-Policy:
          $ref: "#/components/headers/Referrer-Policy"
        X-Request-Id:
          $ref: "#/components/headers/X-Request-Id"
    BadRequest:
      description: |
        The form is wrong: an unknown or repeated field, no `image` and no `image_id`, both,
        `image_id` not 32 hex digits, `max_side` with `image_id`, a non-integer `quality` or
        `max_side`, a `refine` that is not a boolean, or malformed multipart.
      headers:
        X-Request-Id:
          $ref: "#/components/headers/X-Request-Id"
      content:
        application/problem+json:
          schema:
            $ref: "#/components/schemas/Problem"
          examples:
            unknownField:
              value:
                type: about:blank
                title: Bad Request
                status: 400
                detail: "unknown form field 'picture'; accepted: image, image_id, style, map, quality, max_side, refine"
                instance: /v1/adjust
            both:
              value:
                type: about:blank
                title: Bad Request
                status: 400
                detail: send either 'image' or 'image_id', not both
                instance: /v1/adjust
    Unauthorized:
      description: |
        API keys are on and the request has none (no `Authorization: Bearer`), or one that is not
        listed (mistyped, revoked).
      headers:
        WWW-Authenticate:
          description: The scheme and realm (RFC 6750); `error="invalid_token"` for an unknown key.
          schema:
            type: string
          example: Bearer realm="semadjust"
        X-Request-Id:
          $ref: "#/components/headers/X-Request-Id"
      content:
        application/problem+json:
          schema:
            $ref: "#/components/schemas/Problem"
          example:
            type: about:blank
            title: Unauthorized
            status: 401
            detail: "this service needs an API key: send it as 'Authorization: Bearer <key>'"
            instance: /v1/adjust
    TooManyRequests:
      description: The key is over its rate limit; retry after `Retry-After` seconds.
      headers:
        Retry-After:
          $ref: "#/components/headers/Retry-After"
        X-Request-Id:
          $ref: "#/components/headers/X-Request-Id"
      content:
        application/problem+json:
          schema:
            $ref: "#/components/schemas/Problem"
          example:
            type: about:blank
            title: Too Many Requests
            status: 429
            detail: "key 'ci' is over its limit of 6 requests a minute (2 at once); try again in 10 s"
            instance: /v1/adjust
    Unavailable:
      description: |
        Busy (the inference queue is full, or the request waited past its deadline), shutting
        down, or no model is loaded. Retry after `Retry-After` seconds.
      headers:
        Retry-After:
          $ref: "#/components/headers/Retry-After"
        X-Request-Id:
          $ref: "#/components/headers/X-Request-Id"
      content:
        application/problem+json:
          schema:
            $ref: "#/components/schemas/Problem"
          example:
            type: about:blank
            title: Service Unavailable
            status: 503
            detail: all inference workers are busy and the queue is full; retry in about 2 s
            instance: /v1/adjust
  securitySchemes:
    apiKey:
      type: http
      scheme: bearer
      description: |
        A key from the operator (`semadjust api-key NAME` makes one; the server's `--api-keys`
        file lists its SHA-256). Only when the server runs with `--api-keys`; otherwise no
        credentials are needed.

"""#

    /// The UTF-8 bytes, encoded once rather than per request.
    static let bytes = Array(yaml.utf8)
}
