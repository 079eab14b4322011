#!/usr/bin/env bash
# The local report in a real browser: builds a report from real local runs of the recorded
# market, renders it in headless Chromium, and checks through the browser's DOM that every chart
# has its data points and that the page logged nothing to the console (no script errors, no
# Content-Security-Policy violations = nothing tried to load from the network).
# Then the same for three generated histories, to see the charts stay readable however long the
# history: a day of 15-minute snapshots, a year of them, and three years of daily ones (the
# warehouses made by bench/history.sh's generator through the project's own DuckDB code); each
# is screenshotted and its over-time charts checked: a line through every snapshot, one marker
# per snapshot only while they stay apart, a year on the axis once the history is long.
# REPORT_SCREENSHOT=path keeps the desktop screenshot (docs/report.png is made this way);
# REPORT_SCREENSHOT_DIR=dir keeps the histories' screenshots too. DOCS_SCREENSHOTS=1 redraws the
# README's pictures in docs/ (README.md, "Get going", says how).
set -euo pipefail
cd "$(dirname "$0")/../.."
[ -z "${DOCS_SCREENSHOTS:-}" ] || REPORT_SCREENSHOT=docs/report.png

. .ci/chromium.sh

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
# Two real offline runs of the CLI (Extract over the recorded CoinGecko market, Transform, Load
# into DuckDB, through the state machine) an hour apart, so the time-series charts are drawn too;
# `run` ends by writing data/report.html.
data="$work/data"
report="$data/report.html"
dotnet build src/CryptoEtl.Cli -c Release --nologo -v q >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; echo "report-browser: could not build the CLI"; exit 1; }
dotnet build bench/CryptoEtl.Bench -c Release --nologo -v q >"$work/build.log" 2>&1 \
  || { cat "$work/build.log"; echo "report-browser: could not build the history generator"; exit 1; }
for at in 2024-12-19T09:45:00Z 2024-12-19T10:45:00Z; do
  dotnet run --project src/CryptoEtl.Cli -c Release --no-build -- run --offline --data-dir "$data" \
    --input "{\"fetch_time\":\"$at\"}" >"$work/run.log" 2>&1 \
    || { cat "$work/run.log"; echo "report-browser: cryptoetl run --offline failed"; exit 1; }
done
[ -s "$report" ] || { echo "report-browser: no report was written"; exit 1; }

chrome() {
  timeout 120 "$browser" --headless --no-sandbox --disable-gpu --disable-background-networking \
    --disable-component-update --disable-sync --no-first-run --disable-quic --hide-scrollbars \
    --user-data-dir="$(mktemp -d -p "$work")" --enable-logging=stderr --v=0 "$@"
}

# Console output is what a person's devtools would show; the page must show none.
console_errors() { grep -hE ':CONSOLE(:|\()' "$@" || true; }

# The detector must see a broken page, or silence proves nothing.
printf '%s' "<!doctype html><meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'\"><script>broken()</script>" >"$work/broken.html"
chrome --dump-dom "file://$work/broken.html" >/dev/null 2>"$work/broken.err"
if [ -z "$(console_errors "$work/broken.err")" ]; then
  echo "report-browser: the console check saw nothing on a broken page"; exit 1
fi

chrome --dump-dom "file://$report" >"$work/dom.html" 2>"$work/dom.err"
chrome --window-size=1280,1960 --screenshot="$work/desktop.png" "file://$report" >/dev/null 2>"$work/desktop.err"
chrome --window-size=390,3200 --screenshot="$work/phone.png" "file://$report" >/dev/null 2>"$work/phone.err"

status=0
errors=$(console_errors "$work/dom.err" "$work/desktop.err" "$work/phone.err")
if [ -n "$errors" ]; then
  echo "report-browser: the page logged to the console:"; echo "$errors"; status=1
fi

for png in desktop phone; do
  size=$(stat -c %s "$work/$png.png" 2>/dev/null || echo 0)
  if [ "$size" -lt 20000 ]; then
    echo "report-browser: the $png screenshot is missing or blank ($size bytes)"; status=1
  fi
done

# Every chart section declares data-points; the browser's DOM must hold that many marks.
python3 - "$work/dom.html" <<'PY' || status=1
import sys
from html.parser import HTMLParser

MARKS = {
    "top-market-cap": ("rect", "bar"),
    "dominance": ("circle", "slice"),
    "price-changes": ("rect", "bin"),
    "gainers": ("tr", "mover"),
    "losers": ("tr", "mover"),
}
# Over-time charts: one polyline standing for every snapshot (its data-points), markers only
# while there are few enough to stay apart.
LINES = ("history-market-cap", "history-btc-dominance")
MAX_MARKERS = 60

class Counter(HTMLParser):
    def __init__(self):
        super().__init__()
        self.section, self.declared, self.found, self.lines = None, {}, {}, {}

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "section" and a.get("id") in MARKS or tag == "section" and a.get("id") in LINES:
            self.section = a["id"]
            self.declared[self.section] = int(a.get("data-points", "-1"))
            self.found[self.section] = 0
            self.lines[self.section] = []
        elif self.section in LINES:
            classes = (a.get("class") or "").split()
            if tag == "circle" and "point" in classes:
                self.found[self.section] += 1
            elif tag == "polyline" and "line" in classes:
                self.lines[self.section].append(int(a.get("data-points", "-1")))
        elif self.section:
            mark_tag, mark_class = MARKS[self.section]
            if tag == mark_tag and mark_class in (a.get("class") or "").split():
                self.found[self.section] += 1

    def handle_endtag(self, tag):
        if tag == "section":
            self.section = None

counter = Counter()
counter.feed(open(sys.argv[1], encoding="utf-8").read())
ok = True
for section in LINES:
    declared, markers, lines = counter.declared.get(section), counter.found.get(section, 0), counter.lines.get(section, [])
    expected_markers = declared if declared is not None and declared <= MAX_MARKERS else 1
    if declared is None or declared < 2 or lines != [declared] or markers != expected_markers:
        print(f"report-browser: {section}: lines {lines} and {markers} markers, {declared} snapshots declared")
        ok = False
    else:
        print(f"report-browser: {section}: a line through {declared} snapshots, {markers} markers")
for section in MARKS:
    declared, found = counter.declared.get(section), counter.found.get(section, 0)
    if declared is None or declared <= 0 or found != declared:
        print(f"report-browser: {section}: {found} marks in the DOM, {declared} declared")
        ok = False
    else:
        print(f"report-browser: {section}: {found} marks")
sys.exit(0 if ok else 1)
PY

# Three generated histories: DAYS of snapshots MINUTES apart, for COINS coins.
bench=(dotnet bench/CryptoEtl.Bench/bin/Release/net10.0/CryptoEtl.Bench.dll)
for history in "day 96 50 15" "year 35040 20 15" "three-years 1096 100 1440"; do
  read -r name snapshots coins minutes <<<"$history"
  "${bench[@]}" history-grow "$work/$name/warehouse.duckdb" "$snapshots" "$coins" "$minutes" >"$work/$name.log" 2>&1 \
    || { cat "$work/$name.log"; echo "report-browser: could not generate the $name history"; exit 1; }
  dotnet run --project src/CryptoEtl.Cli -c Release --no-build -- report --data-dir "$work/$name" --out "$work/$name.html" >"$work/$name.log" 2>&1 \
    || { cat "$work/$name.log"; echo "report-browser: cryptoetl report failed on the $name history"; exit 1; }
  chrome --dump-dom "file://$work/$name.html" >"$work/$name.dom.html" 2>"$work/$name.dom.err"
  chrome --window-size=1280,1960 --screenshot="$work/$name.png" "file://$work/$name.html" >/dev/null 2>"$work/$name.err"
  errors=$(console_errors "$work/$name.dom.err" "$work/$name.err")
  [ -z "$errors" ] || { echo "report-browser: the $name report logged to the console:"; echo "$errors"; status=1; }
  size=$(stat -c %s "$work/$name.png" 2>/dev/null || echo 0)
  [ "$size" -ge 20000 ] || { echo "report-browser: the $name screenshot is missing or blank ($size bytes)"; status=1; }
  python3 - "$work/$name.dom.html" "$name" "$snapshots" <<'PY' || status=1
import re, sys
html, name, snapshots = open(sys.argv[1], encoding="utf-8").read(), sys.argv[2], int(sys.argv[3])
ok = True
for section in ("history-market-cap", "history-btc-dominance"):
    m = re.search(r'<section class="card" id="%s" data-points="(\d+)">(.*?)</section>' % section, html, re.S)
    if not m:
        print(f"report-browser: {name}: no {section} chart"); ok = False; continue
    declared, body = int(m.group(1)), m.group(2)
    lines = re.findall(r'<polyline class="line" data-points="(\d+)"', body)
    markers = len(re.findall(r'<circle class="point', body))
    ticks = re.findall(r'<text class="tick"[^>]*text-anchor="(?:start|middle|end)"[^>]*>([^<]+)</text>', body)
    expected_markers = declared if declared <= 60 else 1
    if declared != snapshots or lines != [str(declared)] or markers != expected_markers:
        print(f"report-browser: {name}: {section}: {declared} snapshots declared of {snapshots}, lines {lines}, {markers} markers"); ok = False
    elif name != "day" and not all(re.search(r"\b20\d\d\b", t) for t in ticks):
        print(f"report-browser: {name}: {section}: axis dates without a year: {ticks}"); ok = False
    else:
        print(f"report-browser: {name}: {section}: {declared} snapshots, {markers} marker(s), axis {ticks}")
sys.exit(0 if ok else 1)
PY
  [ -z "${REPORT_SCREENSHOT_DIR:-}" ] || cp "$work/$name.png" "$REPORT_SCREENSHOT_DIR/report-$name.png"
done

if [ -n "${REPORT_SCREENSHOT:-}" ]; then
  cp "$work/desktop.png" "$REPORT_SCREENSHOT"
  cp "$work/phone.png" "${REPORT_SCREENSHOT%.png}-phone.png"
fi

[ "$status" -eq 0 ] && echo "report-browser: ok (every chart drawn, console clean, screenshots taken)"
exit "$status"
