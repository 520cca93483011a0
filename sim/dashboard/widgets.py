"""Browser-side pieces of the page, as ipyvue templates (bundled with ipyvue: no CDN).

``TownMap`` draws the static town SVG once and, over it, only what moves (dots and crews)
from compact rows; a click on a dot sets ``clicked``. ``FrameTimer`` asks the server for a
fresh frame while a run is going, one request at a time.
"""

from __future__ import annotations

import ipyvue
import traitlets

from sim.dashboard.drawing import OVERDUE_COLOUR, SELECTED_COLOUR, STAGE_COLOURS, STAGES, ZONE_EDGES


class TownMap(ipyvue.VueTemplate):
    """The town map as one widget: a static SVG under a moving overlay of cases and crews.

    ``static_svg`` is set once per town and language; ``dots`` are [id, x, y, stage, tier,
    overdue, escalations, opacity] and ``crews`` [x, y, zone, busy, job_x, job_y]. Tier is the
    marker's shape (circle grid, diamond village, square town, hexagon county; a case nobody
    has noticed, tier NO_TIER, a hollow ring: no tier holds it yet); overdue cases get a dark-red ring.
    """

    template = traitlets.Unicode("""
<template>
  <div class="gs-map-box" style="position:relative; width:100%; line-height:0;">
    <div v-html="static_svg" class="gs-map-static"></div>
    <svg :viewBox="view_box" preserveAspectRatio="xMidYMid meet" class="gs-map-overlay"
         style="position:absolute; left:0; top:0; width:100%; height:100%;">
      <g class="gs-crews">
        <g v-for="(c, i) in crews" :key="'c' + i">
          <polyline v-if="c[6]" :points="c[6]" fill="none" :stroke="zone_colours[c[2] % zone_colours.length]"
                    stroke-width="4" stroke-dasharray="8 6" stroke-linejoin="round" class="gs-crew-path"/>
          <polygon :points="tri(c[0], c[1])" :fill="zone_colours[c[2] % zone_colours.length]" stroke="#111" stroke-width="2"
                   class="gs-crew" :data-x="c[0]" :data-y="c[1]" :data-road="c[7]" :data-busy="c[3]"/>
        </g>
      </g>
      <g class="gs-dots">
        <g v-for="d in dots" :key="d[0]" :opacity="d[7]" class="gs-dot-g" :data-id="d[0]"
           @click="clicked = d[0] + ':' + Date.now()" style="cursor:pointer;">
          <circle v-if="d[5]" :cx="d[1]" :cy="d[2]" r="19" fill="none" :stroke="overdue_colour" stroke-width="5"/>
          <circle v-if="d[0] === selected" :cx="d[1]" :cy="d[2]" r="26" fill="none" :stroke="selected_colour" stroke-width="7"/>
          <circle v-if="d[4] < 0" :cx="d[1]" :cy="d[2]" r="10" fill="#fff" :stroke="stage_colours[d[3]]" stroke-width="5"
                  class="gs-no-tier"/>
          <circle v-else-if="d[4] === 0" :cx="d[1]" :cy="d[2]" r="11" :fill="stage_colours[d[3]]" stroke="#111" stroke-width="2"/>
          <polygon v-else :points="shape(d[1], d[2], d[4])" :fill="stage_colours[d[3]]" stroke="#111" stroke-width="2"/>
          <text v-if="d[6] > 0" :x="d[1] + 14" :y="d[2] - 10" font-size="20" font-weight="700" :fill="overdue_colour"
                stroke="#fff" stroke-width="4" paint-order="stroke">↑{{ d[6] }}</text>
          <circle :cx="d[1]" :cy="d[2]" r="22" fill="transparent" class="gs-dot" :data-id="d[0]"/>
        </g>
      </g>
    </svg>
  </div>
</template>
<script>
module.exports = {
  methods: {
    tri(x, y) { return `${x},${y - 15} ${x - 13},${y + 10} ${x + 13},${y + 10}`; },
    shape(x, y, tier) {
      if (tier === 1) { return `${x},${y - 15} ${x + 15},${y} ${x},${y + 15} ${x - 15},${y}`; }
      if (tier === 2) { return `${x - 12},${y - 12} ${x + 12},${y - 12} ${x + 12},${y + 12} ${x - 12},${y + 12}`; }
      const p = [];
      for (let k = 0; k < 6; k++) {
        const a = Math.PI / 3 * k;
        p.push(`${(x + 16 * Math.cos(a)).toFixed(1)},${(y + 16 * Math.sin(a)).toFixed(1)}`);
      }
      return p.join(' ');
    },
  },
};
</script>
""").tag(sync=True)
    static_svg = traitlets.Unicode("").tag(sync=True)
    view_box = traitlets.Unicode("0 0 100 100").tag(sync=True)
    dots: traitlets.List[list[float]] = traitlets.List([]).tag(sync=True)
    crews: traitlets.List[list[float]] = traitlets.List([]).tag(sync=True)
    selected = traitlets.Int(-1).tag(sync=True)
    clicked = traitlets.Unicode("").tag(sync=True)  # "id:time" of the last click on a dot
    stage_colours = traitlets.List([STAGE_COLOURS[s] for s in STAGES]).tag(sync=True)
    zone_colours = traitlets.List(list(ZONE_EDGES)).tag(sync=True)
    overdue_colour = traitlets.Unicode(OVERDUE_COLOUR).tag(sync=True)
    selected_colour = traitlets.Unicode(SELECTED_COLOUR).tag(sync=True)


class FrameTimer(ipyvue.VueTemplate):
    """The page's heartbeat: asks for the next frame only once the last one is drawn.

    While ``active``, it bumps ``beats`` ``interval_ms`` after the server acknowledged the last
    beat (``acked``), so a slow server is never flooded with frame requests.
    """

    template = traitlets.Unicode("""
<template><span class="gs-timer" :data-active="String(active)" :data-beats="beats" :data-rtts="rtts.join(',')"></span></template>
<script>
module.exports = {
  data() { return { sent: 0, rtts: [] }; },
  mounted() { this.schedule(); },
  beforeDestroy() { clearTimeout(this.timer); },
  watch: {
    active() { this.schedule(); },
    interval_ms() { this.schedule(); },
    acked() {
      if (this.sent) {  // round trip of the last frame request: server, socket and browser
        this.rtts = this.rtts.concat([Math.round(performance.now() - this.sent)]).slice(-40);
        this.sent = 0;
      }
      this.schedule();
    },
  },
  methods: {
    schedule() {
      clearTimeout(this.timer);
      if (this.active) {
        this.timer = setTimeout(() => { this.sent = performance.now(); this.beats = this.beats + 1; }, this.interval_ms);
      }
    },
  },
};
</script>
""").tag(sync=True)
    active = traitlets.Bool(False).tag(sync=True)
    interval_ms = traitlets.Int(120).tag(sync=True)
    acked = traitlets.Int(0).tag(sync=True)
    beats = traitlets.Int(0).tag(sync=True)


class CaseRows(ipyvue.VueTemplate):
    """The case list as one widget, so a frame stays cheap (not a button per case).

    ``rows`` are [id, text, colour]; a click sets ``clicked`` ("id:time").
    """

    template = traitlets.Unicode("""
<template>
  <div class="gs-list">
    <div v-for="r in rows" :key="r[0]" class="gs-incident" :data-id="r[0]"
         :style="{background: r[0] === selected ? '#fff59d' : 'transparent'}"
         @click="clicked = r[0] + ':' + Date.now()">
      <i class="gs-swatch" :style="{background: r[2]}"></i>{{ r[1] }}
    </div>
  </div>
</template>
""").tag(sync=True)
    rows: traitlets.List[list[object]] = traitlets.List([]).tag(sync=True)
    selected = traitlets.Int(-1).tag(sync=True)
    clicked = traitlets.Unicode("").tag(sync=True)
