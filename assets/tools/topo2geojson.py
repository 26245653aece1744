#!/usr/bin/env python3
"""Convert the world-atlas TopoJSON files into the GeoJSON files of assets/data.

Kept for reproducibility; not run by CI. Usage (from the repository root):

    cd "$(mktemp -d)" && npm pack world-atlas@2.0.2 && tar xzf world-atlas-2.0.2.tgz
    python3 /path/to/assets/tools/topo2geojson.py "$PWD/package" /path/to/assets/data

Reads countries-110m.json (Natural Earth 1:110m). Writes land.geojson, countries.geojson and borders.geojson: RFC 7946
FeatureCollections in lon/lat (EPSG:4326), coordinates rounded to 4 decimals,
polygon exterior rings counter-clockwise and holes clockwise.
"""
import json
import os
import sys

PRECISION = 4


def decode_arcs(topo):
    """Return the arcs as lists of absolute (lon, lat) floats."""
    tr = topo.get("transform")
    out = []
    for arc in topo["arcs"]:
        pts = []
        if tr:
            (sx, sy), (tx, ty) = tr["scale"], tr["translate"]
            x = y = 0
            for dx, dy in arc:
                x += dx
                y += dy
                pts.append((x * sx + tx, y * sy + ty))
        else:
            pts = [(p[0], p[1]) for p in arc]
        out.append(pts)
    return out


def arc_points(arcs, i):
    return arcs[i] if i >= 0 else arcs[~i][::-1]


def stitch(arcs, indexes):
    """Join a list of arc indexes into one line, dropping shared end points."""
    pts = []
    for i in indexes:
        a = arc_points(arcs, i)
        pts.extend(a if not pts else a[1:])
    return pts


def rnd(pts):
    """Round to PRECISION decimals and drop consecutive duplicates."""
    out = []
    for x, y in pts:
        p = [round(x, PRECISION), round(y, PRECISION)]
        if not out or out[-1] != p:
            out.append(p)
    return out


def signed_area(ring):
    s = 0.0
    for (x1, y1), (x2, y2) in zip(ring, ring[1:]):
        s += x1 * y2 - x2 * y1
    return s / 2


def orient(ring, ccw):
    if (signed_area(ring) > 0) != ccw:
        ring = ring[::-1]
    return ring


def unwrap(pts):
    """Shift longitudes by multiples of 360 so that no step exceeds 180 degrees."""
    out = [pts[0]]
    for x, y in pts[1:]:
        px = out[-1][0]
        while x - px > 180:
            x -= 360
        while x - px < -180:
            x += 360
        out.append((x, y))
    return out


def clip_strip(ring, lo, hi):
    """Sutherland-Hodgman clip of a closed ring to lo <= x <= hi."""
    def clip(pts, inside, cut):
        out = []
        n = len(pts)
        for i in range(n):
            a, b = pts[i - 1], pts[i]
            if inside(b):
                if not inside(a):
                    out.append(cut(a, b))
                out.append(b)
            elif inside(a):
                out.append(cut(a, b))
        return out

    def at_x(xc):
        def cut(a, b):
            t = (xc - a[0]) / (b[0] - a[0])
            return (xc, a[1] + t * (b[1] - a[1]))
        return cut

    pts = ring[:-1] if ring[0] == ring[-1] else ring
    pts = clip(pts, lambda p: p[0] >= lo, at_x(lo))
    if pts:
        pts = clip(pts, lambda p: p[0] <= hi, at_x(hi))
    return pts


def split_ring(pts):
    """Cut one ring at the antimeridian (RFC 7946 3.1.9).

    Returns {strip: ring} where strip j means the ring was shifted by -360*j.
    A ring that winds around a pole (Antarctica) is closed through that pole.
    """
    u = unwrap(pts)
    if u[0] != u[-1] and abs(u[-1][0] - u[0][0]) > 180:
        pole = -90.0 if sum(y for _, y in u) < 0 else 90.0
        u = u + [(u[-1][0], pole), (u[0][0], pole)]
    xs = [x for x, _ in u]
    if min(xs) >= -180 and max(xs) <= 180:
        return {0: u}
    out = {}
    j = int((min(xs) + 180) // 360)
    while -180 + 360 * j < max(xs):
        c = clip_strip(u, -180 + 360 * j, 180 + 360 * j)
        if len(c) >= 3:
            out[j] = [(x - 360 * j, y) for x, y in c]
        j += 1
    return out


def polygon(arcs, rings):
    """One TopoJSON polygon -> a list of GeoJSON polygons (cut at +-180)."""
    strips = {}
    for k, r in enumerate(rings):
        for j, ring in split_ring(stitch(arcs, r)).items():
            ring = rnd(ring)
            if ring[0] != ring[-1]:
                ring.append(list(ring[0]))
            if len(ring) < 4:
                continue  # collapsed by rounding
            if k == 0:
                strips[j] = [orient(ring, ccw=True)]
            elif j in strips:
                strips[j].append(orient(ring, ccw=False))
    return [strips[j] for j in sorted(strips)]


def geometry(arcs, g):
    t = g.get("type")
    if t == "Polygon":
        ps = polygon(arcs, g["arcs"])
    elif t == "MultiPolygon":
        ps = [p for rs in g["arcs"] for p in polygon(arcs, rs)]
    else:
        return None
    if not ps:
        return None
    if len(ps) == 1:
        return {"type": "Polygon", "coordinates": ps[0]}
    return {"type": "MultiPolygon", "coordinates": ps}


def features(topo, name, props):
    arcs = decode_arcs(topo)
    out = []
    for g in topo["objects"][name]["geometries"]:
        geom = geometry(arcs, g)
        if geom is None:
            continue
        f = {"type": "Feature", "properties": props(g), "geometry": geom}
        if "id" in g:
            f["id"] = g["id"]
        out.append(f)
    return out


def arc_ids(g):
    """Yield every arc index (normalised to >= 0) used by a geometry."""
    rings = g["arcs"] if g["type"] == "Polygon" else [r for p in g["arcs"] for r in p]
    for r in rings:
        for i in r:
            yield i if i >= 0 else ~i


def borders(topo, name):
    """The mesh of arcs shared by two different geometries (topojson.mesh a !== b)."""
    arcs = decode_arcs(topo)
    users = {}
    for n, g in enumerate(topo["objects"][name]["geometries"]):
        if g.get("type") not in ("Polygon", "MultiPolygon"):
            continue
        for i in arc_ids(g):
            users.setdefault(i, set()).add(n)
    shared = sorted(i for i, u in users.items() if len(u) >= 2)
    # Merge arcs end to end into longer lines where exactly two meet.
    lines = [arcs[i] for i in shared]
    merged = merge_lines(lines)
    coords = [l for l in (rnd(p) for m in merged for p in split_line(m))
              if len(l) >= 2]
    return [{
        "type": "Feature",
        "properties": {"kind": "country boundary"},
        "geometry": {"type": "MultiLineString", "coordinates": coords},
    }]


def split_line(pts):
    """Cut a line where it crosses the antimeridian."""
    parts = [[pts[0]]]
    for a, b in zip(pts, pts[1:]):
        if abs(b[0] - a[0]) > 180:
            bx = b[0] - 360 if b[0] > a[0] else b[0] + 360
            edge = 180 if bx > a[0] else -180
            t = (edge - a[0]) / (bx - a[0])
            y = a[1] + t * (b[1] - a[1])
            parts[-1].append((edge, y))
            parts.append([(-edge, y)])
        parts[-1].append(b)
    return parts


def merge_lines(lines):
    """Greedily join lines that share end points; keeps every vertex once."""
    key = lambda p: (round(p[0], 9), round(p[1], 9))
    lines = [list(l) for l in lines]
    changed = True
    while changed:
        changed = False
        ends = {}
        for n, l in enumerate(lines):
            ends.setdefault(key(l[0]), []).append(n)
            ends.setdefault(key(l[-1]), []).append(n)
        used = set()
        out = []
        for n, l in enumerate(lines):
            if n in used:
                continue
            used.add(n)
            cur = l
            for _ in range(2):
                while True:
                    cand = [m for m in ends.get(key(cur[-1]), []) if m not in used]
                    if len(ends.get(key(cur[-1]), [])) != 2 or not cand:
                        break
                    m = cand[0]
                    used.add(m)
                    nxt = lines[m]
                    if key(nxt[0]) == key(cur[-1]):
                        cur = cur + nxt[1:]
                    else:
                        cur = cur + nxt[::-1][1:]
                    changed = True
                cur = cur[::-1]
            out.append(cur)
        lines = out
    return lines


def write(path, feats):
    fc = {"type": "FeatureCollection", "features": feats}
    with open(path, "w") as f:
        json.dump(fc, f, separators=(",", ":"))
        f.write("\n")
    print(f"{path}: {len(feats)} features, {os.path.getsize(path)} bytes")


def main():
    src, dst = sys.argv[1], sys.argv[2]
    # Land, countries and borders all come from countries-110m.json: its
    # "land" object is the merge of the countries, so coastlines coincide.
    with open(os.path.join(src, "countries-110m.json")) as f:
        countries = json.load(f)
    write(os.path.join(dst, "land.geojson"), features(countries, "land", lambda g: {}))
    write(os.path.join(dst, "countries.geojson"),
          features(countries, "countries", lambda g: {"name": g["properties"]["name"]}))
    write(os.path.join(dst, "borders.geojson"), borders(countries, "countries"))


if __name__ == "__main__":
    main()
