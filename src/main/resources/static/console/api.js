// The public HTTP API (openapi.yaml) as the console uses it. Every request carries the API key, when one is set,
// as a Bearer token; that is why the event stream is read with fetch() and not EventSource, which cannot send
// headers.

const KEY = 'l0.apiKey';

export function apiKey() {
  return sessionStorage.getItem(KEY) || '';
}

export function setApiKey(value) {
  if (value) {
    sessionStorage.setItem(KEY, value);
  } else {
    sessionStorage.removeItem(KEY);
  }
}

/** An error answer of the API: the RFC 9457 problem when the body is one, else a problem made from the status. */
export class ApiError extends Error {
  constructor(status, problem) {
    super(problem.detail || problem.title || `HTTP ${status}`);
    this.status = status;
    this.problem = problem;
  }
}

const listeners = new Set();

/** Called with every 401, so that the page can ask for a key. */
export function onUnauthorized(listener) {
  listeners.add(listener);
}

function headers(extra = {}) {
  const h = { ...extra };
  const key = apiKey();
  if (key) {
    h.Authorization = `Bearer ${key}`;
  }
  return h;
}

async function problemOf(response) {
  const text = await response.text();
  try {
    const body = JSON.parse(text);
    if (body && typeof body === 'object') {
      return body;
    }
  } catch {
    // not JSON: described below
  }
  return { title: response.statusText || `HTTP ${response.status}`, status: response.status, detail: text.slice(0, 300) };
}

async function fail(response) {
  const problem = await problemOf(response);
  if (response.status === 401) {
    listeners.forEach((l) => l(problem));
  }
  throw new ApiError(response.status, problem);
}

/** Sends a request; resolves to the parsed JSON body (null for 204), rejects with an ApiError. */
export async function request(method, path, { body, headers: extra, signal } = {}) {
  const init = { method, headers: headers({ Accept: 'application/json', ...extra }), signal };
  if (body !== undefined) {
    init.body = JSON.stringify(body);
    init.headers['Content-Type'] = 'application/json';
  }
  const response = await fetch(path, init);
  if (!response.ok) {
    await fail(response);
  }
  if (response.status === 204) {
    return null;
  }
  return response.json();
}

export const get = (path, options) => request('GET', path, options);
export const post = (path, body, options) => request('POST', path, { ...options, body });
export const del = (path) => request('DELETE', path);

/** A file's bytes (artifacts), or null when it does not exist. */
export async function fetchBytes(path, { signal } = {}) {
  const response = await fetch(path, { headers: headers(), signal });
  if (response.status === 404) {
    return null;
  }
  if (!response.ok) {
    await fail(response);
  }
  return response.arrayBuffer();
}

export async function fetchText(path, options) {
  const bytes = await fetchBytes(path, options);
  return bytes === null ? null : new TextDecoder().decode(bytes);
}

/** Downloads a file as the browser would a link, with the key sent as a header: fetched as a blob, then saved. */
export async function download(path, filename) {
  const response = await fetch(path, { headers: headers() });
  if (!response.ok) {
    await fail(response);
  }
  const blob = await response.blob();
  const url = URL.createObjectURL(blob);
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/**
 * Follows a Server-Sent Events stream. onEvent(type, data) gets each event with its JSON data parsed; the promise
 * ends with the stream (the server closes it after a job's final state) or when signal aborts.
 */
export async function followEvents(path, onEvent, signal) {
  const response = await fetch(path, { headers: headers({ Accept: 'text/event-stream' }), signal });
  if (!response.ok) {
    await fail(response);
  }
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  let type = 'message';
  let data = [];
  for (;;) {
    const { value, done } = await reader.read();
    if (done) {
      return;
    }
    buffer += value;
    let end;
    // one line at a time; an empty line dispatches the event (the SSE rules, comments and ids ignored)
    while ((end = buffer.search(/\r\n|\r|\n/)) >= 0) {
      const line = buffer.slice(0, end);
      buffer = buffer.slice(end + (buffer.startsWith('\r\n', end) ? 2 : 1));
      if (line === '') {
        if (data.length > 0) {
          onEvent(type, JSON.parse(data.join('\n')));
        }
        type = 'message';
        data = [];
      } else if (line.startsWith(':')) {
        // a heartbeat
      } else {
        const colon = line.indexOf(':');
        const field = colon < 0 ? line : line.slice(0, colon);
        let v = colon < 0 ? '' : line.slice(colon + 1);
        if (v.startsWith(' ')) {
          v = v.slice(1);
        }
        if (field === 'event') {
          type = v;
        } else if (field === 'data') {
          data.push(v);
        }
      }
    }
  }
}

/**
 * Uploads with XMLHttpRequest, the one browser API that reports upload progress: onProgress(sentBytes, total).
 * Resolves to { status, body, location }; rejects with an ApiError for an error answer.
 */
export function upload(path, body, { contentType, onProgress } = {}) {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', path);
    const h = headers({ Accept: 'application/json' });
    if (contentType) {
      h['Content-Type'] = contentType;
    }
    Object.entries(h).forEach(([k, v]) => xhr.setRequestHeader(k, v));
    xhr.upload.onprogress = (e) => onProgress && onProgress(e.loaded, e.lengthComputable ? e.total : 0);
    xhr.onerror = () => reject(new ApiError(0, { title: 'Network error', detail: 'the upload did not reach the service' }));
    xhr.onload = () => {
      let parsed = null;
      try {
        parsed = JSON.parse(xhr.responseText);
      } catch {
        parsed = { title: `HTTP ${xhr.status}`, detail: xhr.responseText.slice(0, 300) };
      }
      if (xhr.status >= 200 && xhr.status < 300) {
        resolve({ status: xhr.status, body: parsed, location: xhr.getResponseHeader('Location') });
      } else {
        if (xhr.status === 401) {
          listeners.forEach((l) => l(parsed));
        }
        reject(new ApiError(xhr.status, parsed));
      }
    };
    xhr.send(body);
  });
}
