// The client openapi-generator (-g typescript-fetch) makes from openapi.yaml, run with Deno as a
// web front-end would use it (fetch, FormData, Blob), against the live service.
//
// Run by tests-api/clients/run.sh, with an import map naming the generated client "semadjust-client/":
//   deno run --check --import-map MAP --allow-net=HOST --allow-read=FILES typescript_fetch_test.ts BASE_URL JPEG_PATH SCENE_PNG_PATH
//
// typescript-fetch sends no Accept header and parses a 200 as the first media type (JSON), so the
// Configuration sends `Accept: application/json`; the JPEG answer is read raw from adjustPhotoRaw.
import { AdjustApi, Configuration, ResponseError } from "semadjust-client/index.ts";
import type { AdjustResult, Problem } from "semadjust-client/index.ts";
import { ProblemFromJSON } from "semadjust-client/index.ts";

const [base, jpegPath, scenePath] = Deno.args;
const jpeg = await Deno.readFile(jpegPath);
const scene = await Deno.readFile(scenePath);

function expect(condition: unknown, message: string): asserts condition {
  if (!condition) throw new Error(message);
}

function fromBase64(text: string): Bytes {
  return Uint8Array.from(atob(text), (c) => c.charCodeAt(0));
}

function expectJpeg(data: Bytes, what: string) {
  const n = data.length;
  expect(n > 4 && data[0] === 0xff && data[1] === 0xd8 && data[2] === 0xff && data[n - 2] === 0xff && data[n - 1] === 0xd9,
    `${what}: not a whole JPEG (${n} bytes)`);
}

const crcTable = Array.from({ length: 256 }, (_, n) => {
  let c = n;
  for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
  return c >>> 0;
});

function crc32(bytes: Bytes): number {
  let c = 0xffffffff;
  for (const b of bytes) c = crcTable[(c ^ b) & 0xff] ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
}

type Bytes = Uint8Array<ArrayBuffer>;

async function pipe(data: Bytes, stream: CompressionStream | DecompressionStream): Promise<Bytes> {
  return new Uint8Array(await new Response(new Blob([data]).stream().pipeThrough(stream)).arrayBuffer());
}

// An 8-bit gray, non-interlaced PNG (what the service answers as the map) to its labels.
async function readLabelMap(png: Bytes): Promise<{ width: number; height: number; labels: Bytes }> {
  const view = new DataView(png.buffer, png.byteOffset, png.byteLength);
  let position = 8, width = 0, height = 0;
  const idat: Bytes[] = [];
  while (position < png.length) {
    const length = view.getUint32(position);
    const kind = new TextDecoder().decode(png.subarray(position + 4, position + 8));
    const body = png.subarray(position + 8, position + 8 + length);
    if (kind === "IHDR") {
      width = view.getUint32(position + 8);
      height = view.getUint32(position + 12);
      expect(body[8] === 8 && body[9] === 0 && body[12] === 0, "the map is not an 8-bit gray non-interlaced PNG");
    } else if (kind === "IDAT") idat.push(body);
    position += 12 + length;
  }
  const raw = await pipe(new Uint8Array(await new Blob(idat).arrayBuffer()), new DecompressionStream("deflate"));
  const labels = new Uint8Array(width * height);
  for (let y = 0; y < height; y++) {
    const filter = raw[y * (width + 1)];
    for (let x = 0; x < width; x++) {
      const value = raw[y * (width + 1) + 1 + x];
      const left = x ? labels[y * width + x - 1] : 0, up = y ? labels[(y - 1) * width + x] : 0;
      const upLeft = x && y ? labels[(y - 1) * width + x - 1] : 0;
      const p = left + up - upLeft, pa = Math.abs(p - left), pb = Math.abs(p - up), pc = Math.abs(p - upLeft);
      const predictor = [0, left, up, (left + up) >> 1, pa <= pb && pa <= pc ? left : pb <= pc ? up : upLeft][filter];
      expect(predictor !== undefined, `unknown PNG filter ${filter}`);
      labels[y * width + x] = (value + predictor) & 0xff;
    }
  }
  return { width, height, labels };
}

async function labelMap(width: number, height: number, labels: Bytes): Promise<Bytes> {
  const rows = new Uint8Array(height * (width + 1));
  for (let y = 0; y < height; y++) rows.set(labels.subarray(y * width, (y + 1) * width), y * (width + 1) + 1);
  const chunk = (kind: string, body: Bytes) => {
    const out = new Uint8Array(12 + body.length);
    const view = new DataView(out.buffer);
    view.setUint32(0, body.length);
    out.set(new TextEncoder().encode(kind), 4);
    out.set(body, 8);
    view.setUint32(8 + body.length, crc32(out.subarray(4, 8 + body.length)));
    return out;
  };
  const header = new Uint8Array(13);
  new DataView(header.buffer).setUint32(0, width);
  new DataView(header.buffer).setUint32(4, height);
  header[8] = 8; // depth 8, colour type 0 (gray), no interlace
  const parts = [new Uint8Array([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", header),
    chunk("IDAT", await pipe(rows, new CompressionStream("deflate"))), chunk("IEND", new Uint8Array())];
  return new Uint8Array(await new Blob(parts).arrayBuffer());
}

const api = new AdjustApi(new Configuration({ basePath: base, headers: { Accept: "application/json" } }));

const styles = await api.listStyles();
const style = styles.styles.find((s) => s.id === styles._default);
expect(style && style.presets.length === style.k, `listStyles: ${JSON.stringify(styles)}`);
const k = style.k;

const result: AdjustResult = await api.adjustPhoto({
  image: new Blob([scene], { type: "image/png" }), style: style.id, quality: 85, maxSide: 64,
});
expect(/^[0-9a-f]{32}$/.test(result.imageId), `adjustPhoto: image_id ${result.imageId}`);
expect(result.width === 64 && result.height === 48, `maxSide 64 gave ${result.width}x${result.height}, not 64x48`);
expect(result.k === k && !result.userMap, `adjustPhoto: K ${result.k}, userMap ${result.userMap}`);
expectJpeg(fromBase64(result.image), "adjustPhoto image");
const { width, height, labels } = await readLabelMap(fromBase64(result.map));
expect(width === 64 && height === 48 && Math.max(...labels) < k, `the map is ${width}x${height}`);

// The JPEG answer, as a page would show it: raw response, Accept overridden for this call.
const raw = await api.adjustPhotoRaw({ image: new Blob([jpeg], { type: "image/jpeg" }) }, { headers: { Accept: "image/jpeg" } });
expect(raw.raw.status === 200 && raw.raw.headers.get("Content-Type") === "image/jpeg", `JPEG answer: ${raw.raw.status}`);
const photo = new Uint8Array(await raw.raw.arrayBuffer());
expectJpeg(photo, "JPEG answer");
expect(/^[0-9a-f]{32}$/.test(raw.raw.headers.get("X-Image-Id") ?? ""), "JPEG answer: no X-Image-Id");

// Re-render from the cache: the unchanged map gives the same photo, the inverted one moves every pixel.
const same = await api.adjustPhoto({ imageId: result.imageId, map: new Blob([await labelMap(width, height, labels)]), quality: 85 });
expect(same.image === result.image, "re-render with the unchanged map gave another photo");
const edited = await labelMap(width, height, labels.map((label) => k - 1 - label));
const again = await api.adjustPhoto({ imageId: result.imageId, map: new Blob([edited], { type: "image/png" }), quality: 85 });
expect(again.imageId === result.imageId && again.userMap, `re-render: ${again.imageId} userMap ${again.userMap}`);
again.coverage.forEach((c, i) => expect(Math.abs(c - result.coverage[k - 1 - i]) < 1e-3,
  `re-render: coverage ${again.coverage} is not ${result.coverage} reversed`));
expect(fromBase64(again.map).every((b, i) => b === edited[i]) && fromBase64(again.map).length === edited.length,
  "re-render: the label map sent did not come back byte for byte");
expect(again.image !== result.image, "re-render: the edited map changed nothing in the photo");

// Errors reject with ResponseError; the body is the problem document.
try {
  await api.adjustPhoto({ imageId: "0".repeat(32) });
  throw new Error("an unknown image_id was answered 2xx");
} catch (error) {
  expect(error instanceof ResponseError && error.response.status === 404, `404: ${error}`);
  const problem: Problem = ProblemFromJSON(await error.response.json());
  expect(problem.status === 404 && error.response.headers.get("Content-Type") === "application/problem+json", `404: ${JSON.stringify(problem)}`);
}

console.log(`typescript-fetch client (Deno ${Deno.version.deno}): styles, JSON (${result.width}x${result.height}), ` +
  `JPEG (${photo.length} bytes), re-render with an edited map (coverage ${result.coverage} -> ${again.coverage}), 404 problem: ok`);
