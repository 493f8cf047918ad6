"""The journey map's board as one browser component: stage heads, cards and lanes in one
CSS grid, drawn from plain data by a few lines of JavaScript.

Drawn with Streamlit widgets, the board was ~100 elements (a button per card and per lane
cell, columns per stage) that the browser's React layer rebuilt on every save: about half
a second of Chromium's time per redraw at demo size (bench/journey_bench.py). Here the board
is one element; a redraw replaces its DOM in one go. The emotion curve is drawn in the same grid as
SVG (no chart library to load on the map).

Safety: every user text reaches the DOM through ``textContent`` (never ``innerHTML``), so
a card named ``<script>…`` shows as that text. Colours are the fixed palette of
DESIGN.md, passed by Python; ids are integers. The class names follow Streamlit's keyed
elements (``st-key-card_<id>``, ``st-key-c<stage index>_<lane>``) so a page's tests and
style rules find a card the same way as any keyed widget.

A click sends ``{"t": kind, …}`` back as the component's ``click`` trigger:
``card`` (``id``), ``add`` (``stage``), ``stage`` (``stage``) or ``cell`` (``stage``,
``lane``); :func:`cem.ui.journeys.board.handle_click` opens the same dialogs as before.
"""

from __future__ import annotations

from typing import Any

import pandas as pd
import streamlit as st

from cem.charts import (
    EMOTIONS,
    MOMENT_OF_TRUTH_MARK,
    OPPORTUNITY_MARK,
    PAIN_POINT_COLOUR,
    PAIN_POINT_MARK,
)
from cem.charts.journey import (
    DATA_COLOUR,
    DATA_SERIES,
    MOT_COLOUR,
    TEAM_COLOUR,
    TEAM_SERIES,
    emotion_long_frame,
    map_frame,
)
from cem.journeys.lane_texts import stage_text
from cem.journeys.model import Journey, Lane, Touchpoint
from cem.journeys.presentation import channel_icon

LABEL_RATIO = 0.7
PAIN_RED = "#d7191c"
NO_EMOTION = "#e0e0e0"
FACE_COLOURS = {score: emo.colour for score, emo in EMOTIONS.items()}

_CSS = """
.jm-grid { display: grid; column-gap: 1rem; row-gap: 0.5rem; align-items: start;
  font-family: "Source Sans Pro", "Source Sans 3", sans-serif; color: #212121; }
.jm-grid .jm-lane { font-size: 14px; font-weight: 700; color: #455a64; line-height: 1.25;
  padding-top: 0.45rem; overflow-wrap: normal; hyphens: auto; }
.jm-grid .jm-cell { display: flex; flex-direction: column; gap: 0.5rem; min-width: 0;
  border-radius: 6px; }
.jm-grid button { display: block; width: 100%; text-align: left; cursor: pointer;
  font: inherit; color: inherit; border-radius: 0.5rem; padding: 0.3rem 0.55rem;
  min-height: 2.5rem; background: #ffffff; border: 1px solid #bdbdbd; }
.jm-grid button:hover { border-color: #ff4b4b; }
.jm-grid button:focus-visible { outline: 2px solid #0072B2; outline-offset: 1px; }
.jm-grid button p { margin: 0; font-size: 15px; line-height: 1.3; white-space: normal;
  overflow-wrap: anywhere; hyphens: auto; }
.jm-grid .jm-head button { background: #37474f; color: #ffffff; font-weight: 700;
  border: none; }
.jm-grid .jm-add button { border: 1px dashed #90a4ae; color: #546e7a;
  background: transparent; min-height: 2rem; }
.jm-grid .jm-text button { background: #fafafa; border: 1px solid #e0e0e0;
  min-height: 2.2rem; }
.jm-grid .jm-text button.jm-empty p { color: #78909c; }
.jm-grid .jm-read { font-size: 15px; line-height: 1.35; overflow-wrap: anywhere;
  hyphens: auto; padding-top: 0.3rem; }
.jm-grid .jm-read.jm-kpis { font-size: 14px; color: #616161; }
.jm-grid .jm-curve { position: relative; }
.jm-grid .jm-legend { display: flex; gap: 1.2rem; font-size: 14px; color: #455a64;
  margin-left: 0.3rem; }
.jm-grid .jm-swatch { font-size: 15px; }
.jm-grid .jm-curve-svg { width: 100%; }
.jm-grid .jm-curve-svg svg { display: block; overflow: visible; }
.jm-grid .jm-empty-curve { background: #e8f4fd; color: #0b5394; border-radius: 0.5rem;
  padding: 0.8rem 1rem; font-size: 15px; }
.jm-grid .jm-lane.jm-emotion-label { padding-top: 1.6rem; }
.jm-grid.jm-present button p, .jm-grid.jm-present .jm-read { font-size: 17px; }
.jm-grid.jm-has-focus .jm-cell:not(.jm-curve) { opacity: 0.45; }
.jm-grid.jm-has-focus .jm-cell.jm-focus { opacity: 1; outline: 3px solid #0072B2;
  background: #eef6fc; }
"""

_JS = """
export default function (component) {
  const { data, parentElement, setTriggerValue } = component;
  let grid = parentElement.querySelector(':scope > .jm-grid');
  if (!grid) {
    grid = document.createElement('div');
    parentElement.appendChild(grid);
    grid.addEventListener('click', (event) => {
      const button = event.target.closest('button[data-click]');
      if (button && grid.contains(button)) {
        setTriggerValue('click', JSON.parse(button.dataset.click));
      }
    });
  }
  for (const stop of grid.cleanups || []) stop();
  const cleanups = [];
  grid.cleanups = cleanups;
  const focus = data.focus;
  grid.className = 'jm-grid' + (data.present ? ' jm-present' : '')
    + (focus === null || focus === undefined ? '' : ' jm-has-focus');
  grid.style.gridTemplateColumns =
    data.label_ratio + 'fr repeat(' + data.columns + ', minmax(0, 1fr))';
  const node = (tag, className, text) => {
    const el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined && text !== null) el.textContent = String(text);
    return el;
  };
  const button = (keyClass, parts, click, style) => {
    const box = node('div', keyClass);
    const b = node('button');
    b.type = 'button';
    b.dataset.click = JSON.stringify(click);
    if (style) Object.assign(b.style, style);
    const p = node('p');
    for (const part of parts) {
      p.appendChild(part.bold ? node('b', null, part.text) : document.createTextNode(part.text));
    }
    b.appendChild(p);
    box.appendChild(b);
    return [box, b];
  };
  const SVG = 'http://www.w3.org/2000/svg';
  const svgNode = (tag, attrs, text) => {
    const el = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) el.setAttribute(k, String(v));
    if (text !== undefined) el.textContent = String(text);
    return el;
  };
  const tip = (el, text) => { el.appendChild(svgNode('title', {}, text)); return el; };
  // A smooth curve through the points that never overshoots them (monotone in x).
  const smooth = (pts) => {
    if (pts.length < 2) return '';
    let d = 'M' + pts[0][0] + ',' + pts[0][1];
    for (let i = 0; i < pts.length - 1; i++) {
      const [x0, y0] = pts[i], [x1, y1] = pts[i + 1], mx = (x0 + x1) / 2;
      d += ' C' + mx + ',' + y0 + ' ' + mx + ',' + y1 + ' ' + x1 + ',' + y1;
    }
    return d;
  };
  const curve = (row) => {
    const box = node('div', 'jm-cell jm-curve st-key-curve');
    box.style.gridColumn = '2 / span ' + data.columns;
    if (row.empty) {
      box.appendChild(node('div', 'jm-empty-curve', '🙂 ' + row.empty));
      return box;
    }
    const legend = node('div', 'jm-legend');
    row.series.forEach(([name, colour], k) => {
      if (!row.points.some((p) => p.series === (k ? 'data' : 'team'))) return;
      const key = node('span', 'jm-key');
      key.appendChild(node('span', 'jm-swatch', k ? '◆' : '●')).style.color = colour;
      key.appendChild(document.createTextNode(' ' + name));
      legend.appendChild(key);
    });
    box.appendChild(legend);
    const holder = node('div', 'jm-curve-svg');
    box.appendChild(holder);
    const draw = () => {
      const width = holder.clientWidth || grid.clientWidth || 800;
      const height = row.height, gap = parseFloat(getComputedStyle(grid).columnGap) || 16;
      const col = (width - gap * (data.columns - 1)) / data.columns;
      const px = (x) => { const i = Math.min(data.columns - 1, Math.floor(x));
        return i * (col + gap) + (x - i) * col; };
      const py = (score) => 26 + (2.5 - score) / 5 * (height - 44);
      const svg = svgNode('svg', { width, height, role: 'img', 'aria-label': row.label });
      for (const s of [2, 1, 0, -1, -2]) {
        svg.appendChild(svgNode('line', { x1: 0, x2: width, y1: py(s), y2: py(s),
          stroke: s === 0 ? '#9e9e9e' : '#e0e0e0', 'stroke-dasharray': s === 0 ? '' : '2 3' }));
      }
      for (const [s, label] of [[2, '+2 😄'], [0, '0 😐'], [-2, '−2 😡']]) {
        svg.appendChild(svgNode('text', { x: -gap / 2 - 2, y: py(s) + 5, 'text-anchor': 'end',
          'font-size': 13, fill: '#616161' }, label));
      }
      for (let i = 1; i < data.columns; i++) {
        const x = i * (col + gap) - gap / 2;
        svg.appendChild(svgNode('line', { x1: x, x2: x, y1: 18, y2: height,
          stroke: '#cfd8dc', 'stroke-width': 1.5 }));
      }
      for (const [series, colour, dash] of [['data', row.series[1][1], '7 5'],
                                            ['team', row.series[0][1], '']]) {
        const pts = row.points.filter((p) => p.series === series)
          .sort((a, b) => a.x - b.x).map((p) => [px(p.x), py(p.score)]);
        const d = smooth(pts);
        if (d) svg.appendChild(svgNode('path', { d, fill: 'none', stroke: colour,
          'stroke-width': 3.5, 'stroke-dasharray': dash }));
      }
      for (const p of row.points) {
        const x = px(p.x), y = py(p.score);
        const stroke = p.series === 'team' ? row.series[0][1] : row.series[1][1];
        const mark = p.series === 'team'
          ? svgNode('circle', { cx: x, cy: y, r: 8.5, fill: p.colour, stroke, 'stroke-width': 2.5 })
          : svgNode('path', { d: 'M' + x + ',' + (y - 10) + ' L' + (x + 10) + ',' + y + ' L' + x
              + ',' + (y + 10) + ' L' + (x - 10) + ',' + y + ' Z', fill: p.colour, stroke,
              'stroke-width': 2.5 });
        svg.appendChild(tip(mark, p.tip));
        if (p.face) svg.appendChild(tip(svgNode('text', { x, y: y - 15, 'text-anchor': 'middle',
          'font-size': 19 }, p.face), p.tip));
      }
      for (const f of row.flags) {
        svg.appendChild(tip(svgNode('text', { x: px(f.x) + f.dx, y: 16, 'text-anchor': 'middle',
          'font-size': 19, 'font-weight': 'bold', fill: f.colour }, f.mark), f.tip));
      }
      holder.replaceChildren(svg);
    };
    requestAnimationFrame(draw);
    if (window.ResizeObserver) {
      const watch = new ResizeObserver(() => draw());
      watch.observe(holder);
      cleanups.push(() => watch.disconnect());
    }
    return box;
  };
  const out = document.createDocumentFragment();
  for (const row of data.rows) {
    out.appendChild(node('div', 'jm-lane', row.label));
    if (row.kind === 'curve') {
      out.appendChild(curve(row));
      continue;
    }
    row.cells.forEach((cell, index) => {
      const box = node('div', 'jm-cell jm-' + row.kind + ' st-key-c' + index + '_' + row.key
        + (index === focus ? ' jm-focus' : ''));
      if (row.kind === 'head') {
        box.appendChild(button('st-key-stage_' + cell.stage, [{ text: cell.text }],
          { t: 'stage', stage: cell.stage })[0]);
      } else if (row.kind === 'cards') {
        for (const card of cell.cards) {
          const style = { borderLeft: '8px solid ' + card.colour };
          if (card.pain) Object.assign(style, { borderTop: '2px solid ' + data.pain_red,
            borderRight: '2px solid ' + data.pain_red, borderBottom: '2px solid ' + data.pain_red,
            background: '#fff5f5' });
          const parts = [{ text: card.face + ' ' }, { text: card.name, bold: true }];
          if (card.marks) parts.push({ text: ' ' + card.marks });
          if (card.channel) parts.push({ text: ' · ' + card.channel });
          box.appendChild(button('st-key-card_' + card.id, parts, { t: 'card', id: card.id },
            style)[0]);
        }
        if (cell.add !== null && cell.add !== undefined) {
          const [add] = button('st-key-addtp_' + cell.add, [{ text: '+ touchpoint' }],
            { t: 'add', stage: cell.add });
          add.classList.add('jm-add');
          box.appendChild(add);
        }
      } else if (row.kind === 'text') {
        if (cell.stage !== null && cell.stage !== undefined) {
          const [wrap, b] = button('st-key-cellbtn_' + cell.stage + '_' + row.key,
            [{ text: cell.text || '+' }], { t: 'cell', stage: cell.stage, lane: row.key });
          if (!cell.text) b.classList.add('jm-empty');
          box.appendChild(wrap);
        }
      } else {
        const read = node('div', 'jm-read jm-' + row.lane_kind);
        cell.lines.forEach((line, k) => {
          if (k) read.appendChild(node('br'));
          read.appendChild(document.createTextNode(line));
        });
        if (!cell.lines.length) read.textContent = cell.empty;
        box.appendChild(read);
      }
      out.appendChild(box);
    });
  }
  grid.replaceChildren(out);
  // A word wider than its box is not broken in two ("Installatio|n" on a projector): that
  // text gets a smaller font (down to 11 px; only a longer word still wraps).
  const canvas = grid.fitCanvas || (grid.fitCanvas = document.createElement('canvas'));
  const fit = () => {
    const ctx = canvas.getContext('2d');
    for (const p of grid.querySelectorAll('button p, .jm-read')) {
      p.style.fontSize = '';
      const width = p.clientWidth;
      if (!width) continue;
      const style = getComputedStyle(p);
      const size = parseFloat(style.fontSize);
      ctx.font = '700 ' + size + 'px ' + style.fontFamily;  // bold: the widest reading
      let widest = 0;
      for (const word of p.textContent.split(/\\s+/)) {
        widest = Math.max(widest, ctx.measureText(word).width);
      }
      if (widest > width) p.style.fontSize = Math.max(11, Math.floor(size * width / widest)) + 'px';
    }
  };
  requestAnimationFrame(fit);
  if (window.ResizeObserver) {
    let lastWidth = grid.clientWidth;
    const watch = new ResizeObserver(() => {  // a new width only (fitting changes height)
      if (grid.clientWidth !== lastWidth) { lastWidth = grid.clientWidth; requestAnimationFrame(fit); }
    });
    watch.observe(grid);
    cleanups.push(() => watch.disconnect());
  }
  return () => { for (const stop of cleanups) stop(); };
}
"""

BOARD_GRID = st.components.v2.component(
    "touchpoint.journey_board", css=_CSS, js=_JS, isolate_styles=False
)


def card_data(tp: Touchpoint) -> dict[str, Any]:
    """What a card shows: face, name, marks, channel (plain text), emotion colour, pain.

    >>> card_data(Touchpoint(1, 1, 0, "Pay <now>", channel="web", emotion=-2, pain_point=True))
    {'id': 1, 'face': '😡', 'name': 'Pay <now>', 'marks': '⚠', 'channel': '🌐 web', \
'colour': '#d7191c', 'pain': True}
    """
    marks = " ".join(
        mark
        for mark, on in (
            (PAIN_POINT_MARK, tp.pain_point),
            (MOMENT_OF_TRUTH_MARK, tp.moment_of_truth),
            (OPPORTUNITY_MARK, bool(tp.opportunity)),
        )
        if on
    )
    return {
        "id": int(tp.touchpoint_id),
        "face": EMOTIONS[tp.emotion].face if tp.emotion is not None else "◌",
        "name": tp.name,
        "marks": marks,
        "channel": f"{channel_icon(tp.channel)} {tp.channel}" if tp.channel else "",
        "colour": FACE_COLOURS.get(tp.emotion, NO_EMOTION)
        if tp.emotion is not None
        else NO_EMOTION,
        "pain": bool(tp.pain_point),
    }


def card_text(card: dict[str, Any]) -> str:
    """A card as one line of text (what the browser shows; tests and the bench read it).

    >>> card_text(card_data(Touchpoint(1, 1, 0, "Pay", channel="web", emotion=2)))
    '😄 Pay · 🌐 web'
    """
    marks = f" {card['marks']}" if card["marks"] else ""
    channel = f" · {card['channel']}" if card["channel"] else ""
    return f"{card['face']} {card['name']}{marks}{channel}"


def head_row(journey: Journey) -> dict[str, Any]:
    """The row of stage heads (``1 · Awareness`` …)."""
    return {
        "kind": "head",
        "key": "head",
        "label": "Stage",
        "cells": [
            {"stage": int(s.stage_id), "text": f"{i + 1} · {s.name}"}
            for i, s in enumerate(journey.stages)
        ],
    }


def cards_row(journey: Journey, label: str, present: bool) -> dict[str, Any]:
    """The touchpoint cards of each stage, with its "+ touchpoint" (not when presenting)."""
    return {
        "kind": "cards",
        "key": "cards",
        "label": label,
        "cells": [
            {
                "cards": [card_data(tp) for tp in stage.touchpoints],
                "add": None if present else int(stage.stage_id),
            }
            for stage in journey.stages
        ],
    }


def text_row(journey: Journey, lane: Lane, present: bool) -> dict[str, Any]:
    """A text lane the team fills in: one clickable cell per stage (an empty cell shows
    "+"; when presenting it shows nothing and is not clickable)."""
    cells = []
    for stage in journey.stages:
        text = stage.cell(lane.key)
        shown = not (present and not text)
        cells.append({"stage": int(stage.stage_id) if shown else None, "text": text or ""})
    return {"kind": "text", "key": lane.key, "label": lane.label, "cells": cells}


def read_row(journey: Journey, lane: Lane, kpis: dict[str, dict]) -> dict[str, Any]:
    """A lane drawn from the cards or the data (channels, pain points, owners, KPIs …).

    >>> from cem.journeys.model import Stage
    >>> tp = Touchpoint(7, 1, 0, "<b>Pay</b>", owner="Ops & co")
    >>> j = Journey(1, "w", "J", None, None, 3, None, None, (Stage(1, 0, "Buy", 2, (tp,)),))
    >>> read_row(j, Lane("owner", "Owner", "owner"), {})["cells"]
    [{'lines': ['Ops & co'], 'empty': '—'}]
    """
    empty = "No answers yet" if lane.kind == "kpis" else "—"
    return {
        "kind": "read",
        "key": lane.key,
        "lane_kind": lane.kind,
        "label": lane.label,
        "cells": [
            {
                "lines": [
                    line
                    for line in stage_text(lane.kind, lane.key, stage, kpis).splitlines()
                    if line.strip()
                ],
                "empty": empty,
            }
            for stage in journey.stages
        ],
    }


NO_EMOTIONS = "No emotions yet: click a card and pick a face — the curve draws itself."


def curve_row(
    journey: Journey, data_emotion: pd.DataFrame | None, label: str, height: int
) -> dict[str, Any]:
    """The emotion lane: the team's solid curve with faces, the customers' dashed curve
    (with n), pain points ⚠ and moments of truth ★ on top. Stage *i* spans x = i..i+1, so
    each point sits in its stage's column; the component draws it as SVG (no chart
    library to load: a Vega-Lite chart cost the first view of the map about a second).

    >>> from cem.journeys.model import Stage
    >>> tp = Touchpoint(7, 1, 0, "Pay", emotion=-2, pain_point=True)
    >>> j = Journey(1, "w", "J", None, None, 3, None, None, (Stage(1, 0, "Buy", 2, (tp,)),))
    >>> row = curve_row(j, None, "Emotion", 170)
    >>> row["points"], row["flags"]
    ([{'x': 0.5, 'score': -2.0, 'series': 'team', 'face': '😡', 'colour': '#d7191c', 'tip': "Team's emotion · Pay · Buy · -2 Very negative"}], [{'x': 0.5, 'mark': '⚠', 'colour': '#d7191c', 'dx': -8, 'tip': 'Pain point: Pay'}])
    """
    frame = map_frame(journey, data_emotion)
    long = emotion_long_frame(frame) if not frame.empty else pd.DataFrame()
    row: dict[str, Any] = {
        "kind": "curve",
        "key": "emotion",
        "label": label,
        "height": height,
        "empty": NO_EMOTIONS if long.empty else "",
        "points": [],
        "flags": [],
        "series": [[TEAM_SERIES, TEAM_COLOUR], [DATA_SERIES, DATA_COLOUR]],
    }
    for rec in long.to_dict("records") if not long.empty else []:
        team = rec["series"] == TEAM_SERIES
        n = int(rec["n"] or 0) if rec["n"] == rec["n"] else 0
        tip = f"{rec['series']} · {rec['touchpoint']} · {rec['stage']} · {rec['score_label']}"
        row["points"].append(
            {
                "x": float(rec["x"]),
                "score": float(rec["score"]),
                "series": "team" if team else "data",
                "face": str(rec["face"]) if team else "",
                "colour": FACE_COLOURS[int(rec["step"])],
                "tip": tip if team else f"{tip} · n = {n:,}",
            }
        )
    for flag, mark, colour, dx, what in (
        ("pain_point", PAIN_POINT_MARK, PAIN_POINT_COLOUR, -8, "Pain point"),
        ("moment_of_truth", MOMENT_OF_TRUTH_MARK, MOT_COLOUR, 8, "Moment of truth"),
    ):
        for rec in frame[frame[flag]].to_dict("records") if not frame.empty else []:
            row["flags"].append(
                {
                    "x": float(rec["x"]),
                    "mark": mark,
                    "colour": colour,
                    "dx": dx,
                    "tip": f"{what}: {rec['touchpoint']}",
                }
            )
    return row


def grid_data(
    journey: Journey, rows: list[dict[str, Any]], present: bool, focus: int | None
) -> dict[str, Any]:
    """The component's data for one run of lanes."""
    return {
        "rows": rows,
        "columns": len(journey.stages),
        "label_ratio": LABEL_RATIO,
        "present": present,
        "focus": focus,
        "pain_red": PAIN_RED,
    }
