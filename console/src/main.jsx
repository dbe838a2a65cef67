import { render } from 'preact';
import { App } from './App.jsx';
import { startLoading } from './sections.js';
import { initialTheme } from './theme.js';
import './styles.css';

startLoading(window.location.pathname);
initialTheme();
const root = document.getElementById('app');
// The loading text of index.html goes in the same task, before any paint.
root.textContent = '';
render(<App />, root);
