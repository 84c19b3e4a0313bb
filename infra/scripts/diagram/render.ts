import type { ArchitectureModel, ModelNode } from './architecture-model';

const NODE_WIDTH = 240;
const NODE_HEIGHT = 76;
const COLUMN_GAP = 90;
const ROW_GAP = 36;
const MARGIN = 40;
const TITLE_HEIGHT = 64;
const LEGEND_HEIGHT = 40;

/** Fill colours per stack (by the stack's last path segment), in the spirit of the AWS icon palette. */
const STACK_COLOURS: Record<string, { fill: string; stroke: string; name: string }> = {
  Identity: { fill: '#F4E1F5', stroke: '#A24BA6', name: 'identity stack (once per account)' },
  Registry: { fill: '#FDEBD3', stroke: '#D97A00', name: '<stage>/Registry stack' },
  Service: { fill: '#DDEBF7', stroke: '#2E73B8', name: '<stage>/Service stack' },
  external: { fill: '#F2F2F2', stroke: '#7F7F7F', name: 'outside AWS' },
};

export interface PlacedNode extends ModelNode {
  readonly x: number;
  readonly y: number;
}

export interface Layout {
  readonly width: number;
  readonly height: number;
  readonly nodes: readonly PlacedNode[];
}

/**
 * Layered left-to-right layout: a node sits one column right of the rightmost node that uses it, so arrows
 * ("uses") point right. Within a column, nodes are ordered by the rows of their users, then by name. Pure and
 * deterministic, so the committed diagram can be compared byte for byte.
 */
export function layoutModel(model: ArchitectureModel): Layout {
  const column = new Map(model.nodes.map((n) => [n.id, 0]));
  for (let pass = 0; pass < model.nodes.length; pass++) {
    let changed = false;
    for (const edge of model.edges) {
      const next = (column.get(edge.from) ?? 0) + 1;
      if (next > (column.get(edge.to) ?? 0)) {
        column.set(edge.to, next);
        changed = true;
      }
    }
    if (!changed) break;
  }
  const columns = [...new Set(column.values())].sort((a, b) => a - b);
  const row = new Map<string, number>();
  const placed: PlacedNode[] = [];
  for (const c of columns) {
    const inColumn = model.nodes.filter((n) => column.get(n.id) === c);
    const weight = (n: ModelNode) => {
      const users = model.edges.filter((e) => e.to === n.id && row.has(e.from)).map((e) => row.get(e.from)!);
      return users.length === 0 ? Number.MAX_SAFE_INTEGER : users.reduce((a, b) => a + b, 0) / users.length;
    };
    inColumn.sort((a, b) => weight(a) - weight(b) || a.id.localeCompare(b.id));
    inColumn.forEach((node, index) => {
      row.set(node.id, index);
      placed.push({
        ...node,
        x: MARGIN + c * (NODE_WIDTH + COLUMN_GAP),
        y: MARGIN + TITLE_HEIGHT + index * (NODE_HEIGHT + ROW_GAP),
      });
    });
  }
  const rows = Math.max(...columns.map((c) => model.nodes.filter((n) => column.get(n.id) === c).length));
  return {
    width: MARGIN * 2 + columns.length * NODE_WIDTH + (columns.length - 1) * COLUMN_GAP,
    height: MARGIN * 2 + TITLE_HEIGHT + rows * NODE_HEIGHT + (rows - 1) * ROW_GAP + LEGEND_HEIGHT,
    nodes: placed,
  };
}

type Point = readonly [number, number];

/**
 * Where an arrow runs: straight into the next column, or, when it skips columns, along the free channel above the
 * target's row (rows line up across columns, so the channel never crosses a box) and down the column gaps.
 */
export function routeEdge(from: PlacedNode, to: PlacedNode, lane = 0): Point[] {
  const start: Point = [from.x + NODE_WIDTH, from.y + NODE_HEIGHT / 2];
  const end: Point = [to.x, to.y + NODE_HEIGHT / 2];
  const span = Math.round((to.x - from.x) / (NODE_WIDTH + COLUMN_GAP));
  if (span === 1) return [start, end];
  // Lanes keep parallel arrows apart.
  const offset = (lane % 5) * 7;
  const leave = start[0] + 16 + offset;
  const enter = end[0] - 16 - offset;
  const channel = to.y - 8 - offset;
  return [start, [leave, start[1]], [leave, channel], [enter, channel], [enter, end[1]], end];
}

function colourOf(stack: string) {
  return STACK_COLOURS[stack.split('/').at(-1)!] ?? STACK_COLOURS.external;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}

/** diagrams.net file: one vertex per construct, one edge per "uses" relation, a legend per stack kind. */
export function toDrawio(model: ArchitectureModel, layout: Layout): string {
  const ids = new Map(layout.nodes.map((n, i) => [n.id, `n${i}`]));
  const cells: string[] = [
    '<mxCell id="0" />',
    '<mxCell id="1" parent="0" />',
    `<mxCell id="title" value="${xml(model.title)}" style="text;html=1;fontSize=16;fontStyle=1;align=left;verticalAlign=middle;" vertex="1" parent="1"><mxGeometry x="${MARGIN}" y="${MARGIN / 2}" width="${layout.width - 2 * MARGIN}" height="${TITLE_HEIGHT}" as="geometry" /></mxCell>`,
  ];
  for (const node of layout.nodes) {
    const colour = colourOf(node.stack);
    const value = `<b>${xml(node.label)}</b><br><font style=&quot;font-size:10px&quot;>${xml(node.resources.join(', '))}</font><br><font style=&quot;font-size:9px&quot; color=&quot;#555555&quot;>${xml(node.stack)}</font>`;
    cells.push(
      `<mxCell id="${ids.get(node.id)}" value="${xml(value).replace(/&amp;quot;/g, '&quot;')}" style="rounded=1;whiteSpace=wrap;html=1;fillColor=${colour.fill};strokeColor=${colour.stroke};fontSize=12;" vertex="1" parent="1"><mxGeometry x="${node.x}" y="${node.y}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" as="geometry" /></mxCell>`,
    );
  }
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  model.edges.forEach((edge, index) => {
    const route = routeEdge(byId.get(edge.from)!, byId.get(edge.to)!, index);
    const waypoints = route
      .slice(1, -1)
      .map(([x, y]) => `<mxPoint x="${x}" y="${y}" />`)
      .join('');
    const points = waypoints === '' ? '' : `<Array as="points">${waypoints}</Array>`;
    cells.push(
      `<mxCell id="e${index}" style="edgeStyle=none;rounded=1;html=1;endArrow=block;endFill=1;strokeColor=#555555;exitX=1;exitY=0.5;entryX=0;entryY=0.5;" edge="1" parent="1" source="${ids.get(edge.from)}" target="${ids.get(edge.to)}"><mxGeometry relative="1" as="geometry">${points}</mxGeometry></mxCell>`,
    );
  });
  legendEntries(layout).forEach(({ x, y, colour }, index) => {
    cells.push(
      `<mxCell id="legend${index}" value="${xml(colour.name)}" style="rounded=1;whiteSpace=wrap;html=1;fillColor=${colour.fill};strokeColor=${colour.stroke};fontSize=10;" vertex="1" parent="1"><mxGeometry x="${x}" y="${y}" width="${LEGEND_WIDTH}" height="24" as="geometry" /></mxCell>`,
    );
  });
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

const LEGEND_WIDTH = 230;

function legendEntries(layout: Layout) {
  return Object.values(STACK_COLOURS).map((colour, index) => ({
    x: MARGIN + index * (LEGEND_WIDTH + 20),
    y: layout.height - MARGIN / 2 - LEGEND_HEIGHT + 8,
    colour,
  }));
}

/** The same picture as a standalone SVG for the README (no renderer needed, so it is byte-for-byte stable). */
export function toSvg(model: ArchitectureModel, layout: Layout): string {
  const byId = new Map(layout.nodes.map((n) => [n.id, n]));
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${layout.width}" height="${layout.height}" viewBox="0 0 ${layout.width} ${layout.height}" font-family="Helvetica, Arial, sans-serif">`,
    '  <defs><marker id="arrow" viewBox="0 0 10 10" refX="10" refY="5" markerWidth="8" markerHeight="8" orient="auto-start-reverse"><path d="M 0 0 L 10 5 L 0 10 z" fill="#555555" /></marker></defs>',
    `  <rect width="${layout.width}" height="${layout.height}" fill="#FFFFFF" />`,
    `  <text x="${MARGIN}" y="${MARGIN / 2 + 22}" font-size="16" font-weight="bold">${xml(model.title)}</text>`,
  ];
  for (const [index, edge] of model.edges.entries()) {
    const from = byId.get(edge.from)!;
    const to = byId.get(edge.to)!;
    const route = routeEdge(from, to, index);
    const d = route.map(([x, y], i) => `${i === 0 ? 'M' : 'L'} ${x} ${y}`).join(' ');
    out.push(
      `  <path d="${d}" fill="none" stroke="#555555" stroke-width="1.2" stroke-linejoin="round" marker-end="url(#arrow)" />`,
    );
  }
  for (const node of layout.nodes) {
    const colour = colourOf(node.stack);
    const cx = node.x + NODE_WIDTH / 2;
    out.push(
      `  <g><rect x="${node.x}" y="${node.y}" width="${NODE_WIDTH}" height="${NODE_HEIGHT}" rx="8" fill="${colour.fill}" stroke="${colour.stroke}" stroke-width="1.5" />`,
      `    <text x="${cx}" y="${node.y + 20}" text-anchor="middle" font-size="13" font-weight="bold">${xml(node.label)}</text>`,
      ...wrap(node.resources, 42).map(
        (line, i) =>
          `    <text x="${cx}" y="${node.y + 37 + i * 13}" text-anchor="middle" font-size="10">${xml(line)}</text>`,
      ),
      `    <text x="${cx}" y="${node.y + 67}" text-anchor="middle" font-size="9" fill="#555555">${xml(node.stack)}</text></g>`,
    );
  }
  for (const { x, y, colour } of legendEntries(layout)) {
    out.push(
      `  <rect x="${x}" y="${y}" width="${LEGEND_WIDTH}" height="24" rx="6" fill="${colour.fill}" stroke="${colour.stroke}" />`,
      `  <text x="${x + LEGEND_WIDTH / 2}" y="${y + 16}" text-anchor="middle" font-size="10">${xml(colour.name)}</text>`,
    );
  }
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
