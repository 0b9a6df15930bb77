// The Keepwire dashboard: one event stream, redrawn in place. No framework, nothing fetched from elsewhere.
"use strict";

const $ = (selector) => document.querySelector(selector);

function cell(row, text, cls) {
  const td = row.insertCell();
  td.textContent = text ?? "";
  if (cls) td.className = cls;
  return td;
}

function time(iso) {
  return iso ? new Date(iso).toLocaleTimeString([], { hour12: false }) : "";
}

function age(seconds) {
  if (seconds === undefined || seconds === null) return "never";
  return seconds < 120 ? `${Math.round(seconds)} s ago` : `${Math.round(seconds / 60)} min ago`;
}

function healthClass(health) {
  if (health === "healthy") return "ok";
  if (health.startsWith("unhealthy")) return "bad";
  return "unknown";
}

function drawStatus(status) {
  $("#hub").textContent = status.node;
  $("#updated").textContent = `updated ${new Date().toLocaleTimeString([], { hour12: false })}`;
  const services = $("#services tbody");
  services.replaceChildren();
  for (const service of status.services) {
    const row = services.insertRow();
    row.dataset.service = service.name;
    cell(row, service.name);
    cell(row, service.serving_site ?? "(none)", service.serving_site ? "serving ok" : "serving bad");
    cell(row, time(service.since));
    cell(row, service.reason);
  }
  const sites = $("#sites tbody");
  sites.replaceChildren();
  for (const site of status.sites) {
    const row = sites.insertRow();
    row.dataset.site = site.name;
    cell(row, site.name + (site.drained ? " (drained)" : ""));
    cell(row, site.priority);
    cell(row, site.health, healthClass(site.health));
    cell(row, age(site.handshake_age_seconds));
    cell(row, site.endpoint ?? "");
    cell(row, (site.checks ?? []).map((c) => `${c.name}: ${c.state}`).join(", "), "checks");
  }
}

function addEvent(event) {
  const item = document.createElement("li");
  item.dataset.event = event.event;
  const when = document.createElement("time");
  when.textContent = time(event.time);
  item.append(when);
  if (event.duration_ms !== undefined) {
    const took = document.createElement("span");
    took.className = "duration";
    took.textContent = `${(event.duration_ms / 1000).toFixed(2)} s `;
    item.append(took);
  }
  item.append(document.createTextNode(event.summary));
  item.className = event.event === "site_down" || (event.event === "switch" && event.planned === false) || event.event === "reload_rejected" ? "bad" : "";
  const list = $("#timeline");
  list.prepend(item);
  while (list.children.length > 200) list.lastChild.remove();
}

function connect() {
  const stream = new EventSource("events");
  const badge = $("#connection");
  stream.onopen = () => { badge.textContent = "live"; badge.className = "badge ok"; $("#timeline").replaceChildren(); };
  stream.onerror = () => { badge.textContent = "reconnecting…"; badge.className = "badge bad"; };
  stream.addEventListener("status", (e) => drawStatus(JSON.parse(e.data)));
  stream.addEventListener("hub_event", (e) => addEvent(JSON.parse(e.data)));
}

connect();
