# -*- coding: utf-8 -*-
# Copyright: (c) 2026, osfleet.day2 contributors
# Apache License 2.0 (see LICENSE)
"""fleet.html: the fleet report as one self-contained page (inline CSS, no script, nothing fetched).

Every node by kind (compute, network, storage), its state as a word and a colour, its
allocation against capacity as bars, its BMC's sensors, and a drill-down (<details>) with
its servers, agents or pools. Every value is escaped: host names and BMC strings are not
ours to trust. The output depends only on the input and ``generated_at``.
"""

from __future__ import annotations

from html import escape
from typing import Any, Dict, List, Optional, Tuple

from ansible_collections.osfleet.day2.plugins.module_utils._fleet.report_html_assets import CSS

STATES = ("up", "maintenance", "disabled", "down", "unknown")
HEALTH_WORDS = {"ok": "ok", "warning": "warning", "critical": "critical"}
RESOURCES = (("vcpus", "vCPU", ""), ("memory_mb", "memory", " MiB"), ("disk_gb", "disk", " GiB"))
UTILIZATION = (("cpu_percent", "CPU", "%"), ("memory_percent", "memory", "%"),
               ("memory_bandwidth_percent", "memory bw", "%"), ("power_watts", "power", " W"))


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _badge(state: str) -> str:
    return '<span class="badge %s">%s</span>' % (_e(state), _e(state))


def _num(value: Any) -> str:
    if isinstance(value, float) and value != int(value):
        return "%.1f" % value
    try:
        return "{:,}".format(int(value))
    except (TypeError, ValueError):
        return _e(value)


def _bar(label: str, used: Any, cap: Any, unit: str = "", note: str = "") -> str:
    try:
        pct = 100.0 * float(used) / float(cap) if float(cap) > 0 else 0.0
    except (TypeError, ValueError):
        return '<div class=bar-row><span class=bl>%s</span><span class=muted>not reported</span></div>' % _e(label)
    level = "crit" if pct >= 90 else "warn" if pct >= 75 else "okb"
    return ('<div class=bar-row><span class=bl>%s</span><span class="bar %s" role="img" aria-label="%s %.0f%%">'
            '<span style="width:%.1f%%"></span></span><span class=bv>%s / %s%s (%.0f%%)%s</span></div>' % (
                _e(label), level, _e(label), pct, min(pct, 100.0), _num(used), _num(cap), _e(unit), pct,
                " " + note if note else ""))


def compute_state(host: Dict[str, Any]) -> str:
    service = host.get("service") or {}
    if service.get("state") == "down":
        return "down"
    if host.get("maintenance"):
        return "maintenance"
    if service.get("status") == "disabled":
        return "disabled"
    if service.get("state") == "up":
        return "up"
    return "unknown"


def _node_state(node: Dict[str, Any]) -> str:
    state = node.get("state")
    return state if state in STATES else "unknown"


def _utilization(node: Dict[str, Any]) -> str:
    util = node.get("utilization")
    if not isinstance(util, dict) or not util:
        return ""
    rows = []
    for key, label, unit in UTILIZATION:
        item = util.get(key)
        if not isinstance(item, dict):
            continue
        age = item.get("age_seconds")
        source = item.get("source") if not item.get("measure") else "%s: %s" % (item.get("source"), item["measure"])
        note = '<span class=src>%s, %ss old</span>' % (_e(source), _num(age)) if age is not None else \
            '<span class=src>%s</span>' % _e(source)
        if unit == "%":
            rows.append(_bar("%s use" % label, item.get("value"), 100, "%", note).replace(" / 100%", "%").replace(
                "%% (%.0f%%)" % float(item.get("value") or 0), "%"))
        else:
            rows.append('<div class=bar-row><span class=bl>%s</span><span class=bv>%s%s %s</span></div>' % (
                _e(label), _num(item.get("value")), _e(unit), note))
    return '<div class=util><h4>Use (measured)</h4>%s</div>' % "".join(rows)


def _capacity(host: Dict[str, Any]) -> str:
    cap = host.get("capacity") or {}
    rows = [_bar(label, (cap.get(rc) or {}).get("used"), (cap.get(rc) or {}).get("capacity"), unit)
            for rc, label, unit in RESOURCES]
    return '<div class=alloc><h4>Allocation (Placement)</h4>%s</div>' % "".join(rows)


def _hardware(name: str, hardware: Dict[str, Any]) -> str:
    entry = hardware.get(name)
    if not isinstance(entry, dict):
        return '<div class=hw><h4>Hardware (BMC)</h4><p class=muted>none reported</p></div>'
    if entry.get("status") != "ok" or not isinstance(entry.get("state"), dict):
        return '<div class=hw><h4>Hardware (BMC)</h4><p>%s <span class=muted>%s</span></p></div>' % (
            _badge("down" if entry.get("status") == "unreachable" else "unknown").replace(
                ">down<", ">unreachable<").replace(">unknown<", ">%s<" % _e(entry.get("status"))),
            _e(entry.get("error")))
    st = entry["state"]
    health = st.get("health") or "unknown"
    parts = ['<p>power <b>%s</b> &middot; health %s%s</p>' % (
        _e(st.get("power_state") or "unknown"), _hbadge(health),
        " &middot; draw <b>%s W</b>" % _num(st["power_draw_watts"]) if st.get("power_draw_watts") is not None else "")]
    items = []
    for t in st.get("temperatures") or []:
        items.append('<li>%s <b>%s &deg;C</b> %s</li>' % (
            _e(t.get("name")), _num(t.get("reading_celsius")), _hbadge(t.get("status") or "ok")))
    for f in st.get("fans") or []:
        speed = "%s rpm" % _num(f["rpm"]) if f.get("rpm") is not None else "%s%%" % _num(f.get("percent"))
        items.append('<li>fan %s <b>%s</b> %s</li>' % (_e(f.get("name")), _e(speed), _hbadge(f.get("status") or "ok")))
    for p in st.get("power_supplies") or []:
        watts = " <b>%s W</b>" % _num(p["watts"]) if p.get("watts") is not None else ""
        items.append('<li>PSU %s%s %s</li>' % (_e(p.get("name")), watts, _hbadge(p.get("status") or "ok")))
    if items:
        parts.append('<ul class=sensors>%s</ul>' % "".join(items))
    return '<div class=hw><h4>Hardware (BMC, %s)</h4>%s</div>' % (_e(entry.get("protocol")), "".join(parts))


def _hbadge(health: str) -> str:
    word = HEALTH_WORDS.get(health, health)
    return '<span class="badge h-%s">%s</span>' % (_e(health), _e(word))


def _agents_table(agents: List[Dict[str, Any]]) -> str:
    if not agents:
        return '<p class=muted>Agents: none reported</p>'
    rows = "".join('<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td class=num>%s</td><td class=num>%s</td></tr>' % (
        _e(a.get("type")), _e(a.get("binary")), _badge("up" if a.get("alive") else "down"),
        "yes" if a.get("admin_state_up") else "no", _e(a.get("heartbeat") or "never"),
        "-" if a.get("routers") is None else len(a["routers"]), "-" if a.get("networks") is None else len(a["networks"]))
        for a in sorted(agents, key=lambda a: (str(a.get("type")), str(a.get("binary")))))
    return ('<h4>Agents (Neutron)</h4><table><thead><tr><th>Type</th><th>Binary</th><th>Alive</th><th>Admin up</th>'
            '<th>Heartbeat</th><th>Routers</th><th>Networks</th></tr></thead><tbody>%s</tbody></table>' % rows)


def _servers_table(ids: List[str], servers: Dict[str, Any]) -> str:
    if not ids:
        return '<p class=muted>Servers: none</p>'
    rows = []
    for sid in sorted(ids, key=lambda i: str((servers.get(i) or {}).get("name") or i)):
        s = servers.get(sid) or {}
        rows.append('<tr><td>%s</td><td><code>%s</code></td><td>%s</td><td>%s</td><td>%s</td></tr>' % (
            _e(s.get("name")), _e(sid), _e(s.get("status")), _e(s.get("flavor")), _e(s.get("project_name") or s.get("project_id"))))
    return ('<h4>Servers (Nova, %d)</h4><table><thead><tr><th>Name</th><th>ID</th><th>Status</th><th>Flavor</th>'
            '<th>Project</th></tr></thead><tbody>%s</tbody></table>' % (len(ids), "".join(rows)))


def _pools(node: Dict[str, Any]) -> Tuple[str, str]:
    pools = node.get("pools") or []
    if not pools:
        return "", '<p class=muted>Pools: none reported</p>'
    bars, rows = [], []
    for p in sorted(pools, key=lambda p: str(p.get("name"))):
        total, free = p.get("total_gb"), p.get("free_gb")
        label = str(p.get("name") or "").rsplit("#", 1)[-1]  # the pool; its full host@backend#pool is in the table
        if isinstance(total, (int, float)) and isinstance(free, (int, float)):
            bars.append(_bar("pool %s" % label, total - free, total, " GiB"))
        else:
            bars.append('<div class=bar-row><span class=bl>pool %s</span><span class=muted>capacity %s</span></div>' % (
                _e(label), _e(p.get("capacity_text") or "unknown")))
        rows.append('<tr><td>%s</td><td>%s</td><td class=num>%s</td><td class=num>%s</td><td class=num>%s</td>'
                    '<td class=num>%s</td><td>%s</td><td class=num>%s</td></tr>' % (
                        _e(p.get("name")), _e(p.get("backend")), _num(total) if total is not None else _e(p.get("capacity_text")),
                        _num(free) if free is not None else "-", _num(p.get("provisioned_gb")), _num(p.get("reserved_percentage")),
                        "thin" if p.get("thin_provisioning") else "thick", _num(p.get("over_subscription"))))
    table = ('<h4>Pools (Cinder scheduler stats)</h4><table><thead><tr><th>Pool</th><th>Backend</th><th>Total GiB</th>'
             '<th>Free GiB</th><th>Provisioned GiB</th><th>Reserved %%</th><th>Provisioning</th><th>Over-subscription</th>'
             '</tr></thead><tbody>%s</tbody></table>' % "".join(rows))
    return '<div class=alloc><h4>Pools</h4>%s</div>' % "".join(bars), table


def _services_table(services: List[Dict[str, Any]]) -> str:
    if not services:
        return '<p class=muted>Services: none reported</p>'
    rows = "".join('<tr><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td><td>%s</td></tr>' % (
        _e(s.get("binary")), _e(s.get("backend")), _badge(s.get("state") if s.get("state") in STATES else "unknown"),
        _e(s.get("status")), _e(s.get("updated_at")), _e(s.get("disabled_reason"))) for s in services)
    return ('<h4>Services (Cinder)</h4><table><thead><tr><th>Binary</th><th>Backend</th><th>State</th><th>Status</th>'
            '<th>Updated</th><th>Disabled reason</th></tr></thead><tbody>%s</tbody></table>' % rows)


def _node(kind: str, name: str, state: str, node: Dict[str, Any], summary_extra: str, body_top: str,
          drill: str, hardware: Dict[str, Any]) -> str:
    where = " &middot; ".join(x for x in (
        "zone <b>%s</b>" % _e(node.get("zone")) if node.get("zone") else "",
        "aggregates %s" % _e(", ".join(node.get("aggregates") or [])) if node.get("aggregates") else "") if x)
    return ('<article class="node %s" id="%s-%s" data-name="%s" data-kind="%s" data-state="%s">'
            '<div class=nh><span class=name>%s</span>%s<span class=where>%s</span>%s</div>'
            '<div class=nb>%s%s%s</div><details><summary>Details</summary>%s</details></article>' % (
                _e(state), _e(kind), _e(name), _e(name), _e(kind), _e(state), _e(name), _badge(state), where,
                summary_extra, body_top, _utilization(node), _hardware(name, hardware), drill))


def _names(values: Any) -> str:
    return ", ".join(sorted(_e(x) for x in values if x)) or "not reported"


def _kind_section(kind: str, title: str, nodes: List[str]) -> str:
    if not nodes:
        return '<section id="%s"><h2>%s</h2><p class=muted>none reported</p></section>' % (_e(kind), _e(title))
    return '<section id="%s"><h2>%s (%d)</h2><div class=nodes>%s</div></section>' % (_e(kind), _e(title), len(nodes), "".join(nodes))


def to_html(fleet: Dict[str, Any], hardware: Optional[Dict[str, Any]], generated_at: str) -> str:
    """The page for a fleet_info result and hardware_scan ``results`` at ``generated_at`` (ISO 8601)."""
    hardware = hardware or {}
    hosts = fleet.get("hosts") or {}
    servers = fleet.get("servers") or {}
    net_nodes = [n for n in fleet.get("network_nodes") or [] if isinstance(n, dict)]
    sto_nodes = [n for n in fleet.get("storage_nodes") or [] if isinstance(n, dict)]
    agents_on_compute = {n.get("name"): n for n in net_nodes if not n.get("network_node") and n.get("name") in hosts}
    counts: Dict[str, int] = {}
    clouds, regions = set(), set()
    compute = []
    for name in sorted(hosts):
        h = hosts[name]
        state = compute_state(h)
        counts[state] = counts.get(state, 0) + 1
        clouds.add(h.get("cloud"))
        regions.add(h.get("region"))
        svc = h.get("service") or {}
        extra = ' <span class=muted>nova-compute %s/%s%s</span>' % (
            _e(svc.get("state")), _e(svc.get("status")), ", window %s" % _e(h["maintenance"]) if h.get("maintenance") else "")
        agents = agents_on_compute.get(name)
        drill = _servers_table(h.get("servers") or [], servers) + (
            _agents_table(agents.get("agents") or []) if agents else '<p class=muted>Agents: none reported</p>')
        compute.append(_node("compute", name, state, h, extra, _capacity(h), drill, hardware))
    network = []
    for n in sorted((n for n in net_nodes if n.get("name") not in agents_on_compute), key=lambda n: str(n.get("name"))):
        state = _node_state(n)
        counts[state] = counts.get(state, 0) + 1
        clouds.add(n.get("cloud"))
        regions.add(n.get("region"))
        dead = sum(1 for a in n.get("agents") or [] if not a.get("alive"))
        extra = ' <span class=muted>roles %s &middot; %d agents, %d dead</span>' % (
            _e(", ".join(n.get("roles") or []) or "none"), len(n.get("agents") or []), dead)
        network.append(_node("network", str(n.get("name")), state, n, extra, "", _agents_table(n.get("agents") or []), hardware))
    storage = []
    for n in sorted(sto_nodes, key=lambda n: str(n.get("name"))):
        state = _node_state(n)
        counts[state] = counts.get(state, 0) + 1
        clouds.add(n.get("cloud"))
        regions.add(n.get("region"))
        bars, pools = _pools(n)
        storage.append(_node("storage", str(n.get("name")), state, n, "", bars, _services_table(n.get("services") or []) + pools,
                             hardware))
    cards = "".join('<div class="card %s"><span class=n>%d</span><span class=l>%s</span></div>' % (s, counts.get(s, 0), s)
                    for s in STATES if counts.get(s) or s in ("up", "down"))
    header = ('<header><h1>Fleet report</h1><p class=meta>Cloud(s) <b>%s</b> &middot; region(s) <b>%s</b> &middot; generated '
              '<time datetime="%s">%s</time> &middot; %d compute, %d network, %d storage nodes</p></header>' % (
                  _names(clouds), _names(regions), _e(generated_at), _e(generated_at), len(compute), len(network), len(storage)))
    sources = ('<p class=sources>Where the numbers come from: state from the Nova compute service (compute), Neutron agents '
               '(network) and Cinder services (storage); allocation and capacity from Placement inventories and usages; '
               'servers from Nova; pools from Cinder scheduler stats; power, health, temperatures, fans and PSUs from each '
               'host\'s BMC (Redfish or IPMI); measured use from the source named beside each value.</p>')
    warnings = "".join("<li>%s</li>" % _e(w) for w in fleet.get("warnings") or [])
    warn = '<ul class=warnings>%s</ul>' % warnings if warnings else ""
    return ('<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8"><meta name="viewport" '
            'content="width=device-width, initial-scale=1"><title>Fleet report %s</title><style>%s</style></head><body>%s<main>'
            '<section id="summary"><h2>Nodes by state</h2><div class=cards>%s</div>%s%s</section>%s%s%s</main>'
            '<footer>osfleet.day2 fleet report &middot; this page needs no network: everything is in this file.</footer>'
            '</body></html>\n' % (
                _e(generated_at), CSS, header, cards, sources, warn,
                _kind_section("compute", "Compute hosts", compute), _kind_section("network", "Network nodes", network),
                _kind_section("storage", "Storage nodes", storage)))
