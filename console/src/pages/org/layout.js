import { hierarchy, tree } from 'd3-hierarchy';

// Where each role of an org chart goes: d3-hierarchy's tidy tree
// (Reingold–Tilford) over the reporting lines, top down. A manager whose
// reports all have no reports of their own gets them stacked in columns
// below it instead of side by side, which keeps a chart of a thousand roles
// a few screens wide instead of a hundred. The columns are laid out as
// chains (each stacked role the only child of the one above), so the tidy
// tree keeps every other subtree clear of them.

export const cardWidth = 216;
export const cardHeight = 76;
const gapX = 28;
const gapY = 44;
const rowPitch = cardHeight + gapY;
const stackedIndent = 14;
const columnLength = 6;

function layoutTree(role) {
  const reports = role.reports ?? [];
  if (reports.length >= 3 && reports.every((report) => !report.reports?.length)) {
    const columns = Math.ceil(reports.length / columnLength);
    const perColumn = Math.ceil(reports.length / columns);
    const heads = [];
    for (let start = 0; start < reports.length; start += perColumn) {
      let above = null;
      for (const report of reports.slice(start, start + perColumn)) {
        const node = { role: report, manager: role, stacked: true, children: [] };
        if (above) above.children.push(node);
        else heads.push(node);
        above = node;
      }
    }
    return { role, children: heads };
  }
  return { role, children: reports.map(layoutTree) };
}

// chart.roles (top roles with their reports nested) to
//   nodes: [{id, role, managerId, x, y (the card's top left), depth}]
//   links: [{d (an SVG path), x0, y0, x1, y1 (its box)}]
//   bounds: {x0, y0, x1, y1}
export function layoutChart(topRoles) {
  const root = hierarchy({ role: null, children: topRoles.map(layoutTree) });
  tree()
    .nodeSize([cardWidth + gapX, rowPitch])
    .separation((a, b) => (a.parent === b.parent ? 1 : 1.12))(root);

  const nodes = [];
  const byId = new Map();
  for (const node of root.descendants()) {
    if (!node.data.role) continue;
    const stacked = Boolean(node.data.stacked);
    const entry = {
      id: node.data.role.id,
      role: node.data.role,
      managerId: node.data.role.reports_to_role_id,
      stacked,
      centreX: node.x,
      x: node.x - cardWidth / 2 + (stacked ? stackedIndent : 0),
      y: (node.depth - 1) * rowPitch,
    };
    nodes.push(entry);
    byId.set(entry.id, entry);
  }

  const links = [];
  for (const node of nodes) {
    const manager = byId.get(node.managerId);
    if (!manager) continue;
    const fromX = manager.x + cardWidth / 2;
    const fromY = manager.y + cardHeight;
    const middleY = fromY + gapY / 2;
    let d;
    let x0;
    let x1;
    if (node.stacked) {
      // Down the column's left side, then into the card.
      const spineX = node.x - stackedIndent / 2 - 4;
      const entryY = node.y + cardHeight / 2;
      d = `M${fromX},${fromY}V${middleY}H${spineX}V${entryY}H${node.x}`;
      x0 = Math.min(fromX, spineX);
      x1 = Math.max(fromX, node.x);
    } else {
      const toX = node.x + cardWidth / 2;
      d = `M${fromX},${fromY}V${middleY}H${toX}V${node.y}`;
      x0 = Math.min(fromX, toX);
      x1 = Math.max(fromX, toX);
    }
    links.push({ d, x0, y0: fromY, x1, y1: node.y + cardHeight });
  }

  const bounds = nodes.reduce(
    (box, node) => ({
      x0: Math.min(box.x0, node.x),
      y0: Math.min(box.y0, node.y),
      x1: Math.max(box.x1, node.x + cardWidth),
      y1: Math.max(box.y1, node.y + cardHeight),
    }),
    { x0: Infinity, y0: Infinity, x1: -Infinity, y1: -Infinity },
  );
  return { nodes, links, byId, bounds: nodes.length ? bounds : { x0: 0, y0: 0, x1: cardWidth, y1: cardHeight } };
}

// Keyboard moves between roles as the chart draws them: up to the manager,
// down to the first report, sideways to the neighbour on the same row under
// the same manager (a stacked column's neighbours are above and below).
export function neighbours(layout) {
  const reportsOf = new Map();
  for (const node of layout.nodes) {
    const key = node.managerId && layout.byId.has(node.managerId) ? node.managerId : null;
    if (!reportsOf.has(key)) reportsOf.set(key, []);
    reportsOf.get(key).push(node);
  }
  for (const list of reportsOf.values()) list.sort((a, b) => a.x - b.x || a.y - b.y);
  return {
    manager: (node) => layout.byId.get(node.managerId) ?? null,
    firstReport: (node) => reportsOf.get(node.id)?.[0] ?? null,
    sibling: (node, step) => {
      const list = reportsOf.get(node.managerId && layout.byId.has(node.managerId) ? node.managerId : null) ?? [];
      return list[list.indexOf(node) + step] ?? null;
    },
    top: () => reportsOf.get(null)?.[0] ?? null,
  };
}
