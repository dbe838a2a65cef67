import { useEffect, useState } from 'preact/hooks';

// Client-side routes are plain paths (/chat/<id>, /memory): the server
// answers every such path with index.html.
const listeners = new Set();

export function navigate(path, { replace = false } = {}) {
  if (path === window.location.pathname) return;
  if (replace) window.history.replaceState(null, '', path);
  else window.history.pushState(null, '', path);
  listeners.forEach((listener) => listener(path));
}

window.addEventListener('popstate', () => listeners.forEach((listener) => listener(window.location.pathname)));

export function usePath() {
  const [path, setPath] = useState(window.location.pathname);
  useEffect(() => {
    listeners.add(setPath);
    return () => listeners.delete(setPath);
  }, []);
  return path;
}

// Follows an in-app link without reloading; modified clicks (new tab) are left to the browser.
export function followLink(event) {
  if (event.defaultPrevented || event.button !== 0 || event.metaKey || event.ctrlKey || event.shiftKey) return;
  event.preventDefault();
  navigate(event.currentTarget.getAttribute('href'));
}

export function Link({ href, children, ...rest }) {
  return (
    <a href={href} onClick={followLink} {...rest}>
      {children}
    </a>
  );
}
