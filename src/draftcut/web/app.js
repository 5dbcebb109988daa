// draftcut's web page: the drafts list, a draft's timeline with a live preview, light edits, rendering.
// A plain ES module with no dependencies. It calls the same JSON API as any other client, by relative
// URLs, so the page also works behind a proxy that serves draftcut under a path prefix.

const API = "openapi/capcut-mate/v1/";
const KEY_STORAGE = "draftcut.apiKey";
const LABEL_WIDTH = 120; // px of the track-name column; --label-w in style.css
const PAGE_SIZE = 50;
const PREVIEW_CACHE_SIZE = 48;
const PREVIEW_MAX_WIDTH = 720;
const POLL_MS = 500;
const DRAG_THRESHOLD_PX = 4;
const $ = (id) => document.getElementById(id);

// ---------------------------------------------------------------- formatting

/** µs → "m:ss.cc". */
function formatTime(us) {
  const cs = Math.round(Math.max(0, us) / 10_000);
  const minutes = Math.floor(cs / 6000);
  const seconds = ((cs % 6000) / 100).toFixed(2).padStart(5, "0");
  return `${minutes}:${seconds}`;
}

function formatDate(epochSeconds) {
  return new Date(epochSeconds * 1000).toLocaleString();
}

function el(tag, props = {}, ...children) {
  const node = Object.assign(document.createElement(tag), props);
  node.append(...children.filter((c) => c !== null && c !== undefined));
  return node;
}

// ---------------------------------------------------------------- messages

/** One message at a time; confirmations go away by themselves, problems stay until dismissed. */
const banner = {
  timer: null,

  show(text, { ok = false, retry = null } = {}) {
    clearTimeout(this.timer);
    if (ok) this.timer = setTimeout(() => this.hide(), 5000);
    $("banner-text").textContent = text;
    $("banner").classList.toggle("ok", ok);
    $("banner-retry").hidden = !retry;
    $("banner-retry").onclick = retry;
    $("banner").hidden = false;
  },
  hide() {
    $("banner").hidden = true;
  },
};

// ---------------------------------------------------------------- API client

/** A refused call: `message` is the API's `detail`, what a person needs to read. `status` 0: no answer. */
class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

const UNREACHABLE = "Cannot reach the draftcut server. Check that it is running, then retry.";

async function errorOf(resp) {
  let body = null;
  try {
    body = await resp.json();
  } catch {
    // not JSON: the status line says it all
  }
  const detail = body?.detail || body?.message || `HTTP ${resp.status} ${resp.statusText}`;
  return new ApiError(resp.status, body?.code ?? resp.status, String(detail));
}

/** Asks for an API key once; every request that met a 401 meanwhile waits on the same answer. */
const keyDialog = {
  pending: null,
  ask(reason) {
    if (this.pending) return this.pending;
    this.pending = new Promise((resolve) => {
      const dialog = $("key-dialog");
      $("key-reason").textContent = reason;
      $("key-input").value = "";
      const done = (saved) => {
        dialog.close();
        this.pending = null;
        resolve(saved);
      };
      $("key-form").onsubmit = (ev) => {
        ev.preventDefault();
        api.setKey($("key-input").value.trim());
        done(true);
      };
      $("key-cancel").onclick = () => done(false);
      dialog.oncancel = (ev) => {
        ev.preventDefault();
        done(false);
      };
      dialog.showModal();
    });
    return this.pending;
  },
};

const api = {
  key: localStorage.getItem(KEY_STORAGE) || "",

  setKey(key) {
    this.key = key;
    localStorage.setItem(KEY_STORAGE, key);
    $("key-button").hidden = !key;
  },

  /** fetch with the key; a 401 asks for a (new) key and tries again; any other failure is an ApiError. */
  async fetch(path, init = {}) {
    for (;;) {
      const headers = new Headers(init.headers || {});
      if (this.key) headers.set("Authorization", `Bearer ${this.key}`);
      let resp;
      try {
        resp = await fetch(path, { ...init, headers });
      } catch (err) {
        if (err.name === "AbortError") throw err;
        throw new ApiError(0, 0, UNREACHABLE);
      }
      if (resp.ok) return resp;
      const error = await errorOf(resp);
      if (resp.status !== 401) throw error;
      const reason = this.key ? `The server refused the saved key (${error.message}).`
        : "This server requires an API key.";
      if (!(await keyDialog.ask(reason))) throw error;
    }
  },

  async json(resp) {
    const data = await resp.json();
    if (data.code !== 0) throw new ApiError(resp.status, data.code, data.detail || data.message);
    return data;
  },

  async get(name, params) {
    return this.json(await this.fetch(`${API}${name}?${new URLSearchParams(params)}`));
  },

  async post(name, body) {
    const init = { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) };
    return this.json(await this.fetch(API + name, init));
  },

  async blob(path, signal) {
    return (await this.fetch(path, { signal })).blob();
  },
};

// ---------------------------------------------------------------- the drafts list

const draftList = {
  page: 1,

  async show() {
    document.title = "draftcut";
    $("draft-title").textContent = "";
    $("list-view").hidden = false;
    $("draft-view").hidden = true;
    try {
      this.draw(await api.get("list_drafts", { page: this.page, page_size: PAGE_SIZE }));
    } catch (err) {
      this.say(err.message);
      if (err.status === 0) banner.show(err.message, { retry: () => this.show() });
    }
  },

  say(text) {
    $("list-message").textContent = text;
    $("list-message").hidden = !text;
  },

  draw(data) {
    banner.hide();
    const pages = Math.max(1, Math.ceil(data.total / PAGE_SIZE));
    $("list-total").textContent = `${data.total} draft${data.total === 1 ? "" : "s"}`;
    $("page-info").textContent = `page ${this.page} of ${pages}`;
    $("prev-page").disabled = this.page <= 1;
    $("next-page").disabled = this.page >= pages;
    this.say(data.total ? "" : "No drafts yet: make one with create_draft, then add media with add_videos.");
    $("draft-rows").replaceChildren(...data.drafts.map((d) => el("tr", { className: "draft-row" },
      el("td", {}, el("a", { href: `#${d.draft_id}`, textContent: d.draft_id })),
      el("td", { textContent: `${d.width}×${d.height}` }),
      el("td", { textContent: formatTime(d.duration) }),
      el("td", { textContent: String(d.segments), className: "segment-count" }),
      el("td", { textContent: d.app }),
      el("td", { textContent: formatDate(d.modified) }))));
  },

  turn(delta) {
    this.page = Math.max(1, this.page + delta);
    this.show();
  },
};

// ---------------------------------------------------------------- the preview frame

/**
 * Shows the frame at the playhead. Never more than one request in flight: positions asked for meanwhile
 * replace each other and only the latest is fetched next. Frames are kept by time, a few dozen at most.
 */
class PreviewLoader {
  constructor(img) {
    this.img = img;
    this.cache = new Map(); // "<draft>@<seconds>" → object URL, oldest first
    this.busy = false;
    this.wanted = null;
    this.latest = ""; // the position last asked for
    this.generation = 0;
  }

  show(draftId, seconds) {
    const key = `${draftId}@${seconds}`;
    this.latest = key;
    const url = this.cache.get(key);
    if (url) {
      this.cache.delete(key); // refresh its place: most recently used last
      this.cache.set(key, url);
      this.display(url, seconds);
      this.wanted = null;
      return;
    }
    this.wanted = { draftId, seconds, key };
    this.pump();
  }

  /** Forget every frame (after an edit, or for another draft); a request in flight is not shown. */
  clear() {
    this.generation += 1;
    this.wanted = null;
    for (const url of this.cache.values()) if (url !== this.img.src) URL.revokeObjectURL(url);
    this.cache.clear();
  }

  /** Another draft: no frame of the last one stays on screen. */
  reset() {
    this.clear();
    if (this.img.src.startsWith("blob:")) URL.revokeObjectURL(this.img.src);
    this.img.removeAttribute("src");
    delete this.img.dataset.at;
    $("preview-state").textContent = "";
  }

  width() {
    const css = this.img.clientWidth || 360;
    const px = Math.ceil((css * (window.devicePixelRatio || 1)) / 2) * 2;
    return Math.max(16, Math.min(PREVIEW_MAX_WIDTH, px)); // the server takes 16 and up
  }

  async pump() {
    if (this.busy || !this.wanted) return;
    const { draftId, seconds, key } = this.wanted;
    const generation = this.generation;
    this.wanted = null;
    this.busy = true;
    $("preview-state").textContent = "loading…";
    try {
      const params = new URLSearchParams({ draft_id: draftId, at: String(seconds), width: String(this.width()) });
      const url = URL.createObjectURL(await api.blob(`${API}preview?${params}`));
      if (generation !== this.generation) {
        URL.revokeObjectURL(url);
      } else {
        this.remember(key, url);
        // While scrubbing, any fresh frame is better than none; once the playhead rests, only its own.
        if (key === this.latest || this.wanted) this.display(url, seconds);
      }
    } catch (err) {
      if (generation === this.generation) $("preview-state").textContent = `preview failed: ${err.message}`;
    } finally {
      this.busy = false;
      if (!this.wanted && $("preview-state").textContent === "loading…") $("preview-state").textContent = "";
      this.pump();
    }
  }

  remember(key, url) {
    this.cache.set(key, url);
    while (this.cache.size > PREVIEW_CACHE_SIZE) {
      const [oldKey, oldUrl] = this.cache.entries().next().value;
      this.cache.delete(oldKey);
      if (oldUrl !== this.img.src) URL.revokeObjectURL(oldUrl);
    }
  }

  display(url, seconds) {
    this.img.src = url;
    this.img.dataset.at = String(seconds);
  }
}

// ---------------------------------------------------------------- the open draft

const editor = {
  draftId: "",
  timeline: null,
  selectedId: null,
  pxPerSecond: 100,
  timeUs: 0,
  preview: null,

  get fps() {
    return this.timeline?.fps || 30;
  },

  get frameUs() {
    return 1_000_000 / this.fps;
  },

  async open(draftId) {
    $("list-view").hidden = true;
    $("draft-view").hidden = false;
    document.title = `${draftId} · draftcut`;
    $("draft-title").textContent = draftId;
    if (draftId !== this.draftId) {
      this.draftId = draftId;
      this.timeline = null;
      this.selectedId = null;
      this.timeUs = 0;
      this.preview.reset();
      renderPanel.reset();
    }
    if (await this.reload({ fit: true })) renderPanel.resume();
  },

  /** Re-read the timeline and redraw everything; false when the draft cannot be shown. */
  async reload({ fit = false } = {}) {
    const draftId = this.draftId;
    let timeline;
    try {
      timeline = await api.post("get_timeline", { draft_url: draftId });
    } catch (err) {
      if (draftId === this.draftId) this.fail(err);
      return false;
    }
    if (draftId !== this.draftId) return false;
    this.timeline = timeline;
    const empty = !timeline.tracks.some((t) => t.segments.length);
    this.say(empty ? "This draft is empty: it has no segments yet. Add media with add_videos, add_images, "
      + "add_audios or add_captions, then reload the page." : "");
    $("draft-body").hidden = false;
    $("render-button").disabled = empty;
    if (fit) this.fit();
    this.draw();
    this.preview.clear();
    this.setTime(this.timeUs);
    return true;
  },

  fail(err) {
    this.timeline = null;
    $("draft-body").hidden = true;
    if (err.status === 0) {
      this.say(UNREACHABLE);
      banner.show(err.message, { retry: () => this.open(this.draftId) });
    } else if (err.code === 2001) {
      this.say(`Draft “${this.draftId}” was not found or cannot be read (code 2001): ${err.message}`);
    } else {
      this.say(`This draft cannot be shown (code ${err.code}): ${err.message}`);
    }
  },

  say(text) {
    $("draft-message").textContent = text;
    $("draft-message").hidden = !text;
  },

  durationUs() {
    return Math.max(this.timeline?.duration || 0, 1_000_000);
  },

  usToPx(us) {
    return (us / 1_000_000) * this.pxPerSecond;
  },

  /** Snap a time to the draft's frame grid, as whole µs. */
  snap(us) {
    return Math.max(0, Math.round(Math.round(us / this.frameUs) * this.frameUs));
  },

  fit() {
    const width = ($("timeline").clientWidth || 800) - LABEL_WIDTH - 40;
    this.zoomTo(width / (this.durationUs() / 1_000_000));
  },

  zoomTo(pxPerSecond) {
    this.pxPerSecond = Math.min(2000, Math.max(2, pxPerSecond));
    $("zoom-level").textContent = `${Math.round(this.pxPerSecond)} px/s`;
  },

  zoom(factor) {
    this.zoomTo(this.pxPerSecond * factor);
    this.draw();
    const timeline = $("timeline");
    timeline.scrollLeft = LABEL_WIDTH + this.usToPx(this.timeUs) - timeline.clientWidth / 2;
  },

  draw() {
    if (!this.timeline) return;
    timelineView.draw(this.timeline);
    details.draw();
  },

  segment(id) {
    for (const track of this.timeline?.tracks || []) {
      const seg = track.segments.find((s) => s.id === id);
      if (seg) return { track, seg };
    }
    return null;
  },

  select(id) {
    this.selectedId = id;
    for (const node of document.querySelectorAll(".segment")) {
      const on = node.dataset.id === id;
      node.classList.toggle("selected", on);
      node.setAttribute("aria-pressed", String(on));
    }
    details.draw();
  },

  /** Move the playhead (clamped to the last frame) and ask for its frame. */
  setTime(us) {
    const last = Math.max(0, (this.timeline?.duration || 0) - this.frameUs);
    this.timeUs = Math.min(this.snap(us), this.snap(last));
    $("playhead").style.left = `${LABEL_WIDTH + this.usToPx(this.timeUs)}px`;
    $("time-display").textContent = formatTime(this.timeUs);
    $("preview-time").textContent = formatTime(this.timeUs);
    if (this.timeline && this.timeline.tracks.some((t) => t.segments.length)) {
      this.preview.show(this.draftId, Number((this.timeUs / 1_000_000).toFixed(3)));
    }
  },

  /** The timeline time under a pointer's x. */
  timeAt(clientX) {
    const left = $("timeline-inner").getBoundingClientRect().left + LABEL_WIDTH;
    return ((clientX - left) / this.pxPerSecond) * 1_000_000;
  },

  /** Run one edit, say how it went, and re-read the draft whatever happened (a refusal snaps boxes back). */
  async edit(name, body, done) {
    banner.hide();
    $("timeline").setAttribute("aria-busy", "true");
    let message;
    try {
      await api.post(name, { draft_url: this.draftId, ...body });
      message = [done, { ok: true }];
    } catch (err) {
      message = [`The edit was refused${err.code ? ` (code ${err.code})` : ""}: ${err.message}`];
    }
    await this.reload();
    $("timeline").setAttribute("aria-busy", "false");
    banner.show(...message);
  },
};

// ---------------------------------------------------------------- drawing the timeline

const TRACK_KINDS = new Set(["video", "audio", "text", "sticker", "effect", "filter"]);

function segmentName(track, seg) {
  if (typeof seg.text === "string") return seg.text || "(empty caption)";
  return seg.material?.name || seg.attached?.[0]?.name || seg.material?.type || track.type || "segment";
}

const timelineView = {
  draw(timeline) {
    const width = LABEL_WIDTH + editor.usToPx(editor.durationUs()) + 60;
    $("timeline-inner").style.width = `${width}px`;
    $("duration-display").textContent = formatTime(timeline.duration);
    this.drawRuler(width - LABEL_WIDTH);
    $("tracks").replaceChildren(...timeline.tracks.map((track, i) => this.trackRow(track, i)));
    $("playhead").style.left = `${LABEL_WIDTH + editor.usToPx(editor.timeUs)}px`;
  },

  /** Ticks every 0.1 s to 10 min, whichever step leaves at least 70 px between labels. */
  drawRuler(widthPx) {
    const steps = [0.1, 0.2, 0.5, 1, 2, 5, 10, 15, 30, 60, 120, 300, 600];
    const step = steps.find((s) => s * editor.pxPerSecond >= 70) || 600;
    const ticks = [];
    for (let t = 0; t * editor.pxPerSecond < widthPx; t += step) {
      ticks.push(el("span", { className: "tick", textContent: formatTime(t * 1_000_000),
        style: `left:${t * editor.pxPerSecond}px` }));
    }
    $("ruler").replaceChildren(...ticks);
  },

  trackRow(track, index) {
    const label = el("div", { className: "track-label", title: track.name || track.type },
      `${track.type || "track"} ${index + 1}`, el("small", { textContent: `${track.segments.length} segments` }));
    const lane = el("div", { className: "lane" }, ...track.segments.map((seg) => this.segmentBox(track, seg)));
    return el("div", { className: "row track-row", role: "group", ariaLabel: `${track.type} track ${index + 1}` },
      label, lane);
  },

  segmentBox(track, seg) {
    const name = segmentName(track, seg);
    const times = `${formatTime(seg.start)}–${formatTime(seg.end)}`;
    const kind = TRACK_KINDS.has(track.type) ? track.type : "other";
    const box = el("button", {
      type: "button", className: `segment seg-${kind}`, title: `${name}\n${times}`,
      ariaLabel: `${track.type} segment ${name}, ${times}`,
      style: `left:${editor.usToPx(seg.start)}px;width:${Math.max(4, editor.usToPx(seg.duration))}px`,
    },
    el("span", { className: "seg-name", textContent: name }),
    el("span", { className: "seg-time", textContent: times }),
    el("span", { className: "handle handle-left", title: "Drag to trim the start", ariaHidden: "true" }),
    el("span", { className: "handle handle-right", title: "Drag to trim the end", ariaHidden: "true" }));
    box.dataset.id = seg.id;
    box.dataset.track = track.type;
    box.classList.toggle("selected", seg.id === editor.selectedId);
    box.setAttribute("aria-pressed", String(seg.id === editor.selectedId));
    box.addEventListener("pointerdown", (ev) => drag.begin(ev, seg, box));
    box.addEventListener("click", () => drag.clicked(seg.id));
    return box;
  },
};

// ---------------------------------------------------------------- dragging segments

/** Pointer drags on a segment: the body moves it, the edge handles trim it; one edit when released. */
const drag = {
  current: null,
  suppressClick: false,

  begin(ev, seg, box) {
    if (ev.button !== 0) return;
    const handle = ev.target.closest(".handle");
    const mode = !handle ? "move" : handle.classList.contains("handle-left") ? "trim-start" : "trim-end";
    this.current = { seg, box, mode, x0: ev.clientX, moved: false, change: null };
    box.setPointerCapture(ev.pointerId);
    box.onpointermove = (e) => this.move(e);
    box.onpointerup = () => this.end();
    box.onpointercancel = () => this.cancel();
  },

  move(ev) {
    const d = this.current;
    if (!d) return;
    const dx = ev.clientX - d.x0;
    if (!d.moved && Math.abs(dx) < DRAG_THRESHOLD_PX) return;
    d.moved = true;
    d.box.classList.add("dragging");
    d.change = this.proposal(d.seg, d.mode, (dx / editor.pxPerSecond) * 1_000_000);
    const start = d.change.start ?? d.seg.start;
    const duration = d.change.duration ?? d.seg.duration;
    d.box.style.left = `${editor.usToPx(start)}px`;
    d.box.style.width = `${Math.max(4, editor.usToPx(duration))}px`;
    d.box.querySelector(".seg-time").textContent = `${formatTime(start)}–${formatTime(start + duration)}`;
  },

  /** update_segment's fields for a drag of `deltaUs`, on the frame grid and within the media. */
  proposal(seg, mode, deltaUs) {
    const frame = editor.frameUs;
    if (mode === "move") return { start: editor.snap(seg.start + deltaUs) };
    if (mode === "trim-end") {
      return { duration: Math.max(Math.round(frame), editor.snap(seg.end + deltaUs) - seg.start) };
    }
    const speed = seg.speed || 1;
    let start = Math.min(editor.snap(seg.start + deltaUs), seg.end - Math.round(frame));
    if (typeof seg.source_start === "number") start = Math.max(start, seg.start - seg.source_start / speed);
    start = Math.max(0, Math.round(start));
    const change = { start, duration: seg.end - start };
    if (typeof seg.source_start === "number") {
      change.source_start = Math.max(0, Math.round(seg.source_start + (start - seg.start) * speed));
    }
    return change;
  },

  async end() {
    const d = this.current;
    this.current = null;
    if (!d) return;
    d.box.onpointermove = d.box.onpointerup = d.box.onpointercancel = null;
    if (!d.moved) return; // a plain click: the click handler selects
    this.suppressClick = true;
    setTimeout(() => { this.suppressClick = false; }, 0);
    editor.selectedId = d.seg.id;
    const unchanged = Object.entries(d.change).every(([k, v]) => d.seg[k] === v);
    if (unchanged) {
      editor.draw();
      return;
    }
    const what = d.mode === "move" ? "Moved" : "Trimmed";
    await editor.edit("update_segment", { segment_id: d.seg.id, ...d.change }, `${what} the segment.`);
  },

  cancel() {
    this.current = null;
    editor.draw();
  },

  clicked(id) {
    if (!this.suppressClick) editor.select(id);
  },
};

// ---------------------------------------------------------------- the selected segment

function detailRows(track, seg) {
  const rows = [["Type", track.type], ["Track", track.name || track.id], ["Segment id", seg.id],
    ["Material id", seg.material_id], ["Start", formatTime(seg.start)], ["End", formatTime(seg.end)],
    ["Duration", `${formatTime(seg.duration)} (${seg.duration} µs)`]];
  if (typeof seg.text === "string") rows.push(["Text", seg.text]);
  if (seg.material) {
    const m = seg.material;
    rows.push(["Material", [m.type, m.name].filter(Boolean).join(" · ")]);
    if (m.width && m.height) rows.push(["Media size", `${m.width}×${m.height}`]);
  }
  if (typeof seg.source_start === "number") {
    rows.push(["Source", `${formatTime(seg.source_start)}–${formatTime(seg.source_end)}`]);
  }
  if (seg.speed !== undefined) rows.push(["Speed", `${seg.speed}×`]);
  if (seg.volume !== undefined) rows.push(["Volume", String(seg.volume)]);
  if (seg.transform) {
    const t = seg.transform;
    rows.push(["Position", `x ${t.x_px} px, y ${t.y_px} px`], ["Scale", `${t.scale_x} × ${t.scale_y}`],
      ["Rotation", `${t.rotation}°`], ["Opacity", String(t.alpha)]);
  }
  if (seg.attached?.length) rows.push(["Attached", seg.attached.map((a) => `${a.kind}: ${a.name}`).join(", ")]);
  if (seg.keyframes) rows.push(["Keyframes", Object.keys(seg.keyframes).join(", ")]);
  return rows;
}

const details = {
  draw() {
    const found = editor.selectedId ? editor.segment(editor.selectedId) : null;
    $("details-empty").hidden = Boolean(found);
    for (const id of ["timing-form", "delete-segment"]) $(id).hidden = !found;
    $("text-form").hidden = !(found && typeof found.seg.text === "string");
    if (!found) {
      $("details-list").replaceChildren();
      return;
    }
    const { track, seg } = found;
    $("details-list").replaceChildren(...detailRows(track, seg).flatMap(([term, value]) => [
      el("dt", { textContent: term }), el("dd", { textContent: value ?? "" })]));
    $("start-input").value = (seg.start / 1_000_000).toFixed(2);
    $("duration-input").value = (seg.duration / 1_000_000).toFixed(2);
    if (typeof seg.text === "string" && document.activeElement !== $("text-input")) $("text-input").value = seg.text;
  },

  async saveTiming() {
    const start = Math.round(Number($("start-input").value) * 1_000_000);
    const duration = Math.round(Number($("duration-input").value) * 1_000_000);
    await editor.edit("update_segment", { segment_id: editor.selectedId, start, duration }, "Changed the timing.");
  },

  async saveText() {
    await editor.edit("set_text", { segment_id: editor.selectedId, text: $("text-input").value },
      "Changed the caption's text.");
  },

  async remove() {
    const id = editor.selectedId;
    editor.selectedId = null;
    await editor.edit("delete_segment", { segment_id: id }, "Deleted the segment.");
  },
};

// ---------------------------------------------------------------- rendering

const renderPanel = {
  timer: null,
  draftId: "",

  reset() {
    clearTimeout(this.timer);
    this.timer = null;
    this.draftId = "";
    $("render-progress").hidden = true;
    $("render-status").textContent = "";
    $("render-link").hidden = true;
    const video = $("render-video");
    video.hidden = true;
    video.removeAttribute("src");
    $("render-button").disabled = false;
  },

  async start() {
    this.reset();
    this.draftId = editor.draftId;
    $("render-button").disabled = true;
    $("render-status").textContent = "Submitting…";
    try {
      const job = await api.post("gen_video", { draft_url: this.draftId });
      const warnings = job.warnings?.length ? ` ${job.warnings.length} warning(s): `
        + job.warnings.map((w) => w.message).join("; ") : "";
      $("render-status").textContent = `Queued.${warnings}`;
      this.follow(job);
    } catch (err) {
      $("render-status").textContent = `Render refused: ${err.message}`;
      $("render-button").disabled = false;
    }
  },

  /** On opening a draft: pick up a render that is still running. */
  async resume() {
    const draftId = editor.draftId;
    try {
      const job = await api.post("gen_video_status", { draft_url: draftId });
      if (draftId === editor.draftId && ["pending", "processing"].includes(job.status)) {
        this.draftId = draftId;
        this.follow(job);
      }
    } catch {
      // no render yet: nothing to show
    }
  },

  follow(job) {
    if (this.draftId !== editor.draftId) return;
    $("render-progress").hidden = false;
    $("render-progress").value = job.progress || 0;
    if (job.status === "completed") {
      this.finish(job);
    } else if (job.status === "failed") {
      $("render-status").textContent = `Render failed: ${job.error_message || "unknown error"}`;
      $("render-button").disabled = false;
    } else {
      $("render-button").disabled = true;
      $("render-status").textContent = `${job.status} ${job.progress || 0}%${job.phase ? ` · ${job.phase}` : ""}`;
      clearTimeout(this.timer);
      this.timer = setTimeout(() => this.poll(), POLL_MS);
    }
  },

  async poll() {
    try {
      this.follow(await api.post("gen_video_status", { draft_url: this.draftId }));
    } catch (err) {
      $("render-status").textContent = `Lost track of the render: ${err.message}`;
      $("render-button").disabled = false;
    }
  },

  /** Our own files are asked for by path, so the page's origin serves them whatever the public URL says. */
  async finish(job) {
    const url = new URL(job.video_url, location.href);
    const ours = /^\/output\/renders\/[0-9a-f]{32}\.mp4$/.test(url.pathname);
    const src = ours ? url.pathname.slice(1) : url.href;
    const video = $("render-video");
    // A <video> cannot send the key header: with a key, fetch the file and play it from memory.
    video.src = api.key && ours ? URL.createObjectURL(await api.blob(src)) : src;
    video.hidden = false;
    $("render-link").href = video.src;
    $("render-link").hidden = false;
    $("render-progress").value = 100;
    $("render-status").textContent = job.cached ? "Rendered (unchanged since the last render)." : "Rendered.";
    $("render-button").disabled = false;
  },
};

// ---------------------------------------------------------------- wiring

function draftFromLocation() {
  let hash = location.hash.slice(1);
  try {
    hash = decodeURIComponent(hash);
  } catch {
    // a malformed escape: use it as typed; get_timeline will say it is no draft
  }
  return hash.trim() || new URLSearchParams(location.search).get("draft") || "";
}

function route() {
  banner.hide();
  const draftId = draftFromLocation();
  if (draftId) editor.open(draftId);
  else draftList.show();
}

function onRulerPointer(ev) {
  if (ev.type === "pointerdown") $("ruler").setPointerCapture(ev.pointerId);
  if (ev.type === "pointerdown" || ev.buttons & 1) editor.setTime(editor.timeAt(ev.clientX));
}

function onTimelineKey(ev) {
  const step = ev.shiftKey ? 1_000_000 : editor.frameUs;
  if (ev.key === "ArrowRight") editor.setTime(editor.timeUs + step);
  else if (ev.key === "ArrowLeft") editor.setTime(editor.timeUs - step);
  else if (ev.key === "Home") editor.setTime(0);
  else return;
  ev.preventDefault();
}

function wire() {
  editor.preview = new PreviewLoader($("preview"));
  $("key-button").hidden = !api.key;
  $("key-button").onclick = () => keyDialog.ask("Enter another API key.").then((saved) => saved && route());
  $("banner-close").onclick = () => banner.hide();
  $("list-refresh").onclick = () => draftList.show();
  $("prev-page").onclick = () => draftList.turn(-1);
  $("next-page").onclick = () => draftList.turn(1);
  $("zoom-in").onclick = () => editor.zoom(1.5);
  $("zoom-out").onclick = () => editor.zoom(1 / 1.5);
  $("zoom-fit").onclick = () => { editor.fit(); editor.draw(); };
  for (const type of ["pointerdown", "pointermove"]) $("ruler").addEventListener(type, onRulerPointer);
  $("tracks").addEventListener("pointerdown", (ev) => {
    if (ev.target.classList.contains("lane")) editor.setTime(editor.timeAt(ev.clientX));
  });
  $("timeline").addEventListener("keydown", onTimelineKey);
  $("timing-form").onsubmit = (ev) => { ev.preventDefault(); details.saveTiming(); };
  $("text-form").onsubmit = (ev) => { ev.preventDefault(); details.saveText(); };
  $("delete-segment").onclick = () => details.remove();
  $("render-button").onclick = () => renderPanel.start();
  window.addEventListener("hashchange", route);
  route();
}

wire();
