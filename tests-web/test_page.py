#!/usr/bin/env python3
"""make test-web: the page at GET / driven in real headless Chromium (Debian's chromium and
chromium-driver, through selenium).

It builds the server (debug, in its own scratch folder .build-web so it never races `make test`),
starts it on a free loopback port with the models in models/ (or, when there are none, the tiny
test model), and then, in the browser:

  1. loads the page: styles listed, no Content-Security-Policy violation or script error;
  2. uploads a photo (ECSSD from ../shared, or a generated one) and waits for the answer: output
     and map shown, both different from the input, map colours from the API's palette;
  3. paints a stroke with the least-used preset and waits for the image_id re-render: the output
     changed where the labels changed and much less elsewhere;
  4. undo restores the map; the downloads give a JPEG and a true 8-bit grayscale label PNG;
  5. Tab reaches every control, with a visible focus ring, and the map can be painted from the
     keyboard (arrows move the brush, Space paints);
  6. at 375 px wide nothing overflows horizontally;
  7. a file that is not an image gives the API's problem detail as a readable message;
  8. a photo dropped on the drop zone is adjusted;
  9. a page on another origin (a second loopback port, named in --cors-origins) posts the photo,
     reads the JPEG answer's X-Image-Id, X-Style, X-Map-K, X-Map-Coverage, Server-Timing and
     X-Request-Id, and re-renders the image id with a map.

Screenshots go to tests-web/artifacts/ (git-ignored); --readme-screenshot also writes
docs/web-page.png. Knobs: SEMADJUST_BINARY (skip the build, use this binary), SCRATCH (build
folder), MODELS / TRUNK (override the model choice), PHOTO (the photo to upload), SEMADJUST_URL
(test a server already running on loopback instead of starting one).
"""
import argparse
import base64
import glob
import http.client
import json
import os
import pathlib
import re
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time
import uuid
import zlib

from selenium import webdriver
from selenium.common.exceptions import TimeoutException
from selenium.webdriver.chrome.options import Options
from selenium.webdriver.chrome.service import Service
from selenium.webdriver.common.action_chains import ActionChains
from selenium.webdriver.common.by import By
from selenium.webdriver.common.keys import Keys
from selenium.webdriver.support.ui import WebDriverWait

ROOT = pathlib.Path(__file__).resolve().parent.parent
ARTIFACTS = ROOT / "tests-web" / "artifacts"
FIXTURES = ROOT / "Tests" / "InferenceTests" / "Fixtures"
started_at = time.monotonic()


def log(message):
    print(f"[{time.monotonic() - started_at:6.1f}s] {message}", flush=True)


class Failure(Exception):
    pass


def check(condition, message):
    if not condition:
        raise Failure(message)
    log(f"ok: {message}")


# ------------------------------------------------------------------------------------------------
# Server


def build(scratch):
    log(f"building semadjust (debug, --scratch-path {scratch})")
    subprocess.run(["swift", "build", "--scratch-path", scratch, "--product", "semadjust"], cwd=ROOT, check=True)
    return str(ROOT / scratch / "debug" / "semadjust")


def model_arguments(work):
    """models/ when it holds a model, else the tiny parity model with its tiny trunk."""
    if os.environ.get("MODELS"):
        args = ["--models", os.environ["MODELS"]]
        return args + (["--trunk", os.environ["TRUNK"]] if os.environ.get("TRUNK") else []), "MODELS"
    if glob.glob(str(ROOT / "models" / "*.safetensors")):
        return ["--models", str(ROOT / "models")], "models/"
    return tiny_model_arguments(work), "tiny test model"


def tiny_model_arguments(work):
    models = work / "tiny-models"
    models.mkdir(exist_ok=True)
    shutil.copy(FIXTURES / "tiny-model.safetensors", models / "tiny.safetensors")
    return ["--models", str(models), "--trunk", str(FIXTURES / "tiny-trunk.safetensors")]


class Server:
    @classmethod
    def external(cls, url):
        """A server someone else started (SEMADJUST_URL): only talked to, never stopped."""
        server = cls.__new__(cls)
        match = re.fullmatch(r"http://127\.0\.0\.1:(\d+)/?", url)
        if not match:
            raise Failure("SEMADJUST_URL must be http://127.0.0.1:PORT/")
        server.port, server.base, server.process, server.log_path = int(match.group(1)), url.rstrip("/") + "/", None, None
        return server

    def __init__(self, binary, model_args, work, extra_args=()):
        self.log_path = work / f"server-{uuid.uuid4().hex[:6]}.log"
        self.log_file = open(self.log_path, "w")
        # Port 0: the kernel picks a free port and the log line says which.
        self.process = subprocess.Popen(
            [binary, "serve", "--host", "127.0.0.1", "--port", "0", "--workers", "1", "--shutdown-grace", "2"] + model_args
            + list(extra_args),
            cwd=ROOT, stdout=self.log_file, stderr=subprocess.STDOUT)
        self.port = None
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and self.port is None:
            if self.process.poll() is not None:
                raise Failure(f"the server exited: {self.log_path.read_text()[-2000:]}")
            match = re.search(r"listening on http://127\.0\.0\.1:(\d+)", self.log_path.read_text())
            if match:
                self.port = int(match.group(1))
            else:
                time.sleep(0.1)
        if self.port is None:
            raise Failure("the server printed no listening line within 60 s")
        self.base = f"http://127.0.0.1:{self.port}/"

    def request(self, method, path, body=None, headers=None):
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
        connection.request(method, path, body=body, headers=headers or {})
        response = connection.getresponse()
        data = response.read()
        connection.close()
        return response.status, dict(response.getheaders()), data

    def styles(self):
        status, _, data = self.request("GET", "/v1/styles")
        return json.loads(data)["styles"] if status == 200 else []

    def stop(self):
        if self.process is None:
            return
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(10)
            except subprocess.TimeoutExpired:
                self.process.kill()
        self.log_file.close()


def multipart(fields):
    boundary = "semadjust-test-" + uuid.uuid4().hex
    body = b""
    for name, (filename, content_type, data) in fields.items():
        body += f"--{boundary}\r\nContent-Disposition: form-data; name=\"{name}\"; filename=\"{filename}\"\r\n".encode()
        body += f"Content-Type: {content_type}\r\n\r\n".encode() + data + b"\r\n"
    body += f"--{boundary}--\r\n".encode()
    return body, f"multipart/form-data; boundary={boundary}"


# ------------------------------------------------------------------------------------------------
# Files


def png_rgb(width, height, pixel):
    raw = b"".join(b"\x00" + b"".join(bytes(pixel(x, y)) for x in range(width)) for y in range(height))
    chunk = lambda kind, data: struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw, 6)) + chunk(b"IEND", b""))


def test_photo(work):
    """An ECSSD photo when ../shared has them, else a generated scene (sky, ground, a red disc)."""
    if os.environ.get("PHOTO"):
        return pathlib.Path(os.environ["PHOTO"])
    ecssd = ROOT.parent / "shared" / "data" / "ecssd" / "images"
    # 0004 is a tiger wading in a river: a clear subject on a background, landscape.
    photos = [ecssd / "0004.jpg"] if (ecssd / "0004.jpg").exists() else sorted(ecssd.glob("*.jpg"))
    if photos:
        return photos[0]

    def pixel(x, y):
        if (x - 200) ** 2 + (y - 170) ** 2 < 70 ** 2:
            return (200, 40 + y // 6, 40)
        return (90 + y // 4, 140 + y // 6, 220) if y < 180 else (60 + x // 8, 120, 50 + y // 10)
    path = work / "generated.png"
    path.write_bytes(png_rgb(400, 300, pixel))
    return path


def read_gray_png(data):
    """(width, height, colour type, bit depth, pixel bytes) of a non-interlaced 8-bit gray PNG."""
    if data[:8] != b"\x89PNG\r\n\x1a\n":
        raise Failure("the downloaded map is not a PNG")
    pos, idat, header = 8, b"", None
    while pos < len(data):
        length, kind = struct.unpack(">I4s", data[pos:pos + 8])
        body = data[pos + 8:pos + 8 + length]
        crc, = struct.unpack(">I", data[pos + 8 + length:pos + 12 + length])
        if zlib.crc32(kind + body) != crc:
            raise Failure(f"bad CRC in the map PNG's {kind!r} chunk")
        if kind == b"IHDR":
            header = struct.unpack(">IIBBBBB", body)
        elif kind == b"IDAT":
            idat += body
        pos += 12 + length
    width, height, depth, colour, _, _, interlace = header
    raw = zlib.decompress(idat)
    if colour != 0 or depth != 8 or interlace != 0:
        return width, height, colour, depth, None
    out, prev, stride = bytearray(), bytearray(width), width + 1
    for y in range(height):
        kind, row = raw[y * stride], bytearray(raw[y * stride + 1:(y + 1) * stride])
        for x in range(width):
            a = row[x - 1] if x else 0
            b, c = prev[x], (prev[x - 1] if x else 0)
            if kind == 1: row[x] = (row[x] + a) & 255
            elif kind == 2: row[x] = (row[x] + b) & 255
            elif kind == 3: row[x] = (row[x] + (a + b) // 2) & 255
            elif kind == 4:
                p = a + b - c
                pa, pb, pc = abs(p - a), abs(p - b), abs(p - c)
                row[x] = (row[x] + (a if pa <= pb and pa <= pc else b if pb <= pc else c)) & 255
        out += row
        prev = row
    return width, height, colour, depth, bytes(out)


# ------------------------------------------------------------------------------------------------
# Browser


# Pixel statistics computed in the page (shipping whole images over WebDriver would be slow).
HELPERS = r"""
window.__t = {
  pixels(source, w, h) {
    const c = document.createElement('canvas'); c.width = w; c.height = h;
    const g = c.getContext('2d', {willReadFrequently: true});
    g.drawImage(source, 0, 0, w, h);
    return g.getImageData(0, 0, w, h).data;
  },
  size() { const a = document.getElementById('after'); return [a.naturalWidth, a.naturalHeight]; },
  meanDiff(a, b) { let s = 0, n = 0; for (let i = 0; i < a.length; i += 4) { for (let k = 0; k < 3; k++) s += Math.abs(a[i+k] - b[i+k]); n += 3; } return s / n; },
  snapshot() {
    const [w, h] = this.size();
    this.saved = { output: this.pixels(document.getElementById('after'), w, h), map: this.pixels(document.getElementById('map'), w, h) };
    return [w, h];
  },
};
"""


def browser(download_dir):
    options = Options()
    options.binary_location = shutil.which("chromium") or "/usr/bin/chromium"
    for flag in ["--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                 "--window-size=1280,1000", "--force-device-scale-factor=1", "--hide-scrollbars",
                 "--force-prefers-reduced-motion", "--force-dark-mode", "--blink-settings=preferredColorScheme=0"]:
        options.add_argument(flag)
    options.set_capability("goog:loggingPrefs", {"browser": "ALL"})
    options.add_experimental_option("prefs", {"download.default_directory": str(download_dir), "download.prompt_for_download": False})
    driver = webdriver.Chrome(options=options, service=Service(shutil.which("chromedriver") or "/usr/bin/chromedriver"))
    driver.execute_cdp_cmd("Browser.setDownloadBehavior", {"behavior": "allow", "downloadPath": str(download_dir)})
    return driver


def wait_for(driver, condition, timeout, what):
    try:
        return WebDriverWait(driver, timeout, poll_frequency=0.05).until(lambda d: condition(d))
    except TimeoutException:
        raise Failure(f"timed out after {timeout} s waiting for {what}") from None


def renders(driver):
    return int(driver.execute_script("return Number(document.body.dataset.renders)"))


def idle(driver):
    return driver.execute_script("return document.body.dataset.state") == "idle"


def wait_for_render(driver, previous, timeout, what):
    wait_for(driver, lambda d: renders(d) > previous and idle(d), timeout, what)


def visible_error(driver):
    return driver.execute_script("const e = document.getElementById('error'); return e.hidden ? '' : e.innerText")


def console_problems(driver):
    entries = driver.get_log("browser")
    # Chromium's hint about repeated getImageData comes from this test's own pixel readbacks.
    return [e["message"] for e in entries if e["level"] in ("SEVERE", "WARNING")
            and "favicon" not in e["message"] and "willReadFrequently" not in e["message"]]


def wait_for_download(folder, pattern, timeout=20):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        found = [p for p in folder.glob(pattern) if not p.name.endswith(".crdownload")]
        if found:
            time.sleep(0.2)
            return found[0]
        time.sleep(0.1)
    raise Failure(f"no download matching {pattern} within {timeout} s")


def run(driver, server, photo, work, readme_screenshot):
    timings = {}
    downloads = work / "downloads"

    # 1. The page and its styles.
    t = time.monotonic()
    driver.get(server.base)
    wait_for(driver, lambda d: d.execute_script("return document.body.dataset.state") == "idle", 20, "the styles")
    driver.execute_script(HELPERS)
    styles = server.styles()
    options = driver.execute_script("return [...document.getElementById('style').options].map(o => o.value)")
    check(options == [s["id"] for s in styles], f"the style picker lists the service's styles {options}")
    check(not visible_error(driver), "no error shown on load")
    problems = console_problems(driver)
    check(not problems, f"no CSP violation or script error in the console {problems}")
    timings["load"] = time.monotonic() - t

    # 2. Upload, wait for output and map.
    t = time.monotonic()
    before = renders(driver)
    driver.find_element(By.ID, "file").send_keys(str(photo))
    wait_for_render(driver, before, 300, "the first answer")
    timings["first answer"] = time.monotonic() - t
    check(not visible_error(driver), "no error after the upload")
    shown = driver.execute_script("""
        const ids = ['before', 'after', 'map', 'map-photo'];
        return Object.fromEntries(ids.map(id => { const r = document.getElementById(id).getBoundingClientRect(); return [id, r.width > 50 && r.height > 50]; }));""")
    check(all(shown.values()), f"input, output and map are on screen {shown}")
    diff = driver.execute_script("""
        const [w, h] = __t.size();
        const input = __t.pixels(document.getElementById('before'), w, h);
        const output = __t.pixels(document.getElementById('after'), w, h);
        const map = __t.pixels(document.getElementById('map'), w, h);
        return {w, h, output: __t.meanDiff(input, output), map: __t.meanDiff(input, map)};""")
    check(diff["output"] > 1.0, f"the output differs from the input (mean |Δ| {diff['output']:.2f} levels at {diff['w']}x{diff['h']})")
    check(diff["map"] > 10.0, f"the map differs from the input (mean |Δ| {diff['map']:.2f})")
    style = next(s for s in styles if s["id"] == driver.find_element(By.ID, "style").get_attribute("value"))
    palette = [tuple(int(c[i:i + 2], 16) for i in (1, 3, 5)) for c in style["colours"]]
    colours = driver.execute_script("""
        const m = document.getElementById('map');
        const d = m.getContext('2d').getImageData(0, 0, m.width, m.height).data;
        const seen = new Set(); for (let i = 0; i < d.length; i += 4) seen.add(d[i] + ',' + d[i+1] + ',' + d[i+2] + ',' + d[i+3]);
        return [...seen].slice(0, 50);""")
    used = [tuple(map(int, c.split(","))) for c in colours]
    check(all(c[3] == 255 and c[:3] in palette for c in used), f"the map uses only the API's preset colours ({len(used)} of K = {style['K']})")
    legend = driver.execute_script("return [...document.querySelectorAll('.preset')].map(p => p.innerText.replace(/\\s+/g, ' ').trim())")
    check(len(legend) == style["K"] and all("%" in row for row in legend), f"the legend lists the K presets with coverage {legend}")
    driver.save_screenshot(str(ARTIFACTS / "1-discovered.png"))

    # 3. Paint with the least-used preset, re-render through image_id.
    shares = driver.execute_script("return [...document.querySelectorAll('.share')].map(s => parseFloat(s.textContent))")
    preset = min(range(len(shares)), key=lambda i: shares[i])
    driver.find_element(By.CSS_SELECTOR, f"label.preset:nth-child({preset + 1})").click()
    check(driver.find_element(By.ID, f"preset-{preset}").is_selected(), f"preset {preset} ({style['presets'][preset]}) picked for the brush")
    driver.execute_script("const b = document.getElementById('brush'); b.value = 60; b.dispatchEvent(new Event('input'));")
    driver.execute_script("__t.snapshot()")
    canvas = driver.find_element(By.ID, "map")
    width, height = canvas.rect["width"], canvas.rect["height"]
    # The row (in tenths of the height) where the stroke changes the most labels.
    row = driver.execute_script("""
        const m = document.getElementById('map'), g = m.getContext('2d');
        const [r, gr, b] = arguments[0];
        let best = 0.5, most = -1;
        for (let f = 0.15; f < 0.9; f += 0.1) {
          const d = g.getImageData(Math.round(0.2 * m.width), Math.round(f * m.height), Math.round(0.6 * m.width), 1).data;
          let n = 0; for (let i = 0; i < d.length; i += 4) if (d[i] !== r || d[i+1] !== gr || d[i+2] !== b) n++;
          if (n > most) { most = n; best = f; }
        }
        return best;""", list(palette[preset]))
    before = renders(driver)
    t = time.monotonic()
    chain = ActionChains(driver, duration=10).move_to_element_with_offset(canvas, int(-0.3 * width), int((row - 0.5) * height)).click_and_hold()
    for _ in range(12):
        chain.move_by_offset(int(0.05 * width), 0)
    chain.release().perform()
    wait_for_render(driver, before, 120, "the re-render after the stroke")
    timings["re-render after stroke"] = time.monotonic() - t
    check(not visible_error(driver), f"the painted label PNG was accepted ({visible_error(driver)!r})")
    change = driver.execute_script("""
        const [w, h] = __t.size();
        const output = __t.pixels(document.getElementById('after'), w, h);
        const map = __t.pixels(document.getElementById('map'), w, h);
        const old = __t.saved;
        let inSum = 0, inN = 0, outSum = 0, outN = 0;
        for (let i = 0; i < map.length; i += 4) {
          const painted = map[i] !== old.map[i] || map[i+1] !== old.map[i+1] || map[i+2] !== old.map[i+2];
          const d = (Math.abs(output[i] - old.output[i]) + Math.abs(output[i+1] - old.output[i+1]) + Math.abs(output[i+2] - old.output[i+2])) / 3;
          if (painted) { inSum += d; inN++; } else { outSum += d; outN++; }
        }
        return {painted: inN / (inN + outN), inside: inSum / Math.max(1, inN), outside: outSum / Math.max(1, outN)};""")
    check(change["painted"] > 0.01, f"the stroke changed {100 * change['painted']:.1f} % of the map")
    check(change["inside"] > 2.0, f"the output changed where painted (mean |Δ| {change['inside']:.2f} levels)")
    check(change["inside"] > 3 * change["outside"],
          f"and much less elsewhere (mean |Δ| {change['outside']:.2f}, ratio {change['inside'] / max(change['outside'], 1e-6):.1f})")
    user_map = driver.execute_script("return document.getElementById('status').textContent")
    check("Re-rendered" in user_map, f"the status says so: {user_map!r}")
    snapped = driver.execute_script("return [document.getElementById('snap').checked, document.body.dataset.snapped || '0']")
    check(snapped[0] and int(snapped[1]) >= 1,
          f"'Snap strokes to edges' is on by default and the page shows the server's snapped map ({snapped})")
    driver.save_screenshot(str(ARTIFACTS / "2-painted.png"))
    if readme_screenshot:
        readme(driver)

    # 4. Downloads: the output JPEG and a true 8-bit grayscale label PNG.
    driver.find_element(By.ID, "download-jpeg").click()
    jpeg = wait_for_download(downloads, "*.jpg")
    check(jpeg.read_bytes()[:3] == b"\xff\xd8\xff", f"Download JPEG gives a JPEG ({jpeg.name}, {jpeg.stat().st_size} bytes)")
    driver.find_element(By.ID, "download-map").click()
    png = wait_for_download(downloads, "*-map.png")
    w, h, colour, depth, labels = read_gray_png(png.read_bytes())
    check(colour == 0 and depth == 8, f"Download map PNG gives an 8-bit grayscale PNG (colour type {colour}, depth {depth})")
    check((w, h) == (diff["w"], diff["h"]) and max(labels) < style["K"] and preset in labels,
          f"with the photo's size {w}x{h} and preset indices {sorted(set(labels))} < K")

    # Undo restores the map (and re-renders it).
    before = renders(driver)
    driver.find_element(By.ID, "undo").click()
    wait_for_render(driver, before, 120, "the re-render after undo")
    restored = driver.execute_script("""
        const [w, h] = __t.size();
        return __t.meanDiff(__t.pixels(document.getElementById('map'), w, h), __t.saved.map);""")
    check(restored == 0, "Undo restores the map as it was before the stroke")

    # The strength slider: at 0 % the re-render (image_id, no trunk) gives the photo's own colours
    # back (within JPEG rounding), at 100 % the effect returns.
    def set_strength(value):
        before = renders(driver)
        driver.execute_script(f"""const s = document.getElementById('strength'); s.value = '{value}';
            s.dispatchEvent(new Event('input')); s.dispatchEvent(new Event('change'));""")
        wait_for_render(driver, before, 120, f"the re-render at strength {value} %")
        return driver.execute_script("""
            const [w, h] = __t.size();
            return __t.meanDiff(__t.pixels(document.getElementById('after'), w, h), __t.pixels(document.getElementById('before'), w, h));""")
    at_zero = set_strength(0)
    label = driver.find_element(By.ID, "strength-out").text
    at_full = set_strength(100)
    check(at_zero < 3 and at_full > at_zero + 2 and label == "0 %",
          f"Strength 0 % re-renders the photo's own colours (mean |Δ| from the input {at_zero:.2f}, '{label}'), "
          f"100 % the style again ({at_full:.2f})")

    # 5. Keyboard: Tab reaches every enabled control, and focus is visible.
    driver.execute_script("window.scrollTo(0, 0); document.activeElement && document.activeElement.blur();")
    driver.find_element(By.TAG_NAME, "h1").click()
    expected = driver.execute_script("""
        return ['file', 'style', 'size', 'adjust', 'map', 'brush', 'opacity', 'undo', 'reset', 'render', 'auto', 'snap', 'strength', 'compare',
                'download-jpeg', 'download-map', 'download-colour'].filter(id => !document.getElementById(id).disabled);""")
    reached, rings = [], {}
    for _ in range(40):
        ActionChains(driver).send_keys(Keys.TAB).perform()
        focus = driver.execute_script("""
            const e = document.activeElement; const s = getComputedStyle(e);
            // The file input's ring is on its label; the map's on its stage.
            const ring = e.id === 'file' ? getComputedStyle(e.nextElementSibling) : e.id === 'map' ? getComputedStyle(e.parentElement) : s;
            return [e.id || e.name || e.tagName, ring.outlineStyle !== 'none' && parseFloat(ring.outlineWidth) >= 2];""")
        reached.append(focus[0])
        rings[focus[0]] = focus[1]
    missing = [id for id in expected if id not in reached]
    check(not missing, f"Tab reaches {len(expected)} controls (missing {missing})")
    check(any(r.startswith("preset-") for r in reached), "Tab reaches the brush preset radio group")
    no_ring = [id for id in expected if not rings.get(id)]
    check(not no_ring, f"each shows a focus ring (none on {no_ring})")

    # Keyboard painting: focus the map, pick a preset with its number key, hold Space, move.
    driver.execute_script("document.getElementById('map').focus(); __t.snapshot();")
    centre = driver.execute_script("""
        const m = document.getElementById('map');
        return [...m.getContext('2d').getImageData(m.width >> 1, m.height >> 1, 1, 1).data.slice(0, 3)];""")
    key_preset = next(i for i, c in enumerate(palette) if list(c) != centre)
    before = renders(driver)
    ActionChains(driver).send_keys(str(key_preset + 1)).key_down(Keys.SPACE).send_keys(Keys.ARROW_RIGHT * 3) \
        .send_keys(Keys.ARROW_DOWN).key_up(Keys.SPACE).perform()
    wait_for_render(driver, before, 120, "the re-render after keyboard painting")
    painted = driver.execute_script("""
        const [w, h] = __t.size(); const map = __t.pixels(document.getElementById('map'), w, h);
        let n = 0; for (let i = 0; i < map.length; i += 4) if (map[i] !== __t.saved.map[i] || map[i+1] !== __t.saved.map[i+1]) n++;
        return n / (w * h);""")
    check(painted > 0.005 and not visible_error(driver), f"arrows + Space paint the map from the keyboard ({100 * painted:.1f} % changed) and re-render")
    driver.save_screenshot(str(ARTIFACTS / "3-keyboard.png"))

    # 6. Phone width: nothing overflows horizontally.
    driver.execute_script("document.activeElement.blur(); window.scrollTo(0, 0);")
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", {"width": 375, "height": 812, "deviceScaleFactor": 2, "mobile": True})
    time.sleep(0.5)
    overflow = driver.execute_script("""
        const vw = document.documentElement.clientWidth;
        const wide = [...document.querySelectorAll('body *')].filter(e => {
          const r = e.getBoundingClientRect(); return r.width > 0 && (r.right > vw + 0.5 || r.left < -0.5) && e.className !== 'skip' && e.id !== 'file';
        }).map(e => (e.id || e.className || e.tagName) + ':' + Math.round(e.getBoundingClientRect().right));
        return {vw, scroll: document.documentElement.scrollWidth, wide: wide.slice(0, 10)};""")
    check(overflow["vw"] == 375 and overflow["scroll"] <= overflow["vw"] and not overflow["wide"],
          f"at 375 px nothing overflows (scrollWidth {overflow['scroll']}, too wide: {overflow['wide']})")
    driver.save_screenshot(str(ARTIFACTS / "4-phone.png"))
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})

    # 7. An API error, shown readably: a text file is not a photo.
    note = work / "not-a-photo.txt"
    note.write_text("this is not a photo\n")
    body, content_type = multipart({"image": ("not-a-photo.txt", "text/plain", note.read_bytes())})
    status, headers, data = server.request("POST", "/v1/adjust", body, {"Content-Type": content_type, "Accept": "application/json"})
    detail = json.loads(data)["detail"]
    driver.find_element(By.ID, "file").send_keys(str(note))
    wait_for(driver, lambda d: visible_error(d) and idle(d), 60, "an error message")
    message = visible_error(driver)
    check(detail in message and f"HTTP {status}" in message and "{" not in message,
          f"the API's {status} is shown readably: {message.splitlines()[0]!r}")
    check(driver.execute_script("return document.getElementById('error').getAttribute('role')") == "alert", "in a role=alert region")
    driver.save_screenshot(str(ARTIFACTS / "5-error.png"))

    # 8. Dropping a photo on the drop zone starts over with it (and clears the error).
    before = renders(driver)
    driver.execute_script("""
        const bytes = Uint8Array.from(atob(arguments[0]), c => c.charCodeAt(0));
        const data = new DataTransfer();
        data.items.add(new File([bytes], 'dropped.jpg', {type: 'image/jpeg'}));
        document.getElementById('drop').dispatchEvent(new DragEvent('drop', {dataTransfer: data, bubbles: true, cancelable: true}));""",
        base64.b64encode(photo.read_bytes()).decode())
    wait_for_render(driver, before, 300, "the answer for a dropped photo")
    check(not visible_error(driver), "a photo dropped on the drop zone is adjusted, and the error is gone")

    problems = console_problems(driver)
    # The failed upload itself is logged by Chromium as a failed resource load; nothing else may be.
    problems = [p for p in problems if "v1/adjust" not in p]
    check(not problems, f"no CSP violation or script error in the console {problems}")
    return timings


class FrontEnd:
    """A page on another origin (another loopback port, its own HTTP server) that uses the API the
    way a third-party front-end would: fetch with a photo, read the answer's headers, re-render."""

    PAGE = b"""<!doctype html><meta charset="utf-8"><title>front-end</title><p>another origin</p>
<script>
async function loop(api, photoB64, mapB64) {
  const blob = (b64, type) => new Blob([Uint8Array.from(atob(b64), c => c.charCodeAt(0))], {type});
  const first = new FormData();
  first.append('image', blob(photoB64, 'image/jpeg'), 'photo.jpg');
  const r = await fetch(api + 'v1/adjust', {method: 'POST', body: first});
  const jpeg = await r.arrayBuffer();
  const h = name => r.headers.get(name);
  const again = new FormData();
  again.append('image_id', h('X-Image-Id') || '');
  again.append('map', blob(mapB64, 'image/png'), 'map.png');
  const r2 = await fetch(api + 'v1/adjust', {method: 'POST', body: again});
  const jpeg2 = await r2.arrayBuffer();
  return {status: r.status, type: h('Content-Type'), bytes: jpeg.byteLength, id: h('X-Image-Id'), style: h('X-Style'),
          k: h('X-Map-K'), coverage: h('X-Map-Coverage'), timing: h('Server-Timing'), requestID: h('X-Request-Id'),
          status2: r2.status, type2: r2.headers.get('Content-Type'), bytes2: jpeg2.byteLength};
}
</script>"""

    def __init__(self):
        import http.server
        import threading
        page = self.PAGE

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                self.send_response(200)
                self.send_header("Content-Type", "text/html; charset=utf-8")
                self.send_header("Content-Length", str(len(page)))
                self.end_headers()
                self.wfile.write(page)

            def log_message(self, *args):
                pass

        self.httpd = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.origin = f"http://127.0.0.1:{self.httpd.server_address[1]}"
        threading.Thread(target=self.httpd.serve_forever, daemon=True).start()

    def stop(self):
        self.httpd.shutdown()


def cross_origin(driver, server, front, photo):
    """The personalisation loop from a page on another origin (--cors-origins names it): the JPEG
    answer's headers are readable, and a re-render of its image id works."""
    photo_bytes = photo.read_bytes()  # JPEG or PNG: the server reads the bytes, not the part's type
    driver.get(front.origin + "/")
    driver.set_script_timeout(300)
    map_png = png_rgb(8, 8, lambda x, y: (0, 0, 0))
    result = driver.execute_async_script(
        "loop(arguments[0], arguments[1], arguments[2]).then(arguments[3], e => arguments[3]({error: String(e)}))",
        server.base, base64.b64encode(photo_bytes).decode(), base64.b64encode(map_png).decode())
    check("error" not in result, f"the cross-origin fetches ran ({result.get('error')})")
    check(result["status"] == 200 and result["type"] == "image/jpeg" and result["bytes"] > 1000,
          f"a page on {front.origin} gets the JPEG answer ({result['status']}, {result['bytes']} bytes)")
    missing = [k for k in ("id", "style", "k", "coverage", "timing", "requestID") if not result.get(k)]
    check(not missing, f"and reads its headers (X-Image-Id {result['id']}, X-Style {result['style']}, X-Map-K {result['k']}; unreadable: {missing})")
    check(result["status2"] == 200 and result["type2"] == "image/jpeg" and result["bytes2"] > 1000,
          f"and re-renders its image id with a map ({result['status2']}, {result['bytes2']} bytes)")
    problems = [p for p in console_problems(driver) if "favicon" not in p]
    check(not problems, f"no CORS error in the other origin's console {problems}")


def readme(driver):
    """docs/web-page.png: the whole page at a desktop width, after a stroke."""
    metrics = {"width": 1280, "height": 900, "deviceScaleFactor": 1, "mobile": False}
    driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
    time.sleep(0.3)
    # The stages are sized by the viewport height: settle on a height that shows everything.
    for _ in range(3):
        metrics["height"] = min(driver.execute_script("return document.documentElement.scrollHeight"), 1600)
        driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        time.sleep(0.3)
    driver.execute_script("window.scrollTo(0, 0)")
    (ROOT / "docs").mkdir(exist_ok=True)
    driver.save_screenshot(str(ROOT / "docs" / "web-page.png"))
    log(f"wrote docs/web-page.png (1280x{metrics['height']})")
    driver.execute_cdp_cmd("Emulation.clearDeviceMetricsOverride", {})


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--readme-screenshot", action="store_true", help="also write docs/web-page.png")
    args = parser.parse_args()

    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    for old in ARTIFACTS.glob("*.png"):
        old.unlink()
    external = os.environ.get("SEMADJUST_URL")
    binary = external or os.environ.get("SEMADJUST_BINARY") or build(os.environ.get("SCRATCH", ".build-web"))
    work = pathlib.Path(tempfile.mkdtemp(prefix="semadjust-web-"))
    (work / "downloads").mkdir()
    server = driver = front = None
    status = 1
    try:
        model_args, source = model_arguments(work)
        front = FrontEnd()
        cors = ["--cors-origins", front.origin]
        if external:
            server, source = Server.external(external), "an external server"
        else:
            server = Server(binary, model_args, work, cors)
        if not server.styles() and source not in ("tiny test model", "an external server"):
            # A model file still being written (or unreadable) loads as nothing: use the tiny one.
            log(f"no style loaded from {source}; falling back to the tiny test model")
            server.stop()
            model_args, source = tiny_model_arguments(work), "tiny test model"
            server = Server(binary, model_args, work, cors)
        photo = test_photo(work)
        log(f"server on {server.base} with {source} ({', '.join(s['id'] for s in server.styles())}); photo {photo}")
        driver = browser(work / "downloads")
        timings = run(driver, server, photo, work, args.readme_screenshot)
        if not external:  # an external server's CORS origins are its operator's
            cross_origin(driver, server, front, photo)
        log("timings: " + ", ".join(f"{k} {v:.1f} s" for k, v in timings.items()))
        log(f"PASS in {time.monotonic() - started_at:.0f} s; screenshots in {ARTIFACTS.relative_to(ROOT)}/")
        status = 0
    except Failure as failure:
        log(f"FAIL: {failure}")
        if driver:
            driver.save_screenshot(str(ARTIFACTS / "failure.png"))
            log(f"screenshot: {ARTIFACTS.relative_to(ROOT)}/failure.png")
    finally:
        if front:
            front.stop()
        if driver:
            driver.quit()
        if server and server.process:
            server.stop()
            shutil.copy(server.log_path, ARTIFACTS / "server.log")
            if status:
                print(server.log_path.read_text()[-3000:])
        shutil.rmtree(work, ignore_errors=True)
    sys.exit(status)


if __name__ == "__main__":
    main()
