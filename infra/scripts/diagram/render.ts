import type { ArchitectureModel, ModelEdge, ModelNode } from './architecture-model';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 70;
const COLUMN_GAP = 130;
const ROW_GAP = 90;
const MARGIN = 30;
const TITLE_HEIGHT = 40;
const LEGEND_HEIGHT = 50;
/** Space between a panel's border and the boxes in it (more on top, for the panel's name). */
const PANEL_PAD = 20;
const PANEL_HEADER = 20;
/** Routing grid step and the clearance an edge keeps from every box. */
const STEP = 10;
const CLEARANCE = 10;

/** Fill colours per stack (by the stack's last path segment), in the spirit of the AWS icon palette. */
const STACK_COLOURS: Record<string, { fill: string; stroke: string; panel: string; name: string }> = {
  external: { fill: '#F2F2F2', stroke: '#7F7F7F', panel: '#FAFAFA', name: 'outside AWS' },
  Identity: { fill: '#F4E1F5', stroke: '#A24BA6', panel: '#FCF5FC', name: 'Identity stack (once per account)' },
  Registry: { fill: '#FDEBD3', stroke: '#D97A00', panel: '#FFF8EE', name: '<stage>/Registry stack' },
  Service: { fill: '#DDEBF7', stroke: '#2E73B8', panel: '#F3F8FD', name: '<stage>/Service stack' },
  aws: { fill: '#E6F4EA', stroke: '#3C8D50', panel: '#F4FAF5', name: 'AWS managed, switched on by the app' },
};

/** Bands, top to bottom: delivery, account-wide settings, the request path, observability. */
const DELIVERY = 0;
const ACCOUNT = 1;
const REQUEST = 2;
const OBSERVABILITY = 3;

/**
 * Where a construct goes, by the AWS resources it owns (first match wins). Columns follow the request path:
 * 0 outside AWS, 1 WAF, 2 API Gateway, 3 Lambda, 4 data. The deploy path runs above it and ends in ECR, right
 * above the function that pulls the image; logs and metrics sit below.
 */
const SLOTS: readonly { readonly owns: string; readonly column: number; readonly row: number }[] = [
  { owns: 'IAM OIDC provider', column: 1, row: DELIVERY },
  { owns: 'ECR repository', column: 3, row: DELIVERY },
  { owns: 'API Gateway account setting', column: 1, row: ACCOUNT },
  { owns: 'traces (managed)', column: 2, row: ACCOUNT },
  { owns: 'WAF web ACL', column: 1, row: REQUEST },
  { owns: 'API Gateway REST API', column: 2, row: REQUEST },
  { owns: 'Lambda function', column: 3, row: REQUEST },
  { owns: 'Firehose stream', column: 2, row: OBSERVABILITY },
  { owns: 'CloudWatch alarms', column: 3, row: OBSERVABILITY },
];
const DATA_COLUMN = 4;

export interface PlacedNode extends ModelNode {
  readonly x: number;
  readonly y: number;
}

export type Point = readonly [number, number];

export interface RoutedEdge extends ModelEdge {
  /** Drawn from `source` to `target`: the direction data flows (the "uses" edge turned round when `reverse`). */
  readonly source: string;
  readonly target: string;
  readonly points: readonly Point[];
  readonly labelBox: Box;
}

export interface Box {
  readonly x: number;
  readonly y: number;
  readonly width: number;
  readonly height: number;
}

export interface Panel extends Box {
  readonly stack: string;
  readonly title: string;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
  readonly edges: readonly RoutedEdge[];
  readonly panels: readonly Panel[];
}

const columnX = (column: number) => MARGIN + PANEL_PAD + column * (NODE_WIDTH + COLUMN_GAP);
const rowY = (row: number) => MARGIN + TITLE_HEIGHT + PANEL_PAD + PANEL_HEADER + row * (NODE_HEIGHT + ROW_GAP);

/** Grid cell of every node: by the slot table, the data column for buckets, next to their user for externals. */
function slotsOf(model: ArchitectureModel): Map<string, { column: number; row: number }> {
  const slots = new Map<string, { column: number; row: number }>();
  const taken = new Set<string>();
  const place = (id: string, column: number, row: number) => {
    while (taken.has(`${column},${row}`)) column++;
    taken.add(`${column},${row}`);
    slots.set(id, { column, row });
  };
  const aws = model.nodes.filter((n) => n.stack !== 'external');
  const usedByFunction = (n: ModelNode) =>
    model.edges.some(
      (e) => e.to === n.id && model.nodes.find((m) => m.id === e.from)?.resources.includes('Lambda function'),
    );
  const leftovers: ModelNode[] = [];
  for (const node of aws) {
    const slot = SLOTS.find((s) => node.resources.includes(s.owns));
    if (slot !== undefined) place(node.id, slot.column, slot.row);
    else if (node.resources.includes('S3 bucket') && usedByFunction(node)) place(node.id, DATA_COLUMN, REQUEST);
    else leftovers.push(node);
  }
  // Buckets nobody reads from code hold logs; anything else unknown goes at the end of the bottom band.
  for (const node of leftovers) {
    const isLogBucket = node.resources.includes('S3 bucket');
    place(node.id, isLogBucket ? DATA_COLUMN : 1, OBSERVABILITY);
  }
  for (const node of model.nodes.filter((n) => n.stack === 'external')) {
    const used = model.edges.find((e) => e.from === node.id && slots.has(e.to));
    place(node.id, 0, used === undefined ? OBSERVABILITY : slots.get(used.to)!.row);
  }
  return slots;
}

/**
 * Fixed bands and columns (see SLOTS), then orthogonal edges routed on a grid around the boxes, then one background
 * panel per stack. Pure and deterministic, so the committed diagram can be compared byte for byte.
 */
export function layoutModel(model: ArchitectureModel): Layout {
  const slots = slotsOf(model);
  const nodes: PlacedNode[] = model.nodes
    .map((n) => ({ ...n, x: columnX(slots.get(n.id)!.column), y: rowY(slots.get(n.id)!.row) }))
    .sort((a, b) => a.y - b.y || a.x - b.x);
  const columns = Math.max(...[...slots.values()].map((s) => s.column)) + 1;
  const rows = Math.max(...[...slots.values()].map((s) => s.row)) + 1;
  const width = columnX(columns - 1) + NODE_WIDTH + PANEL_PAD + MARGIN;
  const legendY = rowY(rows - 1) + NODE_HEIGHT + PANEL_PAD + 24;
  const height = legendY + LEGEND_HEIGHT;
  const byId = new Map(nodes.map((n) => [n.id, n]));
  const edges = routeEdges(model.edges, byId, width, legendY);
  return { width, height, nodes, edges, panels: panelsOf(nodes) };
}

function panelsOf(nodes: readonly PlacedNode[]): Panel[] {
  const stacks = [...new Set(nodes.map((n) => n.stack))];
  return stacks.map((stack) => {
    const inStack = nodes.filter((n) => n.stack === stack);
    const x = Math.min(...inStack.map((n) => n.x)) - PANEL_PAD;
    const y = Math.min(...inStack.map((n) => n.y)) - PANEL_PAD - PANEL_HEADER;
    const right = Math.max(...inStack.map((n) => n.x)) + NODE_WIDTH + PANEL_PAD;
    const bottom = Math.max(...inStack.map((n) => n.y)) + NODE_HEIGHT + PANEL_PAD;
    const title = stack === 'external' ? 'outside AWS' : stack === 'aws' ? 'AWS managed' : `${stack} stack`;
    return { stack, title, x, y, width: right - x, height: bottom - y };
  });
}

type Side = 'left' | 'right' | 'top' | 'bottom';
const DIRECTIONS: Record<Side, Point> = { left: [-1, 0], right: [1, 0], top: [0, -1], bottom: [0, 1] };

/** Which sides an edge leaves and enters by: sideways within a band, vertically between bands. */
function sidesOf(source: PlacedNode, target: PlacedNode): [Side, Side] {
  if (source.y === target.y) return source.x < target.x ? ['right', 'left'] : ['left', 'right'];
  return source.y < target.y ? ['bottom', 'top'] : ['top', 'bottom'];
}

function routeEdges(
  edges: readonly ModelEdge[],
  byId: ReadonlyMap<string, PlacedNode>,
  width: number,
  height: number,
): RoutedEdge[] {
  const oriented = edges.map((edge) => {
    const source = edge.reverse ? edge.to : edge.from;
    const target = edge.reverse ? edge.from : edge.to;
    const [exit, entry] = sidesOf(byId.get(source)!, byId.get(target)!);
    return { edge, source, target, exit, entry };
  });
  // Ports: the edges on one side of a box are spread along it, ordered by where their other end is.
  const ports = new Map<string, Point>();
  const ends = oriented.flatMap((o, index) => [
    { index, node: o.source, side: o.exit, other: o.target, role: 'exit' },
    { index, node: o.target, side: o.entry, other: o.source, role: 'entry' },
  ]);
  for (const end of ends) {
    const key = `${end.node}:${end.side}`;
    if (ports.has(`${key}:${end.index}:${end.role}`)) continue;
    const same = ends.filter((e) => `${e.node}:${e.side}` === key);
    const vertical = end.side === 'top' || end.side === 'bottom';
    const centre = (id: string) => {
      const n = byId.get(id)!;
      return vertical ? n.x + NODE_WIDTH / 2 : n.y + NODE_HEIGHT / 2;
    };
    same.sort((a, b) => centre(a.other) - centre(b.other) || a.index - b.index);
    const node = byId.get(end.node)!;
    same.forEach((e, i) => {
      const length = vertical ? NODE_WIDTH : NODE_HEIGHT;
      const offset = Math.round((length * (i + 1)) / (same.length + 1) / STEP) * STEP;
      const point: Point =
        e.side === 'left'
          ? [node.x, node.y + offset]
          : e.side === 'right'
            ? [node.x + NODE_WIDTH, node.y + offset]
            : e.side === 'top'
              ? [node.x + offset, node.y]
              : [node.x + offset, node.y + NODE_HEIGHT];
      ports.set(`${key}:${e.index}:${e.role}`, point);
    });
  }

  const grid = new RoutingGrid(width, height, [...byId.values()]);
  // Short edges first, so the main paths get the straight lines.
  const order = oriented
    .map((o, index) => ({ o, index }))
    .sort((a, b) => {
      const length = (x: (typeof oriented)[number]) => {
        const s = byId.get(x.source)!;
        const t = byId.get(x.target)!;
        return Math.abs(s.x - t.x) + Math.abs(s.y - t.y);
      };
      return length(a.o) - length(b.o) || a.index - b.index;
    });
  const routed: RoutedEdge[] = new Array(oriented.length);
  for (const { o, index } of order) {
    const start = ports.get(`${o.source}:${o.exit}:${index}:exit`)!;
    const end = ports.get(`${o.target}:${o.entry}:${index}:entry`)!;
    const points = grid.route(start, DIRECTIONS[o.exit], end, DIRECTIONS[o.entry]);
    if (points === undefined) throw new Error(`no route for ${o.source} -> ${o.target}`);
    const labelBox = grid.placeLabel(points, o.edge.label);
    routed[index] = { ...o.edge, source: o.source, target: o.target, points, labelBox };
  }
  return routed;
}

const LABEL_FONT = 10;
export const labelSize = (text: string) => ({ width: Math.ceil(text.length * 5.6) + 8, height: 14 });

/** A grid of STEP-sized cells; boxes (plus clearance) are walls, used cells cost more, bends cost most. */
class RoutingGrid {
  private readonly columns: number;
  private readonly rows: number;
  private readonly blocked: Uint8Array;
  private readonly used: Uint8Array;
  private readonly labels: Box[] = [];

  constructor(
    width: number,
    height: number,
    private readonly boxes: readonly PlacedNode[],
  ) {
    this.columns = Math.floor(width / STEP) + 1;
    this.rows = Math.floor(height / STEP) + 1;
    this.blocked = new Uint8Array(this.columns * this.rows);
    this.used = new Uint8Array(this.columns * this.rows);
    for (const box of boxes) {
      for (let gx = 0; gx < this.columns; gx++) {
        for (let gy = 0; gy < this.rows; gy++) {
          const x = gx * STEP;
          const y = gy * STEP;
          if (
            x > box.x - CLEARANCE &&
            x < box.x + NODE_WIDTH + CLEARANCE &&
            y > box.y - CLEARANCE &&
            y < box.y + NODE_HEIGHT + CLEARANCE
          )
            this.blocked[gy * this.columns + gx] = 1;
        }
      }
    }
  }

  /** Cheapest orthogonal path leaving `start` along `out` and entering `end` against `into` (Dijkstra). */
  route(start: Point, out: Point, end: Point, into: Point): Point[] | undefined {
    const from: Point = [start[0] / STEP + out[0] * (CLEARANCE / STEP), start[1] / STEP + out[1] * (CLEARANCE / STEP)];
    const to: Point = [end[0] / STEP + into[0] * (CLEARANCE / STEP), end[1] / STEP + into[1] * (CLEARANCE / STEP)];
    const dirs: Point[] = [
      [1, 0],
      [-1, 0],
      [0, 1],
      [0, -1],
    ];
    const key = (x: number, y: number, d: number) => (y * this.columns + x) * 4 + d;
    const cost = new Float64Array(this.columns * this.rows * 4).fill(Infinity);
    const previous = new Int32Array(this.columns * this.rows * 4).fill(-1);
    const startDir = dirs.findIndex((d) => d[0] === out[0] && d[1] === out[1]);
    const endDir = dirs.findIndex((d) => d[0] === -into[0] && d[1] === -into[1]);
    const heap = new MinHeap();
    cost[key(from[0], from[1], startDir)] = 0;
    heap.push(0, key(from[0], from[1], startDir));
    let found = -1;
    while (heap.size > 0) {
      const [c, k] = heap.pop();
      if (c > cost[k]) continue;
      const d = k % 4;
      const cell = (k - d) / 4;
      const x = cell % this.columns;
      const y = (cell - x) / this.columns;
      if (x === to[0] && y === to[1] && d === endDir) {
        found = k;
        break;
      }
      for (let nd = 0; nd < 4; nd++) {
        if (dirs[nd][0] === -dirs[d][0] && dirs[nd][1] === -dirs[d][1]) continue;
        const nx = x + dirs[nd][0];
        const ny = y + dirs[nd][1];
        if (nx < 0 || ny < 0 || nx >= this.columns || ny >= this.rows) continue;
        const ncell = ny * this.columns + nx;
        if (this.blocked[ncell]) continue;
        const next = c + 1 + (nd === d ? 0 : 12) + this.used[ncell] * 4;
        const nk = ncell * 4 + nd;
        if (next < cost[nk]) {
          cost[nk] = next;
          previous[nk] = k;
          heap.push(next, nk);
        }
      }
    }
    if (found < 0) return undefined;
    const cells: Point[] = [];
    for (let k = found; k >= 0; k = previous[k]) {
      const cell = (k - (k % 4)) / 4;
      this.used[cell] = Math.min(this.used[cell] + 1, 3);
      cells.push([(cell % this.columns) * STEP, Math.floor(cell / this.columns) * STEP]);
    }
    return simplify([start, ...cells.reverse(), end]);
  }

  /** A label box centred on the longest straight run of the edge that overlaps no box and no earlier label. */
  placeLabel(points: readonly Point[], text: string): Box {
    const { width, height } = labelSize(text);
    const candidates: { box: Box; score: number }[] = [];
    for (let i = 0; i + 1 < points.length; i++) {
      const [a, b] = [points[i], points[i + 1]];
      const length = Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]);
      for (const t of [0.5, 0.3, 0.7]) {
        const cx = a[0] + (b[0] - a[0]) * t;
        const cy = a[1] + (b[1] - a[1]) * t;
        const box = { x: Math.round(cx - width / 2), y: Math.round(cy - height / 2), width, height };
        const clear =
          !this.boxes.some((n) => overlaps(box, { x: n.x, y: n.y, width: NODE_WIDTH, height: NODE_HEIGHT })) &&
          !this.labels.some((l) => overlaps(box, l));
        candidates.push({ box, score: (clear ? 0 : 100_000) - length + (t === 0.5 ? 0 : 1) });
      }
    }
    candidates.sort((p, q) => p.score - q.score);
    this.labels.push(candidates[0].box);
    return candidates[0].box;
  }
}

/** Binary heap of [priority, value], ties broken by value so the order is deterministic. */
class MinHeap {
  private readonly items: [number, number][] = [];
  get size() {
    return this.items.length;
  }
  push(priority: number, value: number) {
    const items = this.items;
    items.push([priority, value]);
    let i = items.length - 1;
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (!less(items[i], items[parent])) break;
      [items[i], items[parent]] = [items[parent], items[i]];
      i = parent;
    }
  }
  pop(): [number, number] {
    const items = this.items;
    const top = items[0];
    const last = items.pop()!;
    if (items.length > 0) {
      items[0] = last;
      let i = 0;
      for (;;) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < items.length && less(items[l], items[m])) m = l;
        if (r < items.length && less(items[r], items[m])) m = r;
        if (m === i) break;
        [items[i], items[m]] = [items[m], items[i]];
        i = m;
      }
    }
    return top;
  }
}
const less = (a: [number, number], b: [number, number]) => a[0] < b[0] || (a[0] === b[0] && a[1] < b[1]);

function simplify(points: readonly Point[]): Point[] {
  const out: Point[] = [];
  for (const p of points) {
    if (out.length > 0 && out.at(-1)![0] === p[0] && out.at(-1)![1] === p[1]) continue;
    if (out.length >= 2) {
      const [a, b] = [out.at(-2)!, out.at(-1)!];
      if ((a[0] === b[0] && b[0] === p[0]) || (a[1] === b[1] && b[1] === p[1])) out.pop();
    }
    out.push(p);
  }
  return out;
}

export function overlaps(a: Box, b: Box): boolean {
  return a.x < b.x + b.width && b.x < a.x + a.width && a.y < b.y + b.height && b.y < a.y + a.height;
}

/** Whether the axis-parallel segment a–b passes through the inside of `box` (touching its border is fine). */
export function segmentCrossesBox(a: Point, b: Point, box: Box): boolean {
  const [x1, x2] = [Math.min(a[0], b[0]), Math.max(a[0], b[0])];
  const [y1, y2] = [Math.min(a[1], b[1]), Math.max(a[1], b[1])];
  return x1 < box.x + box.width && x2 > box.x && y1 < box.y + box.height && y2 > box.y;
}

function colourOf(stack: string) {
  return STACK_COLOURS[stack.split('/').at(-1)!] ?? STACK_COLOURS.external;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

const EDGE_COLOUR = '#444444';

function legendEntries(layout: Layout) {
  const stacks = new Set(layout.nodes.map((n) => n.stack.split('/').at(-1)!));
  return Object.entries(STACK_COLOURS)
    .filter(([key]) => stacks.has(key))
    .map(([, colour], index) => ({
      x: MARGIN + index * (LEGEND_WIDTH + 16),
      y: layout.height - LEGEND_HEIGHT + 8,
      colour,
    }));
}
const LEGEND_WIDTH = 230;
const LEGEND_NOTE = 'arrows: requests, data, images and telemetry flow in the arrow’s direction';

/** Relative label position along the path for diagrams.net (-1 = source end, 1 = target end). */
function relativePosition(points: readonly Point[], box: Box): number {
  const cx = box.x + box.width / 2;
  const cy = box.y + box.height / 2;
  let total = 0;
  let at = 0;
  for (let i = 0; i + 1 < points.length; i++) {
    const [a, b] = [points[i], points[i + 1]];
    const length = Math.abs(a[0] - b[0]) + Math.abs(a[1] - b[1]);
    if (segmentCrossesBox(a, b, { x: cx - 1, y: cy - 1, width: 2, height: 2 }) && at === 0)
      at = total + Math.abs(cx - a[0]) + Math.abs(cy - a[1]);
    total += length;
  }
  return Math.round(((2 * at) / total - 1) * 1000) / 1000;
}

function nodeLines(node: ModelNode): string[] {
  return wrap(node.resources, 40);
}

/** diagrams.net file: panels per stack, one vertex per construct, one routed and labelled edge per relation. */
export function toDrawio(model: ArchitectureModel, layout: Layout): string {
  const ids = new Map(layout.nodes.map((n, i) => [n.id, `n${i}`]));
  const cells: string[] = [
    '<mxCell id="0" />',
    '<mxCell id="1" parent="0" />',
    `<mxCell id="title" value="${xml(model.title)}" style="text;html=1;fontSize=16;fontStyle=1;align=left;verticalAlign=middle;" vertex="1" parent="1"><mxGeometry x="${MARGIN}" y="${MARGIN / 2}" width="${layout.width - 2 * MARGIN}" height="${TITLE_HEIGHT - 10}" as="geometry" /></mxCell>`,
  ];
  layout.panels.forEach((panel, index) => {
    const colour = colourOf(panel.stack);
    cells.push(
      `<mxCell id="panel${index}" value="${xml(panel.title)}" style="rounded=1;arcSize=4;absoluteArcSize=1;whiteSpace=wrap;html=1;fillColor=${colour.panel};strokeColor=${colour.stroke};dashed=1;fontSize=11;fontStyle=1;fontColor=${colour.stroke};align=left;verticalAlign=top;spacingLeft=8;spacingTop=2;" vertex="1" parent="1"><mxGeometry x="${panel.x}" y="${panel.y}" width="${panel.width}" height="${panel.height}" as="geometry" /></mxCell>`,
    );
  });
  for (const node of layout.nodes) {
    const colour = colourOf(node.stack);
    const value = `<b>${xml(node.label)}</b><br><font style=&quot;font-size:10px&quot;>${nodeLines(node).map(xml).join('<br>')}</font>`;
    cells.push(
      `<mxCell id="${ids.get(node.id)}" value="${xml(value).replace(/&amp;quot;/g, '&quot;')}" style="rounded=1;whiteSpace=wrap;html=1;fillColor=${colour.fill};strokeColor=${colour.stroke};fontSize=13;" vertex="1" parent="1"><mxGeometry x="${node.x}" y="${node.y}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" as="geometry" /></mxCell>`,
    );
  }
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  layout.edges.forEach((edge, index) => {
    const source = byId.get(edge.source)!;
    const target = byId.get(edge.target)!;
    const [start, end] = [edge.points[0], edge.points.at(-1)!];
    const fraction = (value: number, origin: number, size: number) =>
      Math.round(((value - origin) / size) * 1000) / 1000;
    const waypoints = edge.points
      .slice(1, -1)
      .map(([x, y]) => `<mxPoint x="${x}" y="${y}" />`)
      .join('');
    const points = waypoints === '' ? '' : `<Array as="points">${waypoints}</Array>`;
    const style = [
      'edgeStyle=none;rounded=0;html=1;endArrow=block;endFill=1;fontSize=10;labelBackgroundColor=#FFFFFF;',
      `strokeColor=${EDGE_COLOUR};`,
      `exitX=${fraction(start[0], source.x, NODE_WIDTH)};exitY=${fraction(start[1], source.y, NODE_HEIGHT)};exitPerimeter=0;`,
      `entryX=${fraction(end[0], target.x, NODE_WIDTH)};entryY=${fraction(end[1], target.y, NODE_HEIGHT)};entryPerimeter=0;`,
    ].join('');
    cells.push(
      `<mxCell id="e${index}" value="${xml(edge.label)}" style="${style}" edge="1" parent="1" source="${ids.get(edge.source)}" target="${ids.get(edge.target)}"><mxGeometry x="${relativePosition(edge.points, edge.labelBox)}" relative="1" as="geometry">${points}</mxGeometry></mxCell>`,
    );
  });
  legendEntries(layout).forEach(({ x, y, colour }, index) => {
    cells.push(
      `<mxCell id="legend${index}" value="${xml(colour.name)}" style="rounded=1;whiteSpace=wrap;html=1;fillColor=${colour.fill};strokeColor=${colour.stroke};fontSize=10;" vertex="1" parent="1"><mxGeometry x="${x}" y="${y}" width="${LEGEND_WIDTH}" height="20" as="geometry" /></mxCell>`,
    );
  });
  cells.push(
    `<mxCell id="legendNote" value="${xml(LEGEND_NOTE)}" style="text;html=1;fontSize=10;fontColor=#555555;align=left;verticalAlign=middle;" vertex="1" parent="1"><mxGeometry x="${MARGIN}" y="${layout.height - LEGEND_HEIGHT + 30}" width="${layout.width - 2 * MARGIN}" height="16" as="geometry" /></mxCell>`,
  );
  return [
    '<mxfile host="imagestore-infra" version="1" type="device">',
    `  <diagram id="architecture" name="Architecture">`,
    `    <mxGraphModel dx="${layout.width}" dy="${layout.height}" grid="1" gridSize="10" guides="1" tooltips="1" connect="1" arrows="1" fold="1" page="1" pageScale="1" pageWidth="${layout.width}" pageHeight="${layout.height}" math="0" shadow="0">`,
    '      <root>',
    ...cells.map((c) => `        ${c}`),
    '      </root>',
    '    </mxGraphModel>',
    '  </diagram>',
    '</mxfile>',
    '',
  ].join('\n');
}

/** The same picture as a standalone SVG for the README (no renderer needed, so it is byte-for-byte stable). */
export function toSvg(model: ArchitectureModel, layout: Layout): string {
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="Helvetica, Arial, sans-serif">`,
    `  <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="${EDGE_COLOUR}" /></marker></defs>`,
    `  <rect width="${layout.width}" height="${layout.height}" fill="#FFFFFF" />`,
    `  <text x="${MARGIN}" y="${MARGIN / 2 + 20}" font-size="16" font-weight="bold">${xml(model.title)}</text>`,
  ];
  for (const panel of layout.panels) {
    const colour = colourOf(panel.stack);
    out.push(
      `  <rect x="${panel.x}" y="${panel.y}" width="${panel.width}" height="${panel.height}" rx="6" fill="${colour.panel}" stroke="${colour.stroke}" stroke-dasharray="5 3" />`,
      `  <text x="${panel.x + 8}" y="${panel.y + 15}" font-size="11" font-weight="bold" fill="${colour.stroke}">${xml(panel.title)}</text>`,
    );
  }
  for (const node of layout.nodes) {
    const colour = colourOf(node.stack);
    const cx = node.x + NODE_WIDTH / 2;
    const lines = nodeLines(node);
    const top = node.y + NODE_HEIGHT / 2 - (lines.length * 13) / 2 - 2;
    out.push(
      `  <g><rect x="${node.x}" y="${node.y}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="8" fill="${colour.fill}" stroke="${colour.stroke}" stroke-width="1.5" />`,
      `    <text x="${cx}" y="${top}" text-anchor="middle" font-size="13" font-weight="bold">${xml(node.label)}</text>`,
      ...lines.map(
        (line, i) =>
          `    <text x="${cx}" y="${top + 17 + i * 13}" text-anchor="middle" font-size="10">${xml(line)}</text>`,
      ),
      '  </g>',
    );
  }
  for (const edge of layout.edges) {
    const d = edge.points.map(([x, y], i) => `${i === 0 ? 'M' : 'L'} ${x} ${y}`).join(' ');
    out.push(`  <path d="${d}" fill="none" stroke="${EDGE_COLOUR}" stroke-width="1.3" marker-end="url(#arrow)" />`);
  }
  for (const edge of layout.edges) {
    const box = edge.labelBox;
    out.push(
      `  <rect x="${box.x}" y="${box.y}" width="${box.width}" height="${box.height}" rx="3" fill="#FFFFFF" fill-opacity="0.92" />`,
      `  <text x="${box.x + box.width / 2}" y="${box.y + box.height - 4}" text-anchor="middle" font-size="${LABEL_FONT}" fill="#222222">${xml(edge.label)}</text>`,
    );
  }
  for (const { x, y, colour } of legendEntries(layout)) {
    out.push(
      `  <rect x="${x}" y="${y}" width="${LEGEND_WIDTH}" height="20" rx="5" fill="${colour.fill}" stroke="${colour.stroke}" />`,
      `  <text x="${x + LEGEND_WIDTH / 2}" y="${y + 14}" text-anchor="middle" font-size="10">${xml(colour.name)}</text>`,
    );
  }
  out.push(
    `  <text x="${MARGIN}" y="${layout.height - LEGEND_HEIGHT + 42}" font-size="10" fill="#555555">${xml(LEGEND_NOTE)}</text>`,
  );
  out.push('</svg>', '');
  return out.join('\n');
}

/** At most two lines of comma-separated items, each at most `max` characters. */
function wrap(items: readonly string[], max: number): string[] {
  const lines: string[] = [];
  for (const item of items) {
    const last = lines.at(-1);
    if (last !== undefined && `${last}, ${item}`.length <= max) lines[lines.length - 1] = `${last}, ${item}`;
    else lines.push(item);
  }
  return lines.length <= 2 ? lines : [lines[0], `${lines[1]}, …`];
}
