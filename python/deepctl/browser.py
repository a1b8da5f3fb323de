"""Checks a study report in headless Chromium (Debian's chromium package): the page loads
with no console messages, every figure decodes, and a screenshot shows each figure drawn
(not blank).

    python3 -m deepctl.browser RUN_DIR     writes RUN_DIR/report.png and prints the check
"""
import json
import pathlib
import re
import subprocess
import sys

import numpy as np

CHROMIUM = "/usr/bin/chromium"
WINDOW = (1200, 2600)


def _chromium(url, *args, height=WINDOW[1]):
    cmd = [CHROMIUM, "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars",
           "--enable-logging=stderr", "--v=0", f"--window-size={WINDOW[0]},{height}",
           *args, url]
    return subprocess.run(cmd, capture_output=True, text=True, timeout=120)


def check_report(report, screenshot):
    """Loads report (a path) and writes screenshot (PNG). Returns a dict: figures,
    figures_loaded, console (list of console lines), blank (names of figures that look blank
    in the screenshot), external (references to the network)."""
    report = pathlib.Path(report).resolve()
    url = report.as_uri()
    text = report.read_text(encoding="utf-8")
    external = re.findall(r'(?:src|href)="(https?:[^"]*)"', text)
    dom = _chromium(url, "--dump-dom")
    console = [line for line in dom.stderr.splitlines() if ":CONSOLE" in line]

    def attr(name):
        m = re.search(rf'data-{name}="([^"]*)"', dom.stdout)
        return m.group(1).replace("&quot;", '"') if m else None

    figures = int(attr("figures") or 0)
    loaded = int(attr("figures-loaded") or 0)
    rects = json.loads(attr("figure-rects") or "[]")
    # The screenshot window is as tall as the page's figures reach, so that all of them show.
    height = max([WINDOW[1]] + [int(y + h) + 100 for _, y, _, h in rects])
    shot = _chromium(url, f"--screenshot={pathlib.Path(screenshot).resolve()}", height=height)
    console += [line for line in shot.stderr.splitlines() if ":CONSOLE" in line]
    import matplotlib.image as mpimg
    pixels = mpimg.imread(screenshot)[..., :3]
    blank = []
    names = re.findall(r'<img class="figure" alt="([^"]*)"', text)
    for name, (x, y, w, h) in zip(names, rects):
        crop = pixels[int(y):int(y + h), int(x):int(x + w)]
        inked = np.mean(np.any(crop < 0.9, axis=-1)) if crop.size else 0.0
        colours = len(np.unique((crop.reshape(-1, 3) * 255).astype(np.uint8), axis=0)) if crop.size else 0
        if inked < 0.02 or colours < 16:
            blank.append(name)
    return {"figures": figures, "figures_loaded": loaded, "console": console, "blank": blank,
            "external": external, "screenshot": str(screenshot)}


def main(argv):
    if len(argv) != 1:
        print("usage: python3 -m deepctl.browser RUN_DIR")
        return 2
    run = pathlib.Path(argv[0])
    result = check_report(run / "report.html", run / "report.png")
    print(json.dumps(result, indent=2))
    ok = (result["figures"] > 0 and result["figures_loaded"] == result["figures"]
          and not result["console"] and not result["blank"] and not result["external"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
