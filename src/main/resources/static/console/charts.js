// Small wrappers over uPlot (served from its WebJar in the service's jar). Each chart's container records how
// many data points it drew (data-points), which the browser tests read beside the canvas itself.
import uPlot from '/webjars/uplot/dist/uPlot.esm.js';

export const COLOURS = ['#1f77b4', '#ff7f0e', '#2ca02c', '#d62728', '#9467bd', '#8c564b', '#e377c2', '#7f7f7f'];

/** The container's content width: what is left inside its padding. */
function width(container) {
  const style = getComputedStyle(container);
  const inner = container.clientWidth - parseFloat(style.paddingLeft) - parseFloat(style.paddingRight);
  return Math.max(260, Math.min(inner || 520, 1100));
}

// charts follow the window's width (a debounced resize; ResizeObserver would report its own loops as errors)
const live = new Set();
let resizeTimer;
window.addEventListener('resize', () => {
  clearTimeout(resizeTimer);
  resizeTimer = setTimeout(() => live.forEach((c) => c.fit()), 150);
});

function count(data) {
  let n = 0;
  for (let s = 1; s < data.length; s++) {
    for (const v of data[s]) {
      if (v !== null && v !== undefined && Number.isFinite(v)) {
        n++;
      }
    }
  }
  return n;
}

/** A chart in `container`; update(data) replaces its data (uPlot's columns: x first, then one array per series). */
class Chart {
  constructor(container, options, data) {
    this.container = container;
    this.container.classList.add('chart');
    this.height = options.height || 220;
    this.plot = new uPlot({ width: width(container), height: this.height, legend: { live: false }, ...options }, data, container);
    this.container.dataset.points = String(count(data));
    live.add(this);
  }
  fit() {
    if (!this.container.isConnected) {
      live.delete(this);
      return;
    }
    this.plot.setSize({ width: width(this.container), height: this.height });
  }
  update(data) {
    this.plot.setData(data);
    this.container.dataset.points = String(count(data));
  }
  destroy() {
    live.delete(this);
    this.plot.destroy();
  }
}

/** Lines against a numeric x axis (the epoch): series [{label, colour, dash}]. */
export function lineChart(container, { title, xLabel, yLabel, series, yRange }) {
  const options = {
    title,
    scales: { x: { time: false }, y: yRange ? { range: yRange } : {} },
    axes: [{ label: xLabel }, { label: yLabel, size: 60 }],
    series: [{ label: xLabel }, ...series.map((s, i) => ({
      label: s.label,
      stroke: s.colour || COLOURS[i % COLOURS.length],
      width: 1.5,
      dash: s.dash,
      spanGaps: true,
      points: { show: true, size: 4 },
    }))],
  };
  return new Chart(container, options, [[], ...series.map(() => [])]);
}

/** Bars over categories 0..n-1 labelled by `labels`; series are drawn on top of each other, widest first. */
export function barChart(container, { title, labels, yLabel, series }) {
  const bars = (size) => uPlot.paths.bars({ size: [size, 80] });
  const options = {
    title,
    scales: { x: { time: false, range: [-0.5, labels.length - 0.5] }, y: { range: (u, min, max) => [0, max * 1.05 || 1] } },
    axes: [
      { values: (u, splits) => splits.map((v) => (Number.isInteger(v) && labels[v] !== undefined ? labels[v] : '')), incrs: [1], gap: 4 },
      { label: yLabel, size: 60 },
    ],
    series: [{ label: 'layer', value: (u, v) => (v === null ? '' : labels[v]) }, ...series.map((s, i) => ({
      label: s.label,
      stroke: s.colour || COLOURS[i % COLOURS.length],
      fill: s.fill || s.colour || COLOURS[i % COLOURS.length],
      width: 1,
      paths: bars(s.size || 0.6),
      points: { show: false },
    }))],
  };
  return new Chart(container, options, [labels.map((_, i) => i), ...series.map((s) => s.values)]);
}

/** Points only (no lines): the sweep's test error against size, the selected point in a second, larger series. */
export function scatterChart(container, { title, xLabel, yLabel, xs, ys, selected }) {
  const order = xs.map((_, i) => i).sort((a, b) => xs[a] - xs[b]);
  const options = {
    title,
    scales: { x: { time: false }, y: {} },
    axes: [{ label: xLabel }, { label: yLabel, size: 60 }],
    series: [
      { label: xLabel },
      { label: 'points', stroke: COLOURS[0], paths: () => null, points: { show: true, size: 8, fill: COLOURS[0] } },
      { label: 'selected', stroke: COLOURS[3], paths: () => null, points: { show: true, size: 14, width: 2, fill: 'transparent' } },
    ],
  };
  return new Chart(container, options, [
    order.map((i) => xs[i]),
    order.map((i) => ys[i]),
    order.map((i) => (i === selected ? ys[i] : null)),
  ]);
}
