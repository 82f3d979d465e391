"""The Plotly library inlined into report pages: a small gzipped bundle, or the full one.

The default page carries npm's ``plotly.js-cartesian-dist-min`` (v4.1.1, MIT
licence in ``plotly-cartesian.LICENSE``; scatter, bar, heatmap, log axes,
subplots: every trace type the report draws) gzipped and base64-encoded, about
0.66 MB (base64 of the 0.50 MB gzip) instead of plotly.py's 4.8 MB full bundle.
The browser inflates it with ``DecompressionStream`` (Chromium 80+, Firefox
113+, Safari 16.4+) and then draws the figures; no network is used.
``full=True`` inlines plotly.py's whole bundle as a plain script instead (for
browsers without ``DecompressionStream``).
"""

from __future__ import annotations

import base64
from functools import cache
from importlib import resources

#: Gzipped cartesian bundle shipped as package data next to this module.
BUNDLE = "plotly-cartesian.min.js.gz"

#: Inflates the bundle, runs it as a script, then calls ``window.ssblabDraw``.
_INFLATE = """
(function(){
  var el = document.getElementById('ssblab-plotly-gz');
  var raw = atob(el.textContent.trim()), bytes = new Uint8Array(raw.length);
  for (var i = 0; i < raw.length; i++) bytes[i] = raw.charCodeAt(i);
  if (typeof DecompressionStream === 'undefined') {
    document.body.insertAdjacentHTML('afterbegin',
      '<p style="color:#D55E00">This browser cannot inflate the embedded plotting library ' +
      '(no DecompressionStream); rebuild the page with --full-plotly.</p>');
    return;
  }
  var stream = new Blob([bytes]).stream().pipeThrough(new DecompressionStream('gzip'));
  new Response(stream).text().then(function(js){
    var s = document.createElement('script');
    s.textContent = js;
    document.head.appendChild(s);
    window.ssblabDraw();
  });
})();
"""


@cache
def _gzipped_base64() -> str:
    data = resources.files("ssblab.report").joinpath(BUNDLE).read_bytes()
    return base64.b64encode(data).decode("ascii")


def script_tags(draw_js: str, full: bool = False) -> str:
    """``<script>`` tags that load Plotly and then run *draw_js* (which uses ``Plotly``)."""
    draw = f"window.ssblabDraw = function(){{{draw_js}}};"
    if full:
        from plotly.offline import get_plotlyjs

        return (
            f'<script type="text/javascript">{get_plotlyjs()}</script>\n'
            f'<script type="text/javascript">{draw}window.ssblabDraw();</script>'
        )
    return (
        f'<script type="application/gzip;base64" id="ssblab-plotly-gz">{_gzipped_base64()}'
        f'</script>\n<script type="text/javascript">{draw}{_INFLATE}</script>'
    )


def library_bytes(full: bool = False) -> int:
    """Bytes the inlined library adds to a page (base64 of the gzip, or the full source)."""
    if full:
        from plotly.offline import get_plotlyjs

        return len(get_plotlyjs().encode("utf-8"))
    return len(_gzipped_base64())
