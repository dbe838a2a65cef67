import { Component } from 'preact';
import { useEffect, useMemo, useRef } from 'preact/hooks';
import { describeError } from './api.js';

export function ErrorMessage({ error, onDismiss }) {
  if (!error) return null;
  return (
    <div class="error-message" role="alert">
      <span>{describeError(error)}</span>
      {onDismiss && (
        <button type="button" class="button ghost small" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}

// A fault in rendering shows what went wrong and a way back, never a blank page.
export class ErrorBoundary extends Component {
  state = { error: null };
  componentDidCatch(error) {
    this.setState({ error });
  }
  render() {
    if (!this.state.error) return this.props.children;
    return (
      <div class="page-error" role="alert">
        <h2>Something went wrong on this page</h2>
        <p>{describeError(this.state.error)}</p>
        <button type="button" class="button" onClick={() => this.setState({ error: null })}>
          Try again
        </button>
      </div>
    );
  }
}

export function Spinner({ label = 'Loading' }) {
  return (
    <div class="spinner" role="status">
      <span class="spinner-dot" aria-hidden="true" />
      {label}…
    </div>
  );
}

// Calls onVisible when its sentinel scrolls into view: the next page of an infinite list.
export function LoadMore({ onVisible, active, root }) {
  const sentinel = useRef(null);
  useEffect(() => {
    if (!active || !sentinel.current) return undefined;
    const observer = new IntersectionObserver((entries) => entries[0].isIntersecting && onVisible(), {
      root: root?.current ?? null,
      rootMargin: '200px',
    });
    observer.observe(sentinel.current);
    return () => observer.disconnect();
  }, [active, onVisible, root]);
  return active ? <div ref={sentinel} class="load-more" aria-hidden="true" /> : null;
}

// Made on first use: building it loads the locale's data, 40 to 70 ms of
// every cold load on the project's 2-core machine when it was made as the
// first script ran, whether the page showed a time or not.
let relative = null;
const steps = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];

export function prepareRelativeTime() {
  relative ??= new Intl.RelativeTimeFormat(undefined, { numeric: 'auto' });
}

export function relativeTime(iso) {
  prepareRelativeTime();
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  for (const [unit, size] of steps) {
    if (Math.abs(seconds) >= size) return relative.format(Math.round(seconds / size), unit);
  }
  return Math.abs(seconds) < 30 ? 'just now' : relative.format(Math.round(seconds), 'second');
}

export function Time({ iso }) {
  if (!iso) return null;
  return (
    <time dateTime={iso} title={new Date(iso).toLocaleString()}>
      {relativeTime(iso)}
    </time>
  );
}

// Search snippets come HTML-escaped with <mark> around hits; they are turned
// into text and <mark> elements here, never inserted as HTML.
const entities = { '&amp;': '&', '&lt;': '<', '&gt;': '>', '&quot;': '"', '&#39;': "'" };
const unescape = (text) => text.replace(/&(amp|lt|gt|quot|#39);/g, (entity) => entities[entity]);

export function Highlighted({ snippet }) {
  const parts = snippet.split(/<mark>|<\/mark>/);
  return (
    <span>
      {parts.map((part, index) => (index % 2 === 1 ? <mark key={index}>{unescape(part)}</mark> : unescape(part)))}
    </span>
  );
}

// A labelled choice of the tenant's agents; "" is `none` (all agents, or no agent).
export function AgentSelect({ agents, value, onChange, none }) {
  // The same elements while the agents are the same, which Preact then leaves
  // alone: a tenant may have thousands, and the page re-renders for other reasons.
  const options = useMemo(
    () =>
      agents.map((agent) => (
        <option key={agent.id} value={agent.id}>
          {agent.name}
        </option>
      )),
    [agents],
  );
  return (
    <label class="field inline">
      <span>Agent</span>
      <select value={value} onChange={(event) => onChange(event.currentTarget.value)}>
        <option value="">{none}</option>
        {options}
      </select>
    </label>
  );
}
