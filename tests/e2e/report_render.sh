# The HTML report as a browser draws it (issue 19): the demo's workspace
# gets one `retentiond --once`, its report is rendered by Debian's headless
# Chromium, and from the rendered DOM every chart must have a title naming
# its unit and at least one visible mark (a bar or dot with an area, a line
# with a length). The same check must fail on a copy with one chart emptied
# (its bars of height zero, as the rows charts were when they plotted bytes).
source "$(dirname "$0")/lib.bash"

CHROMIUM=$(command -v chromium || true)
[ -n "$CHROMIUM" ] || fail "no chromium (Debian package chromium; .ci/install-deps installs it)"

demo_workspace
export DEMO_QUOTA_LOG="$WORK/quota-events.log"
expect_code 0 "$RETENTIOND" --config "$WORK/demo.conf" --once
expect_code 0 "$RETENTIONCTL" --config "$WORK/demo.conf" report --format html \
  -o "$WORK/report.html"

# The report has no script of its own; a copy gets one that measures what
# the browser drew and writes it into the page, which --dump-dom returns.
cat > "$WORK/measure.js" <<'JS'
<script>
const lines = [];
document.querySelectorAll("svg").forEach((svg, i) => {
  let marks = 0;
  svg.querySelectorAll(".mark").forEach((m) => {
    const r = m.getBoundingClientRect(), s = getComputedStyle(m);
    if (s.display === "none" || s.visibility === "hidden") return;
    const stroked = m.tagName === "polyline" || m.tagName === "line" ||
                    m.tagName === "path";
    if (stroked ? (r.width + r.height > 0 && s.stroke !== "none")
                : (r.width > 0 && r.height > 0)) marks++;
  });
  const title = svg.querySelector("title");
  const heading = svg.previousElementSibling;
  lines.push(["chart", i, marks, svg.getAttribute("data-unit") || "",
              heading && heading.tagName === "H3" ? heading.textContent : "",
              title ? title.textContent : ""].join("\t"));
});
const pre = document.createElement("pre");
pre.id = "render-check";
pre.textContent = lines.join("\n");
document.body.appendChild(pre);
</script>
JS

render() {  # render HTML OUT: Chromium's DOM of HTML (with the measuring script)
  local page=$WORK/page-$(basename "$1")
  sed -e "/<\/body>/{r $WORK/measure.js" -e "}" "$1" > "$page"
  grep -q 'id = "render-check"' "$page" || fail "measuring script not inserted"
  timeout 60 "$CHROMIUM" --headless --no-sandbox --disable-gpu \
    --user-data-dir="$WORK/chromium" --no-first-run --dump-dom \
    "file://$page" > "$2" 2> "$WORK/chromium.err" &
  local browser=$!
  STARTED+=("$browser")
  wait "$browser" || { tail -20 "$WORK/chromium.err" >&2; fail "chromium failed on $1"; }
}

# check DOM: every chart drawn with a mark, a title and its unit in it.
check() {
  python3 - "$1" <<'PY'
import html, re, sys
dom = open(sys.argv[1], encoding="utf-8").read()
m = re.search(r'<pre id="render-check">(.*?)</pre>', dom, re.S)
if not m:
    sys.exit("no measurements in the rendered DOM")
charts = [l.split("\t") for l in html.unescape(m.group(1)).splitlines() if l]
bad = []
for _, i, marks, unit, heading, title in charts:
    if int(marks) < 1:
        bad.append("chart %s (%s) has no visible mark" % (i, title))
    if not unit or not heading or heading != title or \
            not title.endswith(", in " + unit):
        bad.append("chart %s: title %r, heading %r, unit %r" % (i, title, heading, unit))
for b in bad:
    print(b)
print("%d charts, %d problems" % (len(charts), len(bad)))
units = {c[3] for c in charts}
titles = " | ".join(c[5] for c in charts)
if not bad:
    for want in ("Removed per day by rows.analytics, in rows",
                 "Removed per day by files.backups, in bytes",
                 "Removed per day by accounts, in accounts",
                 "Occupancy of the largest users against their quota, in bytes",
                 "Size of logs.app against its budget of 40 MiB, in bytes"):
        if want not in titles:
            bad.append("no chart titled %r in: %s" % (want, titles))
            print(bad[-1])
sys.exit(1 if bad else 0)
PY
}

render "$WORK/report.html" "$WORK/report.dom"
check "$WORK/report.dom" || fail "the rendered report has a chart without a mark, title or unit"

# Proof that the check can fail: the first chart's marks flattened to zero.
python3 - "$WORK/report.html" "$WORK/empty.html" <<'PY'
import re, sys
page = open(sys.argv[1], encoding="utf-8").read()
start = page.index("<svg")
end = page.index("</svg>", start)
chart = re.sub(r'(class="mark"[^>]*?) (height|r)="[0-9.]+"', r'\1 \2="0"',
               page[start:end])
chart = re.sub(r'(class="mark"[^>]*?) points="[^"]*"', r'\1 points="64,140 64,140"', chart)
open(sys.argv[2], "w", encoding="utf-8").write(page[:start] + chart + page[end:])
PY
render "$WORK/empty.html" "$WORK/empty.dom"
if check "$WORK/empty.dom" > "$WORK/empty.check"; then
  cat "$WORK/empty.check"; fail "an emptied chart passed the render check"
fi
grep -q "has no visible mark" "$WORK/empty.check" || { cat "$WORK/empty.check"; fail "wrong complaint"; }
echo "report_render: ok ($(tail -1 "$WORK/empty.check" | cut -d, -f1) checked)"
