"use strict";
// The dashboard: sign in, see your graphs and runs, start a run and watch it live.
// Plain script, no build step. Talks to the REST API with a bearer token and to /ws.
// Views: #/ (graphs and runs), #/graphs/<id> (start a run, its schedules and runs), #/graphs/<id>/runs/<run id>.

const RANK = { INCOMPLETE: 0, QUEUED: 1, RUNNING: 2, COMPLETED: 3, FAILED: 3, TERMINATED: 3 };
const ACTIVE = new Set(["INCOMPLETE", "QUEUED", "RUNNING"]);
const HEARTBEAT_MS = 30000;

// ---------------------------------------------------------------- DOM helpers

function h(tag, attributes = {}, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value === false || value === null || value === undefined) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child !== null && child !== undefined) element.append(child instanceof Node ? child : String(child));
  }
  return element;
}

function show(...children) {
  const main = document.getElementById("main");
  main.replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined));
  main.focus();
}

function notice(text, kind = "info") {
  const item = h("p", { class: `notice ${kind}` }, text);
  document.getElementById("notices").append(item);
  setTimeout(() => item.remove(), 8000);
}

function statusBadge(status, id) {
  return h("span", { class: `status status-${(status || "").toLowerCase()}`, id }, status || "—");
}

function when(iso) {
  return iso ? new Date(iso).toLocaleTimeString() : "—";
}

function seconds(start, end) {
  if (!start) return "—";
  const elapsed = ((end ? new Date(end) : new Date()) - new Date(start)) / 1000;
  return `${elapsed.toFixed(2)} s`;
}

function preview(value) {
  const text = JSON.stringify(value, null, 1);
  return text.length > 400 ? `${text.slice(0, 400)}…` : text;
}

// ---------------------------------------------------------------- tokens and REST

class ApiError extends Error {}

const tokens = {
  get access() { return sessionStorage.getItem("access"); },
  get refresh() { return sessionStorage.getItem("refresh"); },
  save(pair) {
    sessionStorage.setItem("access", pair.access);
    sessionStorage.setItem("refresh", pair.refresh);
  },
  clear() { sessionStorage.clear(); },
};

function secondsLeft(token) {
  try {
    const payload = JSON.parse(atob(token.split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return payload.exp - Date.now() / 1000;
  } catch {
    return 0;
  }
}

let refreshing = null;

function refreshTokens() {
  // One refresh at a time: the refresh token is spent by its first use.
  refreshing ??= (async () => {
    const response = await fetch("/api/auth/token/refresh", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ refresh: tokens.refresh }),
    });
    if (!response.ok) {
      tokens.clear();
      throw new ApiError("Your session has ended: sign in again.");
    }
    tokens.save(await response.json());
  })().finally(() => { refreshing = null; });
  return refreshing;
}

async function accessToken() {
  if (tokens.access && secondsLeft(tokens.access) < 30) await refreshTokens();
  return tokens.access;
}

async function api(method, path, body) {
  for (let attempt = 0; ; attempt += 1) {
    const headers = { Authorization: `Bearer ${await accessToken()}` };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    if (response.status === 401 && attempt === 0) {
      await refreshTokens();
      continue;
    }
    const data = response.status === 204 ? null : await response.json();
    if (!response.ok) throw new ApiError(data?.message || `${response.status} ${response.statusText}`);
    return data;
  }
}

// ---------------------------------------------------------------- the websocket

// One socket, holding exactly the subscriptions of the view on screen: a view that
// needs others gets a new socket (upstream's protocol cannot drop a graph's subscription).
// It reconnects by itself; after every (re)connection the view re-reads its data over
// REST, since events may have been missed meanwhile.
const live = {
  socket: null,
  requests: [],
  view: null,
  delay: 500,
  heartbeat: null,
  generation: 0,

  watch(requests, view) {
    this.view = view;
    const same = JSON.stringify(requests) === JSON.stringify(this.requests);
    this.requests = requests;
    if (!same || !this.socket) this.connect();
    else view.resync();
  },

  stop() {
    this.requests = [];
    this.view = null;
    this.generation += 1;
    const socket = this.socket;
    this.socket = null;
    socket?.close();
  },

  async connect() {
    const generation = ++this.generation;
    this.socket?.close();
    this.socket = null;
    let token;
    try {
      token = await accessToken();
    } catch {
      return;
    }
    // A newer connect() (the view changed meanwhile) wins.
    if (!token || generation !== this.generation) return;
    const scheme = location.protocol === "https:" ? "wss" : "ws";
    const socket = new WebSocket(`${scheme}://${location.host}/ws?token=${encodeURIComponent(token)}`);
    this.socket = socket;
    socket.addEventListener("open", () => {
      this.delay = 500;
      connection("live");
      for (const request of this.requests) socket.send(JSON.stringify(request));
      clearInterval(this.heartbeat);
      this.heartbeat = setInterval(() => socket.send('{"method":"heartbeat","data":"ping"}'), HEARTBEAT_MS);
      this.view?.resync();
    });
    socket.addEventListener("message", (event) => {
      if (this.socket === socket) this.receive(JSON.parse(event.data));
    });
    socket.addEventListener("close", (event) => {
      if (this.socket !== socket) return;
      clearInterval(this.heartbeat);
      this.socket = null;
      connection("reconnecting…");
      if (event.code >= 4001 && event.code <= 4003) refreshTokens().catch(route);
      setTimeout(() => {
        if (!this.socket && generation === this.generation && tokens.access) this.connect();
      }, this.delay);
      this.delay = Math.min(this.delay * 2, 10000);
    });
  },

  receive(message) {
    if (message.method === "graph_execution_event" || message.method === "node_execution_event") {
      this.view?.onEvent(message);
    } else if (message.method === "notification") {
      notify(message.data);
    } else if (message.method === "error") {
      if (message.data?.code === "EVENTS_DROPPED") this.view?.resync();
      else notice(message.error, "error");
    }
  },
};

function connection(text) {
  document.getElementById("connection").textContent = text;
}

function notify(data) {
  const event = data.event || {};
  if (data.type === "AGENT_RUN") {
    notice(`Run of ${event.agent_name} finished: ${event.node_count} nodes, ${event.credits_used} credits.`);
  } else if (data.type === "LOW_BALANCE") {
    notice(`Low balance: ${event.current_balance} credits left.`, "error");
  } else if (data.type === "ZERO_BALANCE") {
    notice(`Out of credits: ${event.agent_name} was stopped.`, "error");
  }
}

// ---------------------------------------------------------------- views

async function signIn(event) {
  event.preventDefault();
  const form = event.target;
  const response = await fetch("/api/auth/token", {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email: form.email.value, password: form.password.value }),
  });
  const data = await response.json();
  if (!response.ok) {
    form.querySelector(".form-error").textContent = data.message || "Could not sign in.";
    return;
  }
  tokens.save(data);
  route();
}

function signInView() {
  live.stop();
  connection("offline");
  show(
    h("h1", {}, "Sign in"),
    h("form", { class: "stack", onsubmit: signIn },
      h("label", { for: "email" }, "Email"),
      h("input", { id: "email", name: "email", type: "email", autocomplete: "username", required: true }),
      h("label", { for: "password" }, "Password"),
      h("input", { id: "password", name: "password", type: "password", autocomplete: "current-password", required: true }),
      h("p", { class: "form-error", role: "alert" }),
      h("button", { type: "submit" }, "Sign in")),
  );
}

function runsTable(runs, graphNames, caption) {
  return h("table", { id: "runs" },
    h("caption", {}, caption),
    h("thead", {}, h("tr", {}, ["Run", "Graph", "Status", "Started", "Cost"].map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, runs.map((run) => h("tr", { "data-run": run.id },
      h("td", {}, h("a", { href: `#/graphs/${run.graph_id}/runs/${run.id}` }, run.id.slice(0, 8))),
      h("td", {}, graphNames[run.graph_id] || run.graph_id.slice(0, 8)),
      h("td", {}, statusBadge(run.status)),
      h("td", {}, when(run.started_at)),
      h("td", {}, `${run.stats?.cost ?? 0} credits`)))));
}

function schedulesTable(schedules) {
  if (!schedules.length) return h("p", { id: "schedules" }, "No schedules: create one through the API.");
  return h("table", { id: "schedules" },
    h("caption", {}, "Schedules"),
    h("thead", {}, h("tr", {}, ["Name", "Version", "Cron", "Time zone", "Next run"].map((name) => h("th", { scope: "col" }, name)))),
    h("tbody", {}, schedules.map((schedule) => h("tr", { "data-schedule": schedule.id },
      h("td", {}, schedule.name),
      h("td", {}, `v${schedule.graph_version}`),
      h("td", {}, h("code", {}, schedule.cron)),
      h("td", {}, schedule.timezone),
      h("td", {}, schedule.next_run_time ? new Date(schedule.next_run_time).toLocaleString() : "—")))));
}

async function homeView() {
  const [graphs, runs] = await Promise.all([api("GET", "/api/graphs"), api("GET", "/api/executions")]);
  const names = Object.fromEntries(graphs.map((graph) => [graph.id, graph.name || "Untitled"]));
  show(
    h("h1", {}, "Your graphs"),
    graphs.length
      ? h("ul", { class: "graphs" }, graphs.map((graph) => h("li", {},
        h("a", { href: `#/graphs/${graph.id}` }, graph.name || "Untitled"), ` v${graph.version}`)))
      : h("p", {}, "No graphs yet: create one through the API."),
    runsTable(runs.slice(0, 50), names, "Recent runs"),
  );
  live.watch([], { resync() {}, onEvent() {} });
}

function inputField(name, schema, required) {
  const id = `input-${name}`;
  const label = h("label", { for: id }, schema.title || name, required ? " (required)" : "");
  const type = schema.type;
  let field;
  if (type === "boolean") field = h("input", { id, name, type: "checkbox", checked: schema.default === true });
  else if (type === "number" || type === "integer") {
    field = h("input", { id, name, type: "number", step: type === "integer" ? "1" : "any", required, value: schema.default });
  } else if (type === "string" || type === undefined) {
    field = h("input", { id, name, type: schema.secret ? "password" : "text", required, value: schema.default });
  } else {
    field = h("textarea", { id, name, required, "aria-describedby": `${id}-hint` },
      schema.default === undefined ? "" : JSON.stringify(schema.default));
  }
  const hint = type === "object" || type === "array" ? h("small", { id: `${id}-hint` }, "JSON") : null;
  return [label, field, hint];
}

function readInputs(form, schema) {
  const inputs = {};
  for (const [name, property] of Object.entries(schema.properties || {})) {
    const field = form.elements[name];
    if (property.type === "boolean") inputs[name] = field.checked;
    else if (field.value === "") continue;
    else if (property.type === "number" || property.type === "integer") inputs[name] = Number(field.value);
    else if (property.type === "object" || property.type === "array") inputs[name] = JSON.parse(field.value);
    else inputs[name] = field.value;
  }
  return inputs;
}

async function graphView(graphId) {
  const [graph, page, schedules] = await Promise.all([
    api("GET", `/api/graphs/${graphId}`),
    api("GET", `/api/graphs/${graphId}/executions?page_size=50`),
    api("GET", `/api/graphs/${graphId}/schedules`),
  ]);
  const runs = new Map(page.executions.map((run) => [run.id, run]));
  const names = { [graph.id]: graph.name || "Untitled" };
  const schema = graph.input_schema || { properties: {} };
  const required = new Set(schema.required || []);
  const runsSlot = h("div");
  const renderRuns = () => runsSlot.replaceChildren(
    runsTable([...runs.values()].sort((a, b) => (b.started_at || "~").localeCompare(a.started_at || "~")), names, "Runs of this graph"));

  async function start(event) {
    event.preventDefault();
    const form = event.target;
    const error = form.querySelector(".form-error");
    try {
      const run = await api("POST", `/api/graphs/${graph.id}/execute/${graph.version}`, { inputs: readInputs(form, schema) });
      location.hash = `#/graphs/${graph.id}/runs/${run.id}`;
    } catch (problem) {
      error.textContent = problem.message;
    }
  }

  show(
    h("p", {}, h("a", { href: "#/" }, "← All graphs")),
    h("h1", {}, graph.name || "Untitled", ` v${graph.version}`),
    graph.description ? h("p", {}, graph.description) : null,
    h("form", { class: "stack", onsubmit: start },
      h("h2", {}, "Start a run"),
      Object.entries(schema.properties || {}).map(([name, property]) => inputField(name, property, required.has(name))),
      h("p", { class: "form-error", role: "alert" }),
      h("button", { type: "submit" }, "Start run")),
    schedulesTable(schedules),
    runsSlot,
  );
  renderRuns();
  live.watch([{ method: "subscribe_graph_executions", data: { graph_id: graph.id } }], {
    async resync() {
      const fresh = await api("GET", `/api/graphs/${graphId}/executions?page_size=50`);
      for (const run of fresh.executions) runs.set(run.id, run);
      renderRuns();
    },
    onEvent(message) {
      if (message.method !== "graph_execution_event") return;
      const current = runs.get(message.data.id);
      if (!current || RANK[message.data.status] >= RANK[current.status]) runs.set(message.data.id, message.data);
      renderRuns();
    },
  });
}

let blockNames = null;

async function blockName(blockId) {
  blockNames ??= api("GET", "/api/blocks").then((blocks) => Object.fromEntries(blocks.map((block) => [block.id, block.name])));
  return (await blockNames)[blockId] || blockId.slice(0, 8);
}

async function runView(graphId, runId) {
  const graph = await api("GET", `/api/graphs/${graphId}`);
  const labels = {};
  for (const [index, node] of graph.nodes.entries()) labels[node.id] = `${index + 1}. ${await blockName(node.block_id)}`;
  const state = { run: null, nodes: new Map(), lastSeq: null };
  const header = h("div");
  const body = h("tbody");

  // Events may arrive before the REST answer or repeat it: a status never moves back.
  function keep(current, next) {
    return !current || RANK[next.status] >= RANK[current.status];
  }

  function render() {
    const run = state.run;
    if (!run) return;
    const stats = run.stats || {};
    const stop = h("button", { type: "button", disabled: !ACTIVE.has(run.status), onclick: stopRun }, "Stop run");
    header.replaceChildren(
      h("dl", { class: "facts" },
        h("dt", {}, "Status"), h("dd", {}, statusBadge(run.status, "run-status")),
        h("dt", {}, "Started"), h("dd", {}, when(run.started_at)),
        h("dt", {}, "Duration"), h("dd", {}, seconds(run.started_at, run.ended_at)),
        h("dt", {}, "Cost"), h("dd", {}, `${stats.cost ?? 0} credits`),
        h("dt", {}, "Nodes run"), h("dd", {}, String(stats.node_exec_count ?? 0)),
        stats.error ? [h("dt", {}, "Error"), h("dd", { class: "error" }, stats.error)] : null),
      stop);
    const nodes = [...state.nodes.values()].sort((a, b) => (a.add_time || "").localeCompare(b.add_time || ""));
    body.replaceChildren(...nodes.map((node) => {
      const error = node.output_data?.error?.[0] ?? node.stats?.error;
      const outputs = { ...node.output_data };
      delete outputs.error;
      return h("tr", { "data-status": node.status, "data-node": node.node_id },
        h("th", { scope: "row" }, labels[node.node_id] || node.node_id.slice(0, 8)),
        h("td", {}, statusBadge(node.status)),
        h("td", {}, seconds(node.start_time, node.end_time)),
        h("td", {}, `${node.stats?.cost ?? 0}`),
        h("td", {}, Object.keys(outputs).length ? h("pre", {}, preview(outputs)) : "—"),
        h("td", { class: "error" }, error ? String(error) : ""));
    }));
  }

  async function resync() {
    const fresh = await api("GET", `/api/graphs/${graphId}/executions/${runId}`);
    if (keep(state.run, fresh)) state.run = fresh;
    for (const node of fresh.node_executions) {
      if (keep(state.nodes.get(node.node_exec_id), node)) state.nodes.set(node.node_exec_id, node);
    }
    render();
  }

  async function stopRun(event) {
    event.target.disabled = true;
    try {
      const run = await api("POST", `/api/graphs/${graphId}/executions/${runId}/stop`);
      if (keep(state.run, run)) state.run = { ...state.run, ...run };
      render();
    } catch (problem) {
      notice(problem.message, "error");
    }
  }

  show(
    h("p", {}, h("a", { href: `#/graphs/${graphId}` }, `← ${graph.name || "Untitled"}`)),
    h("h1", {}, `Run ${runId.slice(0, 8)}`),
    header,
    h("table", { id: "nodes" },
      h("caption", {}, "Nodes, live"),
      h("thead", {}, h("tr", {}, ["Node", "Status", "Duration", "Cost", "Outputs", "Error"].map((name) => h("th", { scope: "col" }, name)))),
      body),
    h("p", { id: "announce", class: "visually-hidden", "aria-live": "polite" }),
  );
  await resync();
  live.watch([{ method: "subscribe_graph_execution", data: { graph_exec_id: runId } }], {
    resync,
    onEvent(message) {
      const data = message.data;
      // A jump in seq means events were missed: the run is read again.
      if (state.lastSeq !== null && data.seq > state.lastSeq + 1) resync();
      state.lastSeq = Math.max(state.lastSeq ?? 0, data.seq);
      if (message.method === "node_execution_event") {
        if (keep(state.nodes.get(data.node_exec_id), data)) state.nodes.set(data.node_exec_id, data);
      } else if (keep(state.run, data)) {
        const changed = state.run?.status !== data.status;
        state.run = { ...state.run, ...data };
        if (changed) document.getElementById("announce").textContent = `Run ${data.status.toLowerCase()}`;
      }
      render();
    },
  });
}

// ---------------------------------------------------------------- routing

async function route() {
  const signedIn = Boolean(tokens.refresh);
  document.getElementById("sign-out").hidden = !signedIn;
  if (!signedIn) return signInView();
  const path = location.hash.replace(/^#/, "") || "/";
  const run = path.match(/^\/graphs\/([\w-]+)\/runs\/([\w-]+)$/);
  const graph = path.match(/^\/graphs\/([\w-]+)$/);
  try {
    if (run) await runView(run[1], run[2]);
    else if (graph) await graphView(graph[1]);
    else await homeView();
  } catch (problem) {
    if (!tokens.refresh) {
      notice(problem.message, "error");
      return signInView();
    }
    show(h("h1", {}, "Something went wrong"), h("p", { role: "alert" }, problem.message), h("p", {}, h("a", { href: "#/" }, "Back to your graphs")));
  }
}

function signOut() {
  const { access, refresh } = tokens;
  live.stop();
  tokens.clear();
  fetch("/api/auth/logout", {
    method: "POST",
    headers: { Authorization: `Bearer ${access}`, "Content-Type": "application/json" },
    body: JSON.stringify({ refresh }),
  }).catch(() => {});
  location.hash = "#/";
  route();
}

document.addEventListener("DOMContentLoaded", () => {
  document.getElementById("sign-out").addEventListener("click", signOut);
  window.addEventListener("hashchange", route);
  route();
});
