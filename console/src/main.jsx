import { render } from 'preact';
import { App } from './App.jsx';
import { initialTheme } from './theme.js';
import './styles.css';

initialTheme();
const root = document.getElementById('app');
// The loading text of index.html goes in the same task, before any paint.
root.textContent = '';
render(<App />, root);
