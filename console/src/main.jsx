import { render } from 'preact';
import { App } from './App.jsx';
import { initialTheme } from './theme.js';
import './styles.css';

initialTheme();
render(<App />, document.getElementById('app'));
