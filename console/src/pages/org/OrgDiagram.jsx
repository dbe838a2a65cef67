import { useCallback, useEffect, useLayoutEffect, useMemo, useRef, useState } from 'preact/hooks';
import { cardHeight, cardWidth, neighbours } from './layout.js';

// The org chart as SVG. Pan and zoom move one group (a transform attribute
// set once per animation frame, never through a re-render); what is drawn
// is only what lies within a margin around the screen, and less of each
// card as the chart gets small (at a quarter of its size a card's text
// cannot be read, and drawing it for a thousand cards is what makes a
// frame late). The nodes are redrawn only when the screen leaves that
// margin or the zoom crosses a level of detail.

const minScale = 0.02;
const maxScale = 2.5;
const detailFor = (scale) => (scale >= 0.5 ? 'full' : scale >= 0.25 ? 'name' : 'box');
const reducedMotion = window.matchMedia('(prefers-reduced-motion: reduce)');

function clip(text, length) {
  if (!text) return '';
  return text.length > length ? `${text.slice(0, length - 1)}…` : text;
}

// A name in at most `count` lines of `width` characters, words kept whole
// where they fit, an ellipsis where the name does not.
function wrap(text, width, count) {
  const lines = [];
  let line = '';
  for (const word of (text ?? '').split(/\s+/).filter(Boolean)) {
    const joined = line ? `${line} ${word}` : word;
    if (joined.length <= width) line = joined;
    else {
      if (line) lines.push(line);
      line = word;
    }
  }
  if (line) lines.push(line);
  const kept = lines.slice(0, count).map((entry) => clip(entry, width));
  if (lines.length > count) kept[count - 1] = `${kept[count - 1].slice(0, width - 1)}…`;
  return kept;
}

function agentLine(role) {
  if (!role.agents?.length) return 'Vacant';
  const names = role.agents.map((agent) => agent.name);
  return names.length === 1 ? names[0] : `${names.length} agents: ${names.join(', ')}`;
}

// Names only, large enough to read at a third of the full size.
function NameLines({ lines }) {
  return (
    <text class="org-card-name large" x="16" y={lines.length === 1 ? 46 : 33}>
      {lines.map((line, index) => (
        <tspan key={index} x="16" dy={index ? 26 : 0}>
          {line}
        </tspan>
      ))}
    </text>
  );
}

function Card({ node, detail, department, colour, selected, matched }) {
  const role = node.role;
  const classes = ['org-card'];
  if (role.vacant) classes.push('vacant');
  if (selected) classes.push('selected');
  if (matched) classes.push('matched');
  return (
    <g class={classes.join(' ')} transform={`translate(${node.x},${node.y})`} data-role-id={node.id}>
      <rect class="org-card-box" width={cardWidth} height={cardHeight} rx="8" />
      <rect class={`org-card-stripe department-${colour}`} width="6" height={cardHeight} rx="3" />
      {detail === 'full' && (
        <>
          <text class="org-card-name" x="16" y="22">
            {clip(role.name, 23)}
          </text>
          <text class="org-card-meta" x="16" y="42">
            {clip(`${role.level}${department ? ` · ${department}` : ''}`, 29)}
          </text>
          <text class={role.vacant ? 'org-card-agents vacant-text' : 'org-card-agents'} x="16" y="62">
            {clip(agentLine(role), 29)}
          </text>
        </>
      )}
      {detail === 'name' && (
        <NameLines lines={wrap(role.name, 15, 2)} />
      )}
    </g>
  );
}

// `controls` (a ref) receives fit, centreOn and zoomBy for the page's buttons and search;
// onOpen(id) is Enter on the selected role.
export function OrgDiagram({ layout, departments, colourOf, selectedId, matchedIds, onSelect, onOpen, label, helpId, controls }) {
  const container = useRef(null);
  const world = useRef(null);
  const view = useRef({ x: 0, y: 0, k: 1 });
  const size = useRef({ width: 800, height: 600 });
  const frame = useRef(0);
  const animation = useRef(0);
  const tween = useRef(null);
  const [drawn, setDrawn] = useState({ x0: 0, y0: 0, x1: 0, y1: 0, detail: 'full' });
  const drawnRef = useRef(drawn);
  const moves = useMemo(() => neighbours(layout), [layout]);

  // The part of the chart the screen shows, in chart coordinates.
  const visible = () => {
    const { x, y, k } = view.current;
    const { width, height } = size.current;
    return { x0: -x / k, y0: -y / k, x1: (width - x) / k, y1: (height - y) / k };
  };

  // apply(false) draws only what the screen shows, without the margin (the
  // first view, drawn sooner); requestAnimationFrame(apply) passes a time, true.
  const apply = useCallback((withMargin = true) => {
    frame.current = 0;
    const { x, y, k } = view.current;
    world.current?.setAttribute('transform', `translate(${x},${y}) scale(${k})`);
    const seen = visible();
    const detail = detailFor(k);
    const current = drawnRef.current;
    const inside = seen.x0 >= current.x0 && seen.y0 >= current.y0 && seen.x1 <= current.x1 && seen.y1 <= current.y1;
    if (!inside || detail !== current.detail || !withMargin) {
      // A margin on every side, so that a pan redraws once per margin
      // crossed: a screen's width for small cards, half of one for full
      // cards, whose text makes each redraw (and a zoom into them) dearer.
      const share = !withMargin ? 0 : detail === 'full' ? 0.5 : 1;
      const marginX = (seen.x1 - seen.x0) * share;
      const marginY = (seen.y1 - seen.y0) * share;
      const next = { x0: seen.x0 - marginX, y0: seen.y0 - marginY, x1: seen.x1 + marginX, y1: seen.y1 + marginY, detail };
      drawnRef.current = next;
      setDrawn(next);
    }
  }, []);

  const schedule = useCallback(() => {
    if (!frame.current) frame.current = requestAnimationFrame(apply);
  }, [apply]);

  const setView = useCallback(
    (next) => {
      cancelAnimationFrame(animation.current);
      tween.current = null;
      view.current = { ...next, k: Math.min(maxScale, Math.max(minScale, next.k)) };
      schedule();
    },
    [schedule],
  );

  // Eases to a view over 300 ms (at once for people who ask for less motion).
  const animateTo = useCallback(
    (target) => {
      cancelAnimationFrame(animation.current);
      if (reducedMotion.matches) {
        setView(target);
        return;
      }
      tween.current = { start: { ...view.current }, target, began: performance.now() };
      const step = (now) => {
        const { start, target: end, began } = tween.current;
        const t = Math.min(1, (now - began) / 300);
        const eased = 1 - (1 - t) ** 3;
        view.current = {
          x: start.x + (end.x - start.x) * eased,
          y: start.y + (end.y - start.y) * eased,
          k: start.k + (end.k - start.k) * eased,
        };
        apply();
        if (t < 1) animation.current = requestAnimationFrame(step);
        else tween.current = null;
      };
      animation.current = requestAnimationFrame(step);
    },
    [apply, setView],
  );

  const fitScale = useCallback(() => {
    const { x0, y0, x1, y1 } = layout.bounds;
    const { width, height } = size.current;
    return Math.min(1, Math.max(minScale, Math.min((width - 32) / (x1 - x0), (height - 32) / (y1 - y0))));
  }, [layout]);

  const fit = useCallback(
    (animated = true) => {
      const { x0, y0, x1, y1 } = layout.bounds;
      const { width, height } = size.current;
      const k = fitScale();
      const target = { k, x: (width - (x1 - x0) * k) / 2 - x0 * k, y: Math.max(16, (height - (y1 - y0) * k) / 2) - y0 * k };
      if (animated) animateTo(target);
      else setView(target);
    },
    [layout, fitScale, animateTo, setView],
  );

  // The first view: the whole chart when its cards can still be read, else
  // its top, readable (a thousand roles fitted to a screen are specks; Fit
  // and 0 still show them all).
  const overview = useCallback(() => {
    const top = moves.top();
    if (fitScale() >= 0.3 || !top) {
      fit(false);
      return;
    }
    const k = 0.6;
    setView({ k, x: size.current.width / 2 - (top.x + cardWidth / 2) * k, y: 24 - top.y * k });
  }, [moves, fitScale, fit, setView]);

  const centreOn = useCallback(
    (id, { zoom = true } = {}) => {
      const node = layout.byId.get(id);
      if (!node) return;
      const { width, height } = size.current;
      const k = zoom ? Math.max(view.current.k, 0.9) : view.current.k;
      animateTo({ k, x: width / 2 - (node.x + cardWidth / 2) * k, y: height / 2 - (node.y + cardHeight / 2) * k });
    },
    [layout, animateTo],
  );

  const zoomBy = useCallback(
    (factor, at) => {
      const { x, y, k } = view.current;
      const point = at ?? { x: size.current.width / 2, y: size.current.height / 2 };
      const next = Math.min(maxScale, Math.max(minScale, k * factor));
      setView({ k: next, x: point.x - ((point.x - x) / k) * next, y: point.y - ((point.y - y) / k) * next });
    },
    [setView],
  );

  useEffect(() => {
    controls.current = { fit, centreOn, zoomBy };
  }, [controls, fit, centreOn, zoomBy]);

  // The screen's size and the first view, before the first paint (so that
  // the cards come with it, not a frame or two later).
  useLayoutEffect(() => {
    const element = container.current;
    const measure = () => {
      size.current = { width: element.clientWidth, height: element.clientHeight };
    };
    measure();
    overview();
    cancelAnimationFrame(frame.current);
    // The first view without its margin (a third of the cards), the margin
    // once that has been drawn: the chart appears sooner on a cold load.
    apply(false);
    let widening = 0;
    const widen = requestAnimationFrame(() => {
      widening = setTimeout(() => {
        drawnRef.current = { x0: 0, y0: 0, x1: 0, y1: 0, detail: null };
        apply();
      });
    });
    // A resize keeps what was at the centre at the centre (a search's
    // results above the chart make it shorter just as it centres a role).
    const observer = new ResizeObserver(() => {
      const before = size.current;
      measure();
      const shift = (place) => ({
        k: place.k,
        x: place.x + (size.current.width - before.width) / 2,
        y: place.y + (size.current.height - before.height) / 2,
      });
      view.current = shift(view.current);
      if (tween.current) tween.current = { ...tween.current, start: shift(tween.current.start), target: shift(tween.current.target) };
      schedule();
    });
    observer.observe(element);
    return () => {
      observer.disconnect();
      cancelAnimationFrame(widen);
      clearTimeout(widening);
      cancelAnimationFrame(frame.current);
      cancelAnimationFrame(animation.current);
    };
  }, [overview, apply, schedule]);

  // Dragging pans, two fingers pinch, a press without a drag picks a role.
  useEffect(() => {
    const element = container.current;
    const pointers = new Map();
    let pressed = null;
    let pinch = null;
    const local = (event) => {
      const box = element.getBoundingClientRect();
      return { x: event.clientX - box.left, y: event.clientY - box.top };
    };
    const down = (event) => {
      if (event.pointerType === 'mouse' && event.button !== 0) return;
      element.setPointerCapture(event.pointerId);
      pointers.set(event.pointerId, local(event));
      if (pointers.size === 1) {
        pressed = { start: local(event), moved: false, target: event.target };
      } else if (pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        pinch = { distance: Math.hypot(a.x - b.x, a.y - b.y) };
        pressed = null;
      }
    };
    const move = (event) => {
      if (!pointers.has(event.pointerId)) return;
      const previous = pointers.get(event.pointerId);
      const now = local(event);
      pointers.set(event.pointerId, now);
      if (pinch && pointers.size === 2) {
        const [a, b] = [...pointers.values()];
        const distance = Math.hypot(a.x - b.x, a.y - b.y);
        if (pinch.distance > 0) zoomBy(distance / pinch.distance, { x: (a.x + b.x) / 2, y: (a.y + b.y) / 2 });
        pinch.distance = distance;
        return;
      }
      if (pressed && !pressed.moved && Math.hypot(now.x - pressed.start.x, now.y - pressed.start.y) < 4) return;
      if (pressed) pressed.moved = true;
      element.classList.add('panning');
      cancelAnimationFrame(animation.current);
      tween.current = null;
      view.current = { ...view.current, x: view.current.x + now.x - previous.x, y: view.current.y + now.y - previous.y };
      schedule();
    };
    const up = (event) => {
      pointers.delete(event.pointerId);
      if (pointers.size < 2) pinch = null;
      element.classList.remove('panning');
      if (pressed && !pressed.moved && pointers.size === 0) {
        const card = pressed.target.closest?.('[data-role-id]');
        if (card) onSelect(card.dataset.roleId);
        else {
          // Small cards are drawn as one shape per department: find the one under the pointer.
          const { x, y, k } = view.current;
          const at = { x: (pressed.start.x - x) / k, y: (pressed.start.y - y) / k };
          const hit = layout.nodes.find((node) => at.x >= node.x && at.x <= node.x + cardWidth && at.y >= node.y && at.y <= node.y + cardHeight);
          if (hit) onSelect(hit.id);
        }
      }
      if (pointers.size === 0) pressed = null;
    };
    const wheel = (event) => {
      event.preventDefault();
      const lines = event.deltaMode === 1 ? 16 : event.deltaMode === 2 ? size.current.height : 1;
      zoomBy(Math.exp(-event.deltaY * lines * (event.ctrlKey ? 0.01 : 0.0015)), local(event));
    };
    element.addEventListener('pointerdown', down);
    element.addEventListener('pointermove', move);
    element.addEventListener('pointerup', up);
    element.addEventListener('pointercancel', up);
    element.addEventListener('wheel', wheel, { passive: false });
    return () => {
      element.removeEventListener('pointerdown', down);
      element.removeEventListener('pointermove', move);
      element.removeEventListener('pointerup', up);
      element.removeEventListener('pointercancel', up);
      element.removeEventListener('wheel', wheel);
    };
  }, [layout, onSelect, schedule, zoomBy]);

  function onKeyDown(event) {
    const selected = layout.byId.get(selectedId);
    const pan = 80;
    let next = null;
    if (event.shiftKey && event.key.startsWith('Arrow')) {
      const dx = event.key === 'ArrowLeft' ? pan : event.key === 'ArrowRight' ? -pan : 0;
      const dy = event.key === 'ArrowUp' ? pan : event.key === 'ArrowDown' ? -pan : 0;
      setView({ ...view.current, x: view.current.x + dx, y: view.current.y + dy });
    } else if (event.key === 'ArrowUp') next = selected ? moves.manager(selected) : moves.top();
    else if (event.key === 'ArrowDown') next = selected ? moves.firstReport(selected) : moves.top();
    else if (event.key === 'ArrowLeft') next = selected ? moves.sibling(selected, -1) : moves.top();
    else if (event.key === 'ArrowRight') next = selected ? moves.sibling(selected, 1) : moves.top();
    else if (event.key === 'Home') next = moves.top();
    else if (event.key === 'Enter' && selected) onOpen(selected.id);
    else if (event.key === '+' || event.key === '=') zoomBy(1.25);
    else if (event.key === '-' || event.key === '_') zoomBy(0.8);
    else if (event.key === '0') fit();
    else return;
    event.preventDefault();
    if (next) {
      onSelect(next.id);
      centreOn(next.id, { zoom: false });
    }
  }

  const shown = useMemo(() => {
    const inside = (x0, y0, x1, y1) => x1 >= drawn.x0 && x0 <= drawn.x1 && y1 >= drawn.y0 && y0 <= drawn.y1;
    const nodes = layout.nodes.filter((node) => inside(node.x, node.y, node.x + cardWidth, node.y + cardHeight));
    const links = layout.links
      .filter((link) => inside(link.x0, link.y0, link.x1, link.y1))
      .map((link) => link.d)
      .join('');
    if (drawn.detail !== 'box') return { nodes, links, shapes: null };
    // Too small to read: every department's cards as one path (a handful of
    // elements to paint instead of a thousand groups), the selected and
    // matched ones on top as cards of their own.
    const byColour = new Map();
    const vacant = [];
    for (const node of nodes) {
      const box = `M${node.x},${node.y}h${cardWidth}v${cardHeight}h${-cardWidth}z`;
      const colour = colourOf(node.role.department_id);
      byColour.set(colour, (byColour.get(colour) ?? '') + box);
      if (node.role.vacant) vacant.push(box);
    }
    return {
      nodes: nodes.filter((node) => node.id === selectedId || matchedIds.has(node.id)),
      links,
      shapes: { byColour: [...byColour], vacant: vacant.join(''), count: nodes.length },
    };
  }, [layout, drawn, colourOf, selectedId, matchedIds]);

  return (
    <div
      class="org-canvas"
      ref={container}
      tabIndex={0}
      role="application"
      aria-roledescription="org chart"
      aria-label={label}
      aria-describedby={helpId}
      onKeyDown={onKeyDown}
    >
      <svg class="org-svg" aria-hidden="true" focusable="false">
        <g ref={world} class={`org-world detail-${drawn.detail}`} data-drawn={shown.shapes?.count ?? shown.nodes.length}>
          <path class="org-links" d={shown.links} />
          {shown.shapes?.byColour.map(([colour, d]) => (
            <path key={colour} class={`org-boxes department-${colour}`} d={d} />
          ))}
          {shown.shapes && <path class="org-boxes-vacant" d={shown.shapes.vacant} />}
          {shown.nodes.map((node) => (
            <Card
              key={node.id}
              node={node}
              detail={drawn.detail}
              department={departments.get(node.role.department_id)?.name}
              colour={colourOf(node.role.department_id)}
              selected={node.id === selectedId}
              matched={matchedIds.has(node.id)}
            />
          ))}
        </g>
      </svg>
    </div>
  );
}
