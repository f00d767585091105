// The province GeoJSON of echarts@4 as the dashboard needs it: decoded from
// ECharts' UTF8Encoding into plain coordinates and simplified for a map a few
// hundred pixels wide (Douglas–Peucker within `tolerance` degrees; islands
// smaller than `minArea` square degrees dropped, a region's largest ring always
// kept). Guangdong goes from 31,128 points to a few thousand, which is what
// makes the first paint of 一屏统览 fast. Feature ids and names are kept.

function decodeRing(text, [x0, y0], scale) {
  const ring = [];
  let x = x0;
  let y = y0;
  for (let i = 0; i < text.length; i += 2) {
    let dx = text.charCodeAt(i) - 64;
    let dy = text.charCodeAt(i + 1) - 64;
    dx = (dx >> 1) ^ -(dx & 1);  // zigzag
    dy = (dy >> 1) ^ -(dy & 1);
    x += dx;
    y += dy;
    ring.push([x / scale, y / scale]);
  }
  return ring;
}

// Polygons of a geometry as [[ring, …], …], decoded if need be.
function polygonsOf(geometry, encoded, scale) {
  const polygons = geometry.type === 'Polygon' ? [geometry.coordinates] : geometry.coordinates;
  const offsets = geometry.type === 'Polygon' ? [geometry.encodeOffsets] : geometry.encodeOffsets;
  return polygons.map((rings, p) =>
    rings.map((ring, r) => (encoded ? decodeRing(ring, offsets[p][r], scale) : ring)));
}

function area(ring) {
  let sum = 0;
  for (let i = 0, j = ring.length - 1; i < ring.length; j = i, i += 1) {
    sum += (ring[j][0] + ring[i][0]) * (ring[j][1] - ring[i][1]);
  }
  return Math.abs(sum / 2);
}

function distanceToSegment([px, py], [ax, ay], [bx, by]) {
  const dx = bx - ax;
  const dy = by - ay;
  const length = dx * dx + dy * dy;
  const t = length ? Math.max(0, Math.min(1, ((px - ax) * dx + (py - ay) * dy) / length)) : 0;
  return Math.hypot(px - (ax + t * dx), py - (ay + t * dy));
}

// Douglas–Peucker, iterative; the ring stays closed.
function simplifyRing(ring, tolerance) {
  if (ring.length <= 4) return ring;
  const keep = new Uint8Array(ring.length);
  keep[0] = 1;
  keep[ring.length - 1] = 1;
  const stack = [[0, ring.length - 1]];
  while (stack.length) {
    const [first, last] = stack.pop();
    let worst = -1;
    let index = -1;
    for (let i = first + 1; i < last; i += 1) {
      const d = distanceToSegment(ring[i], ring[first], ring[last]);
      if (d > worst) { worst = d; index = i; }
    }
    if (worst > tolerance) {
      keep[index] = 1;
      stack.push([first, index], [index, last]);
    }
  }
  const out = ring.filter((_, i) => keep[i]);
  return out.length >= 4 ? out : ring;
}

const round = (v) => Math.round(v * 1e3) / 1e3;  // about 100 m

export function simplifyProvince(json, { tolerance = 0.004, minArea = 0.0015 } = {}) {
  const scale = json.UTF8Scale ?? 1024;
  const features = json.features.map((feature) => {
    const polygons = polygonsOf(feature.geometry, !!json.UTF8Encoding, scale);
    const largest = Math.max(...polygons.map((rings) => area(rings[0])));
    const kept = polygons
      .filter((rings) => area(rings[0]) >= minArea || area(rings[0]) === largest)
      .map((rings) => rings.map((ring) => simplifyRing(ring, tolerance).map(([x, y]) => [round(x), round(y)])));
    return {
      type: 'Feature',
      id: feature.id,
      properties: feature.properties,
      geometry: kept.length === 1 ? { type: 'Polygon', coordinates: kept[0] } : { type: 'MultiPolygon', coordinates: kept },
    };
  });
  return { type: 'FeatureCollection', features };
}
