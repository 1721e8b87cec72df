// The console: a single page over the public API (openapi.yaml), routed by the URL's hash.
import * as api from './api.js';
import { barChart, lineChart, scatterChart, COLOURS } from './charts.js';
import { gateProbabilities, histogram } from './gates.js';

const main = document.getElementById('main');
const FINAL = new Set(['SUCCEEDED', 'FAILED', 'CANCELLED']);
const JOB_STATES = ['QUEUED', 'RUNNING', 'SUCCEEDED', 'FAILED', 'CANCELLED'];
const DATASET_STATES = ['INGESTING', 'READY', 'FAILED'];
const PAGE_SIZE = 20;
// what a page leaves running (timers, event streams, charts) ends when another page is shown
let cleanups = [];

// ---------------------------------------------------------------------------------------------- small helpers

/** An element; attributes starting with "on" are listeners; children are nodes or text (never parsed as HTML). */
function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs || {})) {
    if (v === undefined || v === null || v === false) {
      continue;
    }
    if (k.startsWith('on')) {
      el.addEventListener(k.slice(2), v);
    } else if (k === 'class') {
      el.className = v;
    } else if (v === true) {
      el.setAttribute(k, '');
    } else {
      el.setAttribute(k, String(v));
    }
  }
  for (const c of children.flat(Infinity)) {
    if (c !== null && c !== undefined && c !== false) {
      el.append(c instanceof Node ? c : String(c));
    }
  }
  return el;
}

/** Shows a page: its parts in order, the absent ones (null, false) left out. */
function mount(...children) {
  main.replaceChildren(...children.flat(Infinity).filter((c) => c !== null && c !== undefined && c !== false));
}

const fmt = {
  int: (n) => (n === undefined || n === null ? '—' : Number(n).toLocaleString('en')),
  pct: (x, digits = 2) => (x === undefined || x === null ? '—' : `${(100 * x).toFixed(digits)} %`),
  num: (x, digits = 4) => (x === undefined || x === null || !Number.isFinite(x) ? '—' : Number(x.toPrecision(digits)).toString()),
  time: (iso) => (iso ? new Date(iso).toLocaleString() : '—'),
  bytes: (n) => {
    if (n === undefined || n === null) return '—';
    const units = ['B', 'KB', 'MB', 'GB'];
    let i = 0;
    let v = n;
    while (v >= 1024 && i < units.length - 1) {
      v /= 1024;
      i++;
    }
    return `${i === 0 ? v : v.toFixed(1)} ${units[i]}`;
  },
  shape: (s) => (s ? `[${s.join(', ')}]` : '—'),
};

/** An ISO-8601 duration (PT1H2M3.5S) in words. */
function duration(iso) {
  if (!iso) return '—';
  const m = /^P(?:(\d+)D)?(?:T(?:(\d+)H)?(?:(\d+)M)?(?:([\d.]+)S)?)?$/.exec(iso);
  if (!m) return iso;
  const [d, hh, mm, ss] = [m[1], m[2], m[3], m[4]].map((x) => (x ? Number(x) : 0));
  const parts = [];
  if (d) parts.push(`${d} d`);
  if (hh) parts.push(`${hh} h`);
  if (mm) parts.push(`${mm} min`);
  if (ss || parts.length === 0) parts.push(`${Math.round(ss)} s`);
  return parts.slice(0, 2).join(' ');
}

function stateBadge(state) {
  return h('span', { class: `state ${state}`, 'data-state': state }, state);
}

function progressBar(fraction, done) {
  const pct = Math.round(100 * Math.max(0, Math.min(1, fraction || 0)));
  return h('div', { class: `bar${done ? ' done' : ''}`, role: 'progressbar', 'aria-valuemin': 0, 'aria-valuemax': 100, 'aria-valuenow': pct },
    h('span', { style: `width:${pct}%` }), h('em', {}, `${pct} %`));
}

function problemBox(error) {
  const p = error instanceof api.ApiError ? error.problem : { title: 'Error', detail: String(error && error.message ? error.message : error) };
  const items = [];
  (p.errors || []).forEach((e) => items.push(h('li', {}, h('code', {}, e.field), ': ', e.message)));
  (p.problems || []).forEach((e) => items.push(h('li', {}, e.node ? h('code', {}, e.node) : '', e.opType ? ` (${e.opType})` : '',
    e.tensor ? [' ', h('code', {}, e.tensor)] : '', ': ', e.message)));
  return h('div', { class: 'error', role: 'alert' }, h('strong', {}, p.title || 'Error'), p.detail || '', items.length ? h('ul', {}, items) : null);
}

let toastTimer;
function toast(text) {
  const el = document.getElementById('toast');
  el.textContent = text;
  el.hidden = false;
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => { el.hidden = true; }, 5000);
}

function every(ms, fn) {
  const id = setInterval(fn, ms);
  cleanups.push(() => clearInterval(id));
}

function abortable() {
  const controller = new AbortController();
  cleanups.push(() => controller.abort());
  return controller.signal;
}

function isAbort(e) {
  return e && e.name === 'AbortError';
}

/** Previous / next over the API's page tokens (it has only next tokens: the ones seen are kept). */
function pager(onPage) {
  const tokens = [null];
  let index = 0;
  let next = null;
  const prev = h('button', { type: 'button', onclick: () => { index--; onPage(tokens[index]); } }, '← Previous');
  const nextButton = h('button', { type: 'button', onclick: () => { index++; tokens[index] = next; onPage(next); } }, 'Next →');
  const label = h('span', { class: 'muted' });
  return {
    el: h('div', { class: 'pager' }, prev, label, nextButton),
    token: () => tokens[index],
    update(nextToken) {
      next = nextToken;
      prev.disabled = index === 0;
      nextButton.disabled = !nextToken;
      label.textContent = `page ${index + 1}`;
    },
  };
}

// Field errors of a problem+json shown beside the input that sent the field (data-field), the rest above the form.
function showFieldErrors(form, error, generalBox) {
  form.querySelectorAll('.field-error').forEach((e) => e.remove());
  generalBox.replaceChildren();
  if (!error) {
    return;
  }
  const p = error instanceof api.ApiError ? error.problem : null;
  const fields = [...form.querySelectorAll('[data-field]')].filter((el) => !el.closest('[hidden]'));
  const unplaced = [];
  for (const e of (p && p.errors) || []) {
    let best = null;
    for (const el of fields) {
      const f = el.dataset.field;
      const matches = f.split(' ').some((df) => e.field === df || e.field.startsWith(`${df}.`) || e.field.startsWith(`${df}[`));
      if (matches && (!best || f.length > best.dataset.field.length)) {
        best = el;
      }
    }
    if (best) {
      best.after(h('div', { class: 'field-error', 'data-error-for': e.field }, `${e.field}: ${e.message}`));
    } else {
      unplaced.push(e);
    }
  }
  if (!p || !p.errors || unplaced.length > 0 || p.errors.length === 0) {
    const shown = p ? { ...p, errors: unplaced } : null;
    generalBox.append(problemBox(shown ? new api.ApiError(error.status, shown) : error));
  }
}

// ---------------------------------------------------------------------------------------------------- jobs

const ERROR_WORDS = {
  max_runtime_exceeded: 'It was still training when its maxRuntime ran out.',
  diverged: 'Training diverged: the loss became non-finite or stayed far above its starting value.',
  dataset_unavailable: 'Its dataset could not be read.',
  dataset_mismatch: 'Its dataset does not fit its model.',
  device_unavailable: 'The device it asked for does not exist on the worker.',
  training_failed: 'Training failed.',
  export_failed: 'Exporting the pruned model failed.',
  max_attempts_exceeded: 'It was claimed too many times: its workers kept dying or losing their leases.',
  no_better_than_chance: 'The trained model was no better than always answering the commonest class, so nothing was delivered.',
  quarantined: 'Its worker died twice while running it; it is not started again.',
  internal_error: 'The service failed internally.',
};

function jobActions(job, after) {
  const act = (verb) => async (event) => {
    event.target.disabled = true;
    try {
      const updated = await api.post(`/v1/jobs/${job.id}/${verb}`);
      toast(`${verb === 'cancel' ? 'Cancel' : 'Stop'} sent: job is ${updated.state}${updated.cancelRequested ? ' (cancel requested)' : ''}${updated.stopRequested ? ' (stop requested)' : ''}`);
    } catch (e) {
      toast(e.message);
    }
    after();
  };
  const live = !FINAL.has(job.state);
  return h('span', { class: 'actions' },
    live && !job.cancelRequested ? h('button', { type: 'button', class: 'danger', 'data-action': 'cancel', onclick: act('cancel') }, 'Cancel') : null,
    job.state === 'RUNNING' && !job.stopRequested && !job.cancelRequested ? h('button', { type: 'button', 'data-action': 'stop', onclick: act('stop') }, 'Stop') : null);
}

function jobProgressText(job) {
  const p = job.progress;
  if (!p) return job.state === 'QUEUED' ? 'waiting' : '';
  const sweep = p.sweep ? `point ${p.sweep.point + 1}/${p.sweep.points}, ` : '';
  return `${sweep}epoch ${p.epoch}/${p.epochs}`;
}

function jobFraction(job) {
  if (job.state === 'SUCCEEDED' && !job.stoppedEarly) return 1;
  return job.progress ? job.progress.fraction : 0;
}

async function jobsPage(query) {
  const state = query.get('state') || '';
  const filter = h('select', { id: 'state-filter', onchange: (e) => { location.hash = `#/jobs${e.target.value ? `?state=${e.target.value}` : ''}`; } },
    h('option', { value: '' }, 'all states'), JOB_STATES.map((s) => h('option', { value: s, selected: s === state }, s)));
  const body = h('tbody');
  const box = h('div');
  const pages = pager(() => refresh());
  mount(
    h('h1', {}, 'Jobs', h('a', { class: 'button', href: '#/submit' }, 'Submit a job')),
    h('div', { class: 'toolbar' }, h('label', { for: 'state-filter' }, 'State'), filter),
    box,
    h('table', { id: 'jobs' }, h('thead', {}, h('tr', {}, h('th', {}, 'Job'), h('th', {}, 'State'), h('th', {}, 'Progress'),
      h('th', {}, ''), h('th', {}, 'ETA'), h('th', {}, 'Created'), h('th', {}, ''))), body),
    pages.el);
  const signal = abortable();
  async function refresh() {
    const params = new URLSearchParams({ pageSize: PAGE_SIZE });
    if (state) params.set('state', state);
    if (pages.token()) params.set('pageToken', pages.token());
    try {
      const list = await api.get(`/v1/jobs?${params}`, { signal });
      box.replaceChildren();
      body.replaceChildren(...list.items.map((job) => h('tr', { 'data-job': job.id },
        h('td', {}, h('a', { href: `#/jobs/${job.id}` }, job.name || h('span', { class: 'muted' }, 'unnamed')), h('div', { class: 'muted' }, h('code', {}, job.id.slice(0, 8)))),
        h('td', {}, stateBadge(job.state)),
        h('td', { style: 'width:22%' }, progressBar(jobFraction(job), job.state === 'SUCCEEDED')),
        h('td', { class: 'muted' }, jobProgressText(job)),
        h('td', {}, job.state === 'RUNNING' && job.progress ? duration(job.progress.eta) : '—'),
        h('td', {}, fmt.time(job.createdAt)),
        h('td', {}, jobActions(job, refresh)))));
      if (list.items.length === 0) {
        body.append(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, state ? `No ${state} jobs.` : 'No jobs yet.')));
      }
      pages.update(list.nextPageToken);
    } catch (e) {
      if (!isAbort(e)) box.replaceChildren(problemBox(e));
    }
  }
  await refresh();
  every(2000, refresh);
}

/** Original units of every gated layer (dense: its inputs, conv: its filters), as progress.keptUnits lists them. */
function gatedOriginalUnits(spec) {
  const out = [];
  walkGated(spec.layers, [...spec.inputShape], out);
  return out;
}

/** Walks layers in forward order, a residual block's body included; returns the output shape. */
function walkGated(layers, shape, out) {
  for (const layer of layers) {
    switch (layer.type) {
      case 'dense':
        if (layer.gated !== false) out.push({ name: `dense ${out.length}`, units: shape.reduce((a, b) => a * b, 1) });
        shape = [layer.units];
        break;
      case 'conv2d': {
        const [, hh, ww] = shape;
        const s = layer.stride || 1;
        const p = layer.padding || 0;
        // the dilated kernel spans d·(k − 1) + 1 values
        const extent = (layer.dilation || 1) * (layer.kernel - 1) + 1;
        if (layer.gated !== false) out.push({ name: `conv ${out.length}`, units: layer.filters });
        shape = [layer.filters, Math.floor((hh + 2 * p - extent) / s) + 1, Math.floor((ww + 2 * p - extent) / s) + 1];
        break;
      }
      case 'maxpool':
      case 'avgpool': {
        const s = layer.stride || layer.size;
        const p = layer.padding || 0;
        shape = [shape[0], Math.floor((shape[1] + 2 * p - layer.size) / s) + 1,
          Math.floor((shape[2] + 2 * p - layer.size) / s) + 1];
        break;
      }
      case 'flatten':
        shape = [shape.reduce((a, b) => a * b, 1)];
        break;
      case 'globalavgpool':
        shape = [shape[0]];
        break;
      case 'residual':
        // the shortcut is never gated and gives the body's output shape
        shape = walkGated(layer.body || [], shape, out);
        break;
      default:
        // relu, dropout, batchnorm: the shape stays
    }
  }
  return shape;
}

/** The job's model spec: inline, or the preset's from the catalogue. */
async function modelSpec(job) {
  if (job.model.layers) return job.model;
  const presets = await api.get('/v1/presets');
  const preset = presets.items.find((p) => p.name === job.model.preset);
  return preset ? preset.model : null;
}

/** The curves of one run: from metrics.csv once finished, from the event stream while it runs. */
class Curves {
  constructor(container) {
    this.container = container;
    this.reset();
  }

  reset(label) {
    this.rows = [];
    this.lastStep = -1;
    this.container.replaceChildren();
    if (label) this.container.append(h('p', { class: 'muted' }, label));
    const panel = (id) => { const el = h('div', { id, class: 'card' }); this.container.append(el); return el; };
    this.loss = lineChart(panel('chart-loss'), { title: 'Train loss', xLabel: 'epoch', yLabel: 'cross-entropy', series: [{ label: 'train loss' }] });
    this.error = lineChart(panel('chart-error'), { title: 'Test error', xLabel: 'epoch', yLabel: 'error', series: [{ label: 'test error', colour: COLOURS[3] }] });
    this.size = lineChart(panel('chart-size'), { title: 'Expected size under the gates', xLabel: 'epoch', yLabel: 'count',
      series: [{ label: 'expected non-zero parameters', colour: COLOURS[2] }, { label: 'expected FLOPs', colour: COLOURS[1] }] });
    this.budgetPanel = panel('chart-budget');
    this.budgetPanel.hidden = true;
    this.budget = null;
  }

  /** rows: {x, loss, error, l0, flops, budget: {metric, target, currentTarget, expected, deterministic} | null} */
  add(row) {
    this.rows.push(row);
    this.draw();
  }

  draw() {
    const xs = this.rows.map((r) => r.x);
    const col = (f) => this.rows.map((r) => { const v = f(r); return Number.isFinite(v) ? v : null; });
    this.loss.update([xs, col((r) => r.loss)]);
    this.error.update([xs, col((r) => r.error)]);
    this.size.update([xs, col((r) => r.l0), col((r) => r.flops)]);
    const withBudget = this.rows.find((r) => r.budget);
    if (withBudget) {
      if (!this.budget) {
        this.budgetPanel.hidden = false;
        this.budget = lineChart(this.budgetPanel, { title: `Size budget (${withBudget.budget.metric} / original)`, xLabel: 'epoch', yLabel: 'fraction',
          series: [{ label: 'expected' }, { label: 'pruned now', colour: COLOURS[1] }, { label: 'ramped target', colour: COLOURS[2], dash: [6, 4] },
            { label: 'budget', colour: COLOURS[3], dash: [2, 3] }] });
      }
      const b = (f) => col((r) => (r.budget ? f(r.budget) : NaN));
      this.budget.update([xs, b((x) => x.expected), b((x) => x.deterministic), b((x) => x.currentTarget), b((x) => x.target)]);
    }
  }

  /** A progress event (or a job's progress); a repeat of the last step is skipped. */
  progress(p) {
    if (p.step <= this.lastStep) return;
    this.lastStep = p.step;
    this.add({ x: p.fraction * p.epochs, loss: p.trainLoss, error: p.testError ?? NaN, l0: p.expectedL0, flops: NaN, budget: p.budget || null });
  }

  /** metrics.csv: one row per epoch end. */
  csv(text) {
    const [header, ...lines] = text.trim().split('\n');
    const names = header.split(',');
    const at = (cells, name) => { const v = cells[names.indexOf(name)]; return v === undefined || v === '' ? NaN : Number(v); };
    for (const line of lines) {
      const c = line.split(',');
      const metric = c[names.indexOf('budget_metric')];
      this.rows.push({ x: at(c, 'epoch'), loss: at(c, 'train_loss'), error: at(c, 'test_error'), l0: at(c, 'expected_l0'), flops: at(c, 'expected_flops'),
        budget: metric ? { metric, target: at(c, 'budget_target'), currentTarget: at(c, 'budget_current_target'), expected: at(c, 'budget_expected'),
          deterministic: at(c, 'budget_deterministic') } : null });
    }
    this.draw();
  }
}

function layersChart(container, labels, original, kept) {
  container.replaceChildren();
  return barChart(container, { title: 'Units per layer: original and kept', labels, yLabel: 'units',
    series: [{ label: 'original', values: original, colour: '#c7c7c7', size: 0.7 }, { label: 'kept', values: kept, colour: COLOURS[0], size: 0.45 }] });
}

async function jobPage(id) {
  const signal = abortable();
  let job = await api.get(`/v1/jobs/${id}`, { signal });
  const title = h('h1');
  const status = h('div', { class: 'card', id: 'job-status' });
  const failure = h('div');
  const details = h('div', { class: 'card' });
  const curves = h('div', { class: 'grid', id: 'curves' });
  const layers = h('div', { class: 'card', id: 'chart-layers' });
  const gates = h('div', { class: 'card', id: 'chart-gates' });
  const sweep = h('div', { id: 'sweep' });
  const artifacts = h('div', { id: 'artifacts' });
  mount(title, status, failure, h('h2', {}, 'Training'), curves, h('div', { class: 'grid' }, layers, gates), sweep, artifacts, h('h2', {}, 'Request'), details);
  const run = new Curves(curves);
  let spec = null;
  let originals = null;
  let sweepPoint = null;

  function header() {
    title.replaceChildren(job.name || 'Job', stateBadge(job.state), jobActions(job, reload));
    const p = job.progress;
    status.replaceChildren(
      h('div', { class: 'row' },
        h('div', { style: 'flex: 3 1 300px' }, progressBar(jobFraction(job), job.state === 'SUCCEEDED')),
        h('div', { class: 'muted' }, jobProgressText(job)),
        h('div', {}, job.state === 'RUNNING' && p ? `ETA ${duration(p.eta)}` : '')),
      h('dl', { class: 'facts', style: 'margin-top:.6rem' },
        h('dt', {}, 'Id'), h('dd', {}, h('code', {}, job.id)),
        h('dt', {}, 'Created'), h('dd', {}, fmt.time(job.createdAt)),
        job.startedAt ? [h('dt', {}, 'Started'), h('dd', {}, fmt.time(job.startedAt))] : null,
        job.finishedAt ? [h('dt', {}, 'Finished'), h('dd', {}, fmt.time(job.finishedAt))] : null,
        p ? [h('dt', {}, 'Train loss'), h('dd', {}, fmt.num(p.trainLoss)), h('dt', {}, 'Test error'), h('dd', { id: 'test-error' }, p.testError === undefined ? '—' : fmt.pct(p.testError)),
          h('dt', {}, 'Kept units'), h('dd', {}, p.keptUnits.join('-'), FINAL.has(job.state) ? h('span', { class: 'muted' }, ' (at the last progress)') : null), h('dt', {}, 'Throughput'), h('dd', {}, `${fmt.int(Math.round(p.examplesPerSecond))} examples/s`)] : null,
        job.worker ? [h('dt', {}, 'Worker'), h('dd', {}, job.worker, job.attempt > 1 ? ` (attempt ${job.attempt})` : '')] : null,
        job.stoppedEarly ? [h('dt', {}, 'Stopped early'), h('dd', {}, `after ${job.epochsCompleted} epochs`)] : null));
    failure.replaceChildren();
    if (job.state === 'FAILED' && job.error) {
      failure.append(h('div', { class: 'error', id: 'job-error', role: 'alert' },
        h('strong', {}, ERROR_WORDS[job.error.code] || 'The job failed.'), h('div', {}, job.error.message), h('div', { class: 'muted' }, `code: ${job.error.code}`)));
    } else if (job.state === 'CANCELLED') {
      failure.append(h('div', { class: 'card muted' }, 'Cancelled: a cancelled job keeps no artifacts.'));
    }
  }

  function describe() {
    const model = job.model.preset ? `preset ${job.model.preset}`
      : job.model.uri ? `uploaded ${job.model.uri}, imported as ${job.model.layers.length} layers`
      : `inline, input ${fmt.shape(job.model.inputShape)}, ${job.model.layers.length} layers`;
    const t = job.training;
    details.replaceChildren(h('dl', { class: 'facts' },
      h('dt', {}, 'Model'), h('dd', {}, model),
      h('dt', {}, 'Dataset'), h('dd', {}, h('code', {}, job.dataset.uri)),
      h('dt', {}, 'Epochs'), h('dd', {}, t.epochs),
      h('dt', {}, 'Batch, learning rate'), h('dd', {}, `${t.batchSize}, ${t.learningRate}`),
      h('dt', {}, 'λ'), h('dd', {}, JSON.stringify(t.lambda)),
      t.target ? [h('dt', {}, 'Budget'), h('dd', {}, JSON.stringify(t.target))] : null,
      job.sweep ? [h('dt', {}, 'Sweep'), h('dd', {}, `${job.sweep.metric}: ${job.sweep.targets.join(', ')}`)] : null,
      h('dt', {}, 'Max runtime'), h('dd', {}, duration(job.maxRuntime))),
    h('details', {}, h('summary', {}, 'JSON'), h('pre', {}, JSON.stringify(job, null, 2))));
  }

  function liveProgress(p) {
    if (p.sweep && p.sweep.point !== sweepPoint) {
      sweepPoint = p.sweep.point;
      run.reset(`Sweep point ${p.sweep.point + 1} of ${p.sweep.points} (the curves restart with every point)`);
    }
    run.progress(p);
    if (originals && p.keptUnits.length === originals.length) {
      layersChart(layers, originals.map((o) => o.name), originals.map((o) => o.units), p.keptUnits);
    }
  }

  async function finished() {
    gates.replaceChildren(h('p', { class: 'muted' }, 'Gate probabilities: loading…'));
    const list = await api.get(`/v1/jobs/${id}/artifacts`, { signal });
    const names = new Set(list.items.map((a) => a.name));
    artifacts.replaceChildren(h('h2', {}, 'Artifacts'), h('table', { id: 'artifact-list' },
      h('thead', {}, h('tr', {}, h('th', {}, 'File'), h('th', { class: 'num' }, 'Size'), h('th', {}, 'SHA-256'))),
      h('tbody', {}, list.items.map((a) => h('tr', {},
        h('td', {}, h('a', { href: a.href, 'data-artifact': a.name, onclick: (e) => { e.preventDefault(); api.download(a.href, a.name).catch((err) => toast(err.message)); } }, a.name)),
        h('td', { class: 'num' }, fmt.bytes(a.size)), h('td', {}, h('code', { class: 'muted' }, a.sha256.slice(0, 16), '…')))))));
    if (names.has('metrics.csv')) {
      run.reset(job.sweep ? 'The selected sweep point\u2019s training (metrics.csv).' : null);
      run.csv(await api.fetchText(`/v1/jobs/${id}/artifacts/metrics.csv`, { signal }));
    }
    const result = await api.get(`/v1/jobs/${id}/result`, { signal });
    const gated = result.layers.map((l) => `${l.name} ${l.unitKind}: ${l.keptUnits}/${l.originalUnits}`);
    layersChart(layers, gated, result.layers.map((l) => l.originalUnits), result.layers.map((l) => l.keptUnits));
    status.append(h('dl', { class: 'facts', id: 'result-facts', style: 'margin-top:.6rem' },
      h('dt', {}, 'Architecture'), h('dd', {}, result.architecture),
      h('dt', {}, 'Test error (pruned)'), h('dd', {}, fmt.pct(result.testError)),
      h('dt', {}, 'Parameters'), h('dd', {}, `${fmt.int(result.parameters.pruned)} of ${fmt.int(result.parameters.dense)} (${fmt.num(result.compressionRatio, 3)}× smaller)`),
      h('dt', {}, 'FLOPs'), h('dd', {}, `${fmt.int(result.flops.pruned)} of ${fmt.int(result.flops.dense)} (${fmt.num(result.flopReduction, 3)}× fewer)`),
      h('dt', {}, 'Latency, batch 1'), h('dd', {}, `${fmt.num(result.latency.pruned.batch1.medianMicros, 3)} µs pruned, ${fmt.num(result.latency.dense.batch1.medianMicros, 3)} µs dense (ONNX Runtime)`)));
    if (names.has('pareto.json')) {
      const pareto = JSON.parse(await api.fetchText(`/v1/jobs/${id}/artifacts/pareto.json`, { signal }));
      const fraction = pareto.metric === 'flops' ? 'flopFraction' : 'parameterFraction';
      const panel = h('div', { class: 'card', id: 'chart-pareto' });
      sweep.replaceChildren(h('h2', {}, 'Sweep: accuracy against size'), panel, h('p', { class: 'muted' }, `Selected: point ${pareto.selectedPoint}: ${pareto.selection}`));
      scatterChart(panel, { title: `Test error against ${pareto.metric} (fraction of the original)`, xLabel: `${pareto.metric} / original`, yLabel: 'test error',
        xs: pareto.points.map((p) => p[fraction]), ys: pareto.points.map((p) => p.testError), selected: pareto.points.findIndex((p) => p.selected) });
    }
    const params = list.items.find((a) => a.name === 'gated-model.params');
    if (params && params.size <= 64 * 1024 * 1024) {
      const probabilities = gateProbabilities(await api.fetchBytes(params.href, { signal }), job.training.temperature);
      const all = probabilities.flat();
      const bins = 20;
      const counts = histogram(all, bins);
      gates.replaceChildren();
      barChart(gates, { title: `Gate probabilities P(z ≠ 0), ${fmt.int(all.length)} gates`, labels: counts.map((_, i) => (i % 5 === 0 ? (i / bins).toFixed(2) : '')),
        yLabel: 'gates', series: [{ label: 'gates', values: counts, colour: COLOURS[4], size: 0.9 }] });
      gates.dataset.gates = String(all.length);
      gates.append(h('p', { class: 'muted' }, 'From the log α in gated-model.params, with this job\u2019s temperature β: P(z ≠ 0) = sigmoid(log α − β·log(−γ/ζ)).'));
    } else {
      gates.replaceChildren(h('p', { class: 'muted' }, 'Gate probabilities: gated-model.params is not available.'));
    }
  }

  async function reload() {
    const fresh = await api.get(`/v1/jobs/${id}`, { signal });
    // the event stream may have shown the final state before this read's answer arrived: a job never leaves a
    // final state, so an older snapshot of it running must not draw over it (a cancel often ends a job at once)
    if (!FINAL.has(job.state) || FINAL.has(fresh.state)) {
      job = fresh;
    }
    header();
  }

  header();
  describe();
  if (job.state === 'SUCCEEDED') {
    await finished();
    return;
  }
  if (FINAL.has(job.state)) {
    curves.replaceChildren(h('p', { class: 'muted' }, 'Curves are drawn from the event stream while a job runs and from metrics.csv once it has succeeded; this job has neither.'));
    return;
  }
  spec = await modelSpec(job).catch(() => null);
  originals = spec ? gatedOriginalUnits(spec) : null;
  layers.replaceChildren(h('p', { class: 'muted' }, 'Kept units per layer appear with the first progress.'));
  gates.replaceChildren(h('p', { class: 'muted' }, 'Gate probabilities appear once the job has succeeded (from gated-model.params).'));
  if (job.progress) liveProgress(job.progress);
  // The event stream: state (the job) at the start and on changes, progress on updates; it ends after the final state.
  api.followEvents(`/v1/jobs/${id}/events`, (type, data) => {
    if (type === 'state') {
      const wasFinal = FINAL.has(job.state);
      job = { ...job, ...data };
      header();
      if (data.progress) liveProgress(data.progress);
      if (!wasFinal && job.state === 'SUCCEEDED') finished().catch((e) => { if (!isAbort(e)) failure.replaceChildren(problemBox(e)); });
    } else if (type === 'progress') {
      job = { ...job, progress: data };
      header();
      liveProgress(data);
    }
  }, signal).catch((e) => { if (!isAbort(e)) failure.replaceChildren(problemBox(e)); });
}

// -------------------------------------------------------------------------------------------------- submit

const EXAMPLE_SPEC = JSON.stringify({ inputShape: [784], layers: [{ type: 'dense', units: 32 }, { type: 'relu' }, { type: 'dense', units: 10 }] }, null, 2);

async function submitPage() {
  const signal = abortable();
  const [presets, builtin, uploaded, models] = await Promise.all([api.get('/v1/presets', { signal }), api.get('/v1/datasets/builtin', { signal }),
    api.get('/v1/datasets?state=READY&pageSize=100', { signal }), api.get('/v1/models?pageSize=100', { signal })]);
  const general = h('div');
  const radio = (name, value, label, checked) => h('label', {}, h('input', { type: 'radio', name, value, checked }), ' ', label);
  const presetSelect = h('select', { id: 'preset', 'data-field': 'model.preset model' },
    presets.items.map((p) => h('option', { value: p.name }, `${p.name} (${fmt.int(p.parameters)} parameters, input ${fmt.shape(p.model.inputShape)})`)));
  const specArea = h('textarea', { id: 'spec', rows: 9, 'data-field': 'model' }, EXAMPLE_SPEC);
  const uploadSelect = h('select', { id: 'uploaded-model', 'data-field': 'model.uri' },
    models.items.map((m) => h('option', { value: `model:${m.id}` }, `${m.name} (${fmt.int(m.parameters)} parameters, input ${fmt.shape(m.input.shape)})`)));
  const preprocessingInput = h('input', { id: 'model-preprocessing', 'data-field': 'model.preprocessing', size: 48,
    placeholder: '{"scale": 0.00392156862745098, "mean": [0.1307], "std": [0.3081]}' });
  const datasetSelect = h('select', { id: 'dataset', 'data-field': 'dataset' },
    h('optgroup', { label: 'built-in' }, builtin.items.map((d) => h('option', { value: d.uri }, `${d.name} ${fmt.shape(d.inputShape)}`))),
    h('optgroup', { label: 'uploaded' }, uploaded.items.map((d) => h('option', { value: d.uri }, `${d.name} ${d.summary ? fmt.shape(d.summary.inputShape) : ''}`))));
  const input = (id, attrs) => h('input', { id, name: id, ...attrs });
  const form = h('form', { class: 'stack', id: 'submit-form', novalidate: true },
    h('div', {}, h('label', { for: 'name' }, 'Name ', h('span', { class: 'hint' }, 'optional')), input('name', { 'data-field': 'name', maxlength: 200 })),
    h('fieldset', {}, h('legend', {}, 'Model'),
      h('div', { class: 'choices' }, radio('model-kind', 'preset', 'Preset', true), radio('model-kind', 'spec', 'Layers as JSON', false),
        radio('model-kind', 'upload', 'Uploaded model', false)),
      h('div', { id: 'model-preset' }, presetSelect),
      h('div', { id: 'model-spec', hidden: true }, specArea, h('div', { class: 'hint muted' }, 'inputShape and layers (dense, conv2d, maxpool, avgpool, relu, flatten, dropout, batchnorm, globalavgpool, residual), as in the API\u2019s InlineModel.')),
      h('div', { id: 'model-upload', hidden: true, class: 'stack' }, uploadSelect,
        h('div', {}, h('label', { for: 'model-preprocessing' }, 'Preprocessing ', h('span', { class: 'hint' }, 'optional, JSON: what the model was trained to take')), preprocessingInput),
        h('div', { class: 'hint muted' }, 'Fine-tunes the upload with L0 gates, starting from its weights with every gate open; model.onnx replaces it as it is.')),
      h('p', { class: 'hint muted' }, 'Upload ONNX models under Models.')),
    h('fieldset', {}, h('legend', {}, 'Dataset'), datasetSelect,
      h('p', { class: 'hint muted' }, 'Or ', h('a', { href: '#/datasets' }, 'upload a dataset'), '; once READY it is listed here.')),
    h('fieldset', {}, h('legend', {}, 'Sparsity'),
      h('div', { class: 'choices' }, radio('sparsity', 'lambda', 'λ', true), radio('sparsity', 'target', 'Size budget', false), radio('sparsity', 'sweep', 'Sweep of budgets', false)),
      h('div', { id: 'sparsity-lambda' }, input('lambda', { value: '0.1', 'data-field': 'training.lambda', size: 24 }),
        h('div', { class: 'hint muted' }, 'one value, or one per gated layer separated by commas')),
      h('div', { id: 'sparsity-target', hidden: true, class: 'row' },
        h('div', {}, h('select', { id: 'target-metric' }, h('option', { value: 'flops' }, 'FLOPs'), h('option', { value: 'parameters' }, 'parameters'))),
        h('div', {}, input('target', { value: '0.25', 'data-field': 'training.target', size: 8 }), h('div', { class: 'hint muted' }, 'fraction of the original, in (0, 1)'))),
      h('div', { id: 'sparsity-sweep', hidden: true, class: 'row' },
        h('div', {}, h('select', { id: 'sweep-metric' }, h('option', { value: 'flops' }, 'FLOPs'), h('option', { value: 'parameters' }, 'parameters'))),
        h('div', {}, input('sweep-targets', { value: '0.5, 0.25, 0.1', 'data-field': 'sweep', size: 24 }), h('div', { class: 'hint muted' }, 'targets, comma-separated')))),
    h('fieldset', {}, h('legend', {}, 'Training'),
      h('div', { class: 'row' },
        h('div', {}, h('label', { for: 'epochs' }, 'Epochs'), input('epochs', { type: 'number', min: 1, value: 10, 'data-field': 'training.epochs' })),
        h('div', {}, h('label', { for: 'batch-size' }, 'Batch size'), input('batch-size', { type: 'number', min: 1, placeholder: '100', 'data-field': 'training.batchSize' })),
        h('div', {}, h('label', { for: 'learning-rate' }, 'Learning rate'), input('learning-rate', { placeholder: '0.001', 'data-field': 'training.learningRate' })),
        h('div', {}, h('label', { for: 'device' }, 'Device'), input('device', { placeholder: 'auto', 'data-field': 'training.device' })))),
    general,
    h('div', {}, h('button', { type: 'submit', class: 'primary', id: 'submit' }, 'Submit job')));
  mount(h('h1', {}, 'Submit a job'), form);

  const show = (name, prefix) => form.querySelectorAll(`input[name="${name}"]`).forEach((r) => {
    document.getElementById(`${prefix}-${r.value}`).hidden = !r.checked;
  });
  form.addEventListener('change', () => { show('model-kind', 'model'); show('sparsity', 'sparsity'); });

  const numbers = (text) => text.split(',').map((s) => s.trim()).filter((s) => s !== '').map(Number);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const value = (id) => document.getElementById(id).value.trim();
    const kind = form.querySelector('input[name="model-kind"]:checked').value;
    const sparsity = form.querySelector('input[name="sparsity"]:checked').value;
    const training = {};
    let model;
    if (kind === 'preset') {
      model = { preset: presetSelect.value };
    } else if (kind === 'upload') {
      model = { uri: uploadSelect.value };
      if (preprocessingInput.value.trim() !== '') {
        try {
          model.preprocessing = JSON.parse(preprocessingInput.value);
        } catch (e) {
          showFieldErrors(form, new api.ApiError(422, { title: 'Invalid request', errors: [{ field: 'model.preprocessing', message: `not JSON: ${e.message}` }] }), general);
          return;
        }
      }
    } else {
      try {
        model = JSON.parse(specArea.value);
      } catch (e) {
        showFieldErrors(form, new api.ApiError(422, { title: 'Invalid request', errors: [{ field: 'model', message: `not JSON: ${e.message}` }] }), general);
        return;
      }
    }
    const request = { model, dataset: { uri: datasetSelect.value }, training };
    if (value('name')) request.name = value('name');
    // numbers typed are sent as typed (NaN included, as null), so the API's field errors speak about them
    const num = (text) => (text === '' ? undefined : (Number.isFinite(Number(text)) ? Number(text) : text));
    if (value('epochs') !== '') training.epochs = num(value('epochs'));
    if (value('batch-size') !== '') training.batchSize = num(value('batch-size'));
    if (value('learning-rate') !== '') training.learningRate = num(value('learning-rate'));
    if (value('device') !== '') training.device = value('device');
    if (sparsity === 'lambda' && value('lambda') !== '') {
      const l = numbers(value('lambda'));
      training.lambda = l.length === 1 ? l[0] : l;
    } else if (sparsity === 'target') {
      training.target = { [document.getElementById('target-metric').value]: num(value('target')) };
    } else if (sparsity === 'sweep') {
      request.sweep = { metric: document.getElementById('sweep-metric').value, targets: numbers(value('sweep-targets')) };
    }
    const button = document.getElementById('submit');
    button.disabled = true;
    try {
      const job = await api.post('/v1/jobs', request);
      location.hash = `#/jobs/${job.id}`;
    } catch (e) {
      showFieldErrors(form, e, general);
    } finally {
      button.disabled = false;
    }
  });
}

// ------------------------------------------------------------------------------------------------ datasets

const FORMAT_OPTIONS = {
  npz: ['layout'], npy: ['layout'], csv: ['labelColumn'], idx: [], cifar: ['labels'], 'image-folder': ['height', 'width', 'colour'],
};

function uploadProgress() {
  const bar = h('div', { id: 'upload-progress' });
  return {
    el: bar,
    set(sent, total, text) {
      bar.replaceChildren(progressBar(total ? sent / total : 0, total && sent >= total), h('div', { class: 'muted' }, text || `${fmt.bytes(sent)} of ${fmt.bytes(total)}`));
    },
  };
}

function datasetUploadForm(onDone) {
  const general = h('div');
  const progress = uploadProgress();
  const option = (key, control) => h('div', { 'data-option': key, hidden: true }, h('label', { for: `opt-${key}` }, key), control);
  const format = h('select', { id: 'format', 'data-field': 'format.format format' }, Object.keys(FORMAT_OPTIONS).map((f) => h('option', { value: f }, f)));
  const form = h('form', { class: 'stack card', id: 'dataset-upload', novalidate: true },
    h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'dataset-file' }, 'File'), h('input', { id: 'dataset-file', type: 'file', 'data-field': 'file', required: true })),
      h('div', {}, h('label', { for: 'dataset-name' }, 'Name'), h('input', { id: 'dataset-name', 'data-field': 'name', placeholder: 'the file name' })),
      h('div', {}, h('label', { for: 'format' }, 'Format'), format)),
    h('div', { class: 'row' },
      option('layout', h('select', { id: 'opt-layout', 'data-field': 'format.layout' }, h('option', {}, 'NHWC'), h('option', {}, 'NCHW'))),
      option('labelColumn', h('input', { id: 'opt-labelColumn', 'data-field': 'format.labelColumn' })),
      option('labels', h('select', { id: 'opt-labels', 'data-field': 'format.labels' }, h('option', {}, 'fine'), h('option', {}, 'coarse'))),
      option('height', h('input', { id: 'opt-height', type: 'number', min: 1, max: 1024, 'data-field': 'format.height' })),
      option('width', h('input', { id: 'opt-width', type: 'number', min: 1, max: 1024, 'data-field': 'format.width' })),
      option('colour', h('select', { id: 'opt-colour', 'data-field': 'format.colour' }, h('option', {}, 'RGB'), h('option', {}, 'GRAYSCALE')))),
    general, progress.el,
    h('div', {}, h('button', { type: 'submit', class: 'primary' }, 'Upload')));
  const showOptions = () => form.querySelectorAll('[data-option]').forEach((el) => { el.hidden = !FORMAT_OPTIONS[format.value].includes(el.dataset.option); });
  format.addEventListener('change', showOptions);
  showOptions();
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = document.getElementById('dataset-file').files[0];
    if (!file) {
      showFieldErrors(form, new api.ApiError(422, { title: 'Invalid request', errors: [{ field: 'file', message: 'choose a file' }] }), general);
      return;
    }
    const metadata = { name: document.getElementById('dataset-name').value.trim() || file.name, format: { format: format.value } };
    for (const key of FORMAT_OPTIONS[format.value]) {
      const v = document.getElementById(`opt-${key}`).value.trim();
      if (v !== '') metadata.format[key] = key === 'height' || key === 'width' ? Number(v) : v;
    }
    const body = new FormData();
    body.append('file', file);
    body.append('metadata', new Blob([JSON.stringify(metadata)], { type: 'application/json' }));
    showFieldErrors(form, null, general);
    try {
      const answer = await api.upload('/v1/datasets', body, { onProgress: (sent, total) => progress.set(sent, total) });
      progress.set(1, 1, `Received; ${answer.body.state}. Reading and checking it…`);
      onDone(answer.body);
    } catch (e) {
      progress.el.replaceChildren();
      showFieldErrors(form, e, general);
    }
  });
  return form;
}

async function datasetsPage(query) {
  const state = query.get('state') || '';
  const signal = abortable();
  const box = h('div');
  const body = h('tbody');
  const pages = pager(() => refresh());
  const filter = h('select', { id: 'dataset-state', onchange: (e) => { location.hash = `#/datasets${e.target.value ? `?state=${e.target.value}` : ''}`; } },
    h('option', { value: '' }, 'all states'), DATASET_STATES.map((s) => h('option', { value: s, selected: s === state }, s)));
  const builtin = h('tbody');
  mount(h('h1', {}, 'Datasets'),
    h('h2', {}, 'Upload'), datasetUploadForm((d) => { location.hash = `#/datasets/${d.id}`; }),
    h('h2', {}, 'Uploaded'), h('div', { class: 'toolbar' }, h('label', { for: 'dataset-state' }, 'State'), filter), box,
    h('table', { id: 'datasets' }, h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'State'), h('th', {}, 'Format'), h('th', {}, 'Input'),
      h('th', { class: 'num' }, 'Examples'), h('th', { class: 'num' }, 'Classes'), h('th', { class: 'num' }, 'Size'), h('th', {}, 'Uploaded'))), body), pages.el,
    h('h2', {}, 'Built-in'), h('table', {}, h('thead', {}, h('tr', {}, h('th', {}, 'URI'), h('th', {}, 'Input'))), builtin));
  api.get('/v1/datasets/builtin', { signal }).then((list) => builtin.replaceChildren(...list.items.map((d) => h('tr', {}, h('td', {}, h('code', {}, d.uri)), h('td', {}, fmt.shape(d.inputShape))))))
    .catch((e) => { if (!isAbort(e)) box.replaceChildren(problemBox(e)); });
  async function refresh() {
    const params = new URLSearchParams({ pageSize: PAGE_SIZE });
    if (state) params.set('state', state);
    if (pages.token()) params.set('pageToken', pages.token());
    try {
      const list = await api.get(`/v1/datasets?${params}`, { signal });
      box.replaceChildren();
      body.replaceChildren(...list.items.map((d) => h('tr', { 'data-dataset': d.id },
        h('td', {}, h('a', { href: `#/datasets/${d.id}` }, d.name)), h('td', {}, stateBadge(d.state)), h('td', {}, d.format.format),
        h('td', {}, d.summary ? fmt.shape(d.summary.inputShape) : '—'),
        h('td', { class: 'num' }, d.summary ? fmt.int(d.summary.splits.reduce((n, s) => n + s.examples, 0)) : '—'),
        h('td', { class: 'num' }, d.summary ? d.summary.classes.length : '—'), h('td', { class: 'num' }, fmt.bytes(d.upload.sizeBytes)), h('td', {}, fmt.time(d.createdAt)))));
      if (list.items.length === 0) body.append(h('tr', {}, h('td', { colspan: 8, class: 'muted' }, 'None.')));
      pages.update(list.nextPageToken);
    } catch (e) {
      if (!isAbort(e)) box.replaceChildren(problemBox(e));
    }
  }
  await refresh();
  every(3000, refresh);
}

async function datasetPage(id) {
  const signal = abortable();
  const box = h('div');
  mount(h('p', { class: 'muted' }, 'Loading…'));
  async function render() {
    const d = await api.get(`/v1/datasets/${id}`, { signal });
    const s = d.summary;
    const splitNames = s ? s.splits.map((x) => x.name) : [];
    mount(
      h('h1', {}, d.name, stateBadge(d.state), h('button', { type: 'button', class: 'danger', onclick: async () => {
        try {
          await api.del(`/v1/datasets/${id}`);
          location.hash = '#/datasets';
        } catch (e) {
          box.replaceChildren(problemBox(e));
        }
      } }, 'Delete')),
      box,
      d.state === 'FAILED' ? h('div', { class: 'error', id: 'dataset-failure' }, h('strong', {}, 'Ingestion failed'), d.failureReason) : null,
      h('div', { class: 'card' }, h('dl', { class: 'facts' },
        h('dt', {}, 'URI'), h('dd', {}, h('code', {}, d.uri), ' (a job\u2019s dataset.uri)'),
        h('dt', {}, 'Format'), h('dd', {}, JSON.stringify(d.format)),
        h('dt', {}, 'Upload'), h('dd', {}, `${fmt.bytes(d.upload.sizeBytes)}, SHA-256 `, h('code', {}, d.upload.sha256.slice(0, 16)), '…'),
        s ? [h('dt', {}, 'Input shape'), h('dd', {}, fmt.shape(s.inputShape)), h('dt', {}, 'Stored as'), h('dd', {}, s.dtype),
          h('dt', {}, 'Splits'), h('dd', {}, s.splits.map((x) => `${x.name}: ${fmt.int(x.examples)}`).join(', ')),
          h('dt', {}, `Mean (${s.statistics.over})`), h('dd', {}, s.statistics.mean.slice(0, 8).map((v) => fmt.num(v, 3)).join(', '), s.statistics.mean.length > 8 ? ' …' : ''),
          h('dt', {}, 'Std'), h('dd', {}, s.statistics.std.slice(0, 8).map((v) => fmt.num(v, 3)).join(', '), s.statistics.std.length > 8 ? ' …' : '')] : null)),
      s ? [h('h2', {}, `Classes (${s.classes.length})`), h('table', { id: 'classes' },
        h('thead', {}, h('tr', {}, h('th', {}, 'Index'), h('th', {}, 'Name'), splitNames.map((n) => h('th', { class: 'num' }, n)))),
        h('tbody', {}, s.classes.map((c) => h('tr', {}, h('td', {}, c.index), h('td', {}, c.name), splitNames.map((n) => h('td', { class: 'num' }, fmt.int(c.counts[n] || 0)))))))] : null);
    return d.state;
  }
  let state = await render();
  if (state === 'INGESTING') {
    every(1000, async () => {
      if (state === 'INGESTING') state = await render().catch(() => state);
    });
  }
}

// -------------------------------------------------------------------------------------------------- models

function modelUploadForm(onDone) {
  const general = h('div');
  const progress = uploadProgress();
  const form = h('form', { class: 'stack card', id: 'model-upload', novalidate: true },
    h('div', { class: 'row' },
      h('div', {}, h('label', { for: 'model-file' }, 'ONNX file'), h('input', { id: 'model-file', type: 'file', accept: '.onnx', 'data-field': 'file' })),
      h('div', {}, h('label', { for: 'model-name' }, 'Name'), h('input', { id: 'model-name', 'data-field': 'name', placeholder: 'the file name' }))),
    general, progress.el, h('div', {}, h('button', { type: 'submit', class: 'primary' }, 'Upload')));
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const file = document.getElementById('model-file').files[0];
    if (!file) {
      showFieldErrors(form, new api.ApiError(422, { title: 'Invalid request', errors: [{ field: 'file', message: 'choose a file' }] }), general);
      return;
    }
    const body = new FormData();
    body.append('file', file);
    const name = document.getElementById('model-name').value.trim();
    if (name) body.append('name', name);
    showFieldErrors(form, null, general);
    try {
      const answer = await api.upload('/v1/models', body, { onProgress: (sent, total) => progress.set(sent, total) });
      onDone(answer.body);
    } catch (e) {
      progress.el.replaceChildren();
      showFieldErrors(form, e, general);
    }
  });
  return form;
}

async function modelsPage() {
  const signal = abortable();
  const box = h('div');
  const body = h('tbody');
  const pages = pager(() => refresh());
  mount(h('h1', {}, 'Models'), h('h2', {}, 'Upload'), modelUploadForm((m) => { location.hash = `#/models/${m.id}`; }),
    h('h2', {}, 'Uploaded'), box,
    h('table', { id: 'models' }, h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Input'), h('th', { class: 'num' }, 'Parameters'),
      h('th', { class: 'num' }, 'FLOPs'), h('th', { class: 'num' }, 'Layers'), h('th', {}, 'Producer'), h('th', {}, 'Uploaded'))), body), pages.el);
  async function refresh() {
    const params = new URLSearchParams({ pageSize: PAGE_SIZE });
    if (pages.token()) params.set('pageToken', pages.token());
    try {
      const list = await api.get(`/v1/models?${params}`, { signal });
      body.replaceChildren(...list.items.map((m) => h('tr', { 'data-model': m.id }, h('td', {}, h('a', { href: `#/models/${m.id}` }, m.name)),
        h('td', {}, fmt.shape(m.input.shape)), h('td', { class: 'num' }, fmt.int(m.parameters)), h('td', { class: 'num' }, fmt.int(m.flops)),
        h('td', { class: 'num' }, m.layers.length), h('td', {}, m.producer || '—'), h('td', {}, fmt.time(m.createdAt)))));
      if (list.items.length === 0) body.append(h('tr', {}, h('td', { colspan: 7, class: 'muted' }, 'None.')));
      pages.update(list.nextPageToken);
    } catch (e) {
      if (!isAbort(e)) box.replaceChildren(problemBox(e));
    }
  }
  await refresh();
}

async function modelPage(id) {
  const signal = abortable();
  const m = await api.get(`/v1/models/${id}`, { signal });
  const box = h('div');
  mount(
    h('h1', {}, m.name, stateBadge(m.state),
      h('button', { type: 'button', onclick: () => api.download(`/v1/models/${id}/onnx`, `${m.name.replace(/\.onnx$/, '')}.onnx`).catch((e) => toast(e.message)) }, 'Download ONNX'),
      h('button', { type: 'button', class: 'danger', onclick: async () => {
        try {
          await api.del(`/v1/models/${id}`);
          location.hash = '#/models';
        } catch (e) {
          box.replaceChildren(problemBox(e));
        }
      } }, 'Delete')),
    box,
    h('div', { class: 'card' }, h('dl', { class: 'facts' },
      h('dt', {}, 'URI'), h('dd', {}, h('code', {}, m.uri)),
      h('dt', {}, 'Input'), h('dd', {}, `${m.input.name} ${fmt.shape(m.input.shape)}`),
      h('dt', {}, 'Outputs'), h('dd', {}, m.outputs.map((o) => `${o.name} ${fmt.shape(o.shape)}`).join(', ')),
      h('dt', {}, 'Parameters'), h('dd', {}, fmt.int(m.parameters)),
      h('dt', {}, 'FLOPs'), h('dd', {}, fmt.int(m.flops)),
      h('dt', {}, 'ONNX'), h('dd', {}, `IR ${m.irVersion}, opset ${m.opset}${m.producer ? `, written by ${m.producer}` : ''}`),
      h('dt', {}, 'File'), h('dd', {}, `${fmt.bytes(m.upload.sizeBytes)}, SHA-256 `, h('code', {}, m.upload.sha256.slice(0, 16)), '…'))),
    h('h2', {}, `Layers (${m.layers.length})`),
    h('table', { id: 'model-layers' }, h('thead', {}, h('tr', {}, h('th', {}, 'Name'), h('th', {}, 'Kind'), h('th', {}, 'Operator'), h('th', {}, 'Input'), h('th', {}, 'Output'),
      h('th', { class: 'num' }, 'Parameters'), h('th', { class: 'num' }, 'FLOPs'))),
    h('tbody', {}, m.layers.map((l) => h('tr', {}, h('td', {}, h('code', {}, l.name)), h('td', {}, l.kind), h('td', {}, l.opType), h('td', {}, fmt.shape(l.inputShape)),
      h('td', {}, fmt.shape(l.outputShape)), h('td', { class: 'num' }, fmt.int(l.parameters)), h('td', { class: 'num' }, fmt.int(l.flops)))))),
    h('h2', {}, 'Where gates could sit'),
    h('table', { id: 'gate-groups' }, h('thead', {}, h('tr', {}, h('th', {}, 'Layer'), h('th', {}, 'Kind'), h('th', { class: 'num' }, 'Units'), h('th', {}, 'Gateable'), h('th', {}, 'Why'))),
      h('tbody', {}, m.gateGroups.map((g) => h('tr', {}, h('td', {}, h('code', {}, g.layer)), h('td', {}, g.kind), h('td', { class: 'num' }, g.size), h('td', {}, g.gateable ? 'yes' : 'no'), h('td', {}, g.reason))))));
}

// -------------------------------------------------------------------------------------------------- routing

// Ids in a route are taken only in the shape the API gives them out (letters, digits, '-', '_'), never decoded: a
// link such as #/models/..%2Fdatasets%2FID would otherwise make the page's buttons act on another resource's path.
const ROUTES = [
  [/^#?\/?(?:jobs)?$/, 'jobs', (m, q) => jobsPage(q)],
  [/^#\/jobs\/([A-Za-z0-9_-]+)$/, 'jobs', (m) => jobPage(m[1])],
  [/^#\/submit$/, 'submit', () => submitPage()],
  [/^#\/datasets$/, 'datasets', (m, q) => datasetsPage(q)],
  [/^#\/datasets\/([A-Za-z0-9_-]+)$/, 'datasets', (m) => datasetPage(m[1])],
  [/^#\/models$/, 'models', () => modelsPage()],
  [/^#\/models\/([A-Za-z0-9_-]+)$/, 'models', (m) => modelPage(m[1])],
];

async function route() {
  cleanups.forEach((c) => c());
  cleanups = [];
  const [path, search] = location.hash.split('?');
  const query = new URLSearchParams(search || '');
  for (const [pattern, nav, page] of ROUTES) {
    const m = pattern.exec(path);
    if (m) {
      document.querySelectorAll('[data-nav]').forEach((a) => a.classList.toggle('active', a.dataset.nav === nav));
      mount(h('p', { class: 'muted' }, 'Loading…'));
      try {
        await page(m, query);
      } catch (e) {
        if (!isAbort(e)) mount(problemBox(e));
      }
      return;
    }
  }
  mount(h('h1', {}, 'Not found'), h('p', {}, h('a', { href: '#/jobs' }, 'Jobs')));
}

const keyForm = document.getElementById('key-form');
const keyInput = document.getElementById('api-key');
keyInput.value = api.apiKey();
keyForm.addEventListener('submit', (event) => {
  event.preventDefault();
  api.setApiKey(keyInput.value.trim());
  document.getElementById('auth').hidden = true;
  route();
});
api.onUnauthorized(() => {
  document.getElementById('auth').hidden = false;
  keyInput.focus();
});
window.addEventListener('hashchange', route);
route();
