import { Component } from 'preact';
import { useEffect, useMemo, useRef, useState } from 'preact/hooks';
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

// Relative and full times in English, as is the rest of the console (<html
// lang="en">), without Intl: the first Intl format a page makes (an
// Intl.RelativeTimeFormat, or a Date's toLocaleString) loads the locale's
// data, 40 to 180 ms of a cold load on the project's 2-core machine. The
// words are those of Intl.RelativeTimeFormat's numeric: 'auto' in English.
const steps = [
  ['year', 365 * 24 * 3600],
  ['month', 30 * 24 * 3600],
  ['week', 7 * 24 * 3600],
  ['day', 24 * 3600],
  ['hour', 3600],
  ['minute', 60],
];
const adjacent = {
  day: ['yesterday', 'tomorrow'],
  week: ['last week', 'next week'],
  month: ['last month', 'next month'],
  year: ['last year', 'next year'],
};

function phrase(count, unit) {
  if (Math.abs(count) === 1 && adjacent[unit]) return adjacent[unit][count < 0 ? 0 : 1];
  const amount = `${Math.abs(count)} ${unit}${Math.abs(count) === 1 ? '' : 's'}`;
  return count < 0 ? `${amount} ago` : `in ${amount}`;
}

export function relativeTime(iso) {
  const seconds = (new Date(iso).getTime() - Date.now()) / 1000;
  for (const [unit, size] of steps) {
    if (Math.abs(seconds) >= size) return phrase(Math.round(seconds / size), unit);
  }
  return Math.abs(seconds) < 30 ? 'just now' : phrase(Math.round(seconds), 'second');
}

const weekdays = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const months = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const twoDigits = (number) => String(number).padStart(2, '0');

// In the browser's time zone: "Sun 6 Dec 2026, 09:05".
export function fullTime(iso) {
  const date = new Date(iso);
  const day = `${weekdays[date.getDay()]} ${date.getDate()} ${months[date.getMonth()]} ${date.getFullYear()}`;
  return `${day}, ${twoDigits(date.getHours())}:${twoDigits(date.getMinutes())}`;
}

export function Time({ iso }) {
  if (!iso) return null;
  return (
    <time dateTime={iso} title={fullTime(iso)}>
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

function AgentOptions({ agents }) {
  return agents.map((agent) => (
    <option key={agent.id} value={agent.id}>
      {agent.name}
    </option>
  ));
}

// A labelled choice of the tenant's agents; "" is `none` (all agents, or no agent).
export function AgentSelect({ agents, value, onChange, none }) {
  // A tenant may have thousands of agents: their options come after the
  // page's next frame (2,000 took 100 to 200 ms to render, which held back
  // the frame with the rest of the page: the chat's list), with the chosen
  // one meanwhile. And the options' component is the same element while
  // the agents are the same, which Preact then does not render again when
  // the page re-renders for anything else.
  const [listed, setListed] = useState(() => agents.filter((agent) => agent.id === value));
  useEffect(() => setListed(agents), [agents]);
  const options = useMemo(() => <AgentOptions agents={listed} />, [listed]);
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
