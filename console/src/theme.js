import { useEffect, useState } from 'preact/hooks';

// 'system' follows prefers-color-scheme; 'light' and 'dark' override it.
const storageKey = 'agentbase.theme';
const systemDark = window.matchMedia('(prefers-color-scheme: dark)');

function resolved(choice) {
  if (choice === 'light' || choice === 'dark') return choice;
  return systemDark.matches ? 'dark' : 'light';
}

function apply(choice) {
  document.documentElement.dataset.theme = resolved(choice);
}

export function initialTheme() {
  const stored = localStorage.getItem(storageKey);
  const choice = stored === 'light' || stored === 'dark' ? stored : 'system';
  apply(choice);
  return choice;
}

export function useTheme() {
  const [choice, setChoice] = useState(initialTheme);
  useEffect(() => {
    apply(choice);
    if (choice === 'system') localStorage.removeItem(storageKey);
    else localStorage.setItem(storageKey, choice);
    const follow = () => apply(choice);
    systemDark.addEventListener('change', follow);
    return () => systemDark.removeEventListener('change', follow);
  }, [choice]);
  return [choice, setChoice, resolved(choice)];
}
