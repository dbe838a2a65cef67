import { useEffect, useMemo, useState } from 'preact/hooks';
import { run, supabase } from '../../api.js';
import { ErrorMessage, Spinner } from '../../components.jsx';

const hour = 3600 * 1000;
const periods = {
  hour: { label: 'Last 48 hours', step: hour, count: 48, unit: 'hour' },
  day: { label: 'Last 30 days', step: 24 * hour, count: 30, unit: 'day' },
};

// The rollups of one agent's tool per UTC hour or day, every period of the
// window present (a period without calls has no row).
function useSeries(agentId, toolId, period) {
  const [state, setState] = useState({ series: null, error: null });
  useEffect(() => {
    let current = true;
    const { step, count } = periods[period];
    const end = Math.floor(Date.now() / step) * step;
    const start = end - (count - 1) * step;
    setState({ series: null, error: null });
    run(
      supabase
        .from('tool_usage_rollups')
        .select('period_start, calls, errors')
        .eq('agent_id', agentId)
        .eq('tool_id', toolId)
        .eq('period', period)
        .gte('period_start', new Date(start).toISOString())
        .order('period_start'),
      'load the tool’s usage over time',
    )
      .then((rows) => {
        if (!current) return;
        const byStart = new Map(rows.map((row) => [new Date(row.period_start).getTime(), row]));
        const times = [];
        const calls = [];
        const errors = [];
        for (let at = start; at <= end; at += step) {
          times.push(at / 1000);
          calls.push(Number(byStart.get(at)?.calls ?? 0));
          errors.push(Number(byStart.get(at)?.errors ?? 0));
        }
        setState({ series: { times, calls, errors }, error: null });
      })
      .catch((error) => current && setState({ series: null, error }));
    return () => {
      current = false;
    };
  }, [agentId, toolId, period]);
  return state;
}

// Made when a chart is first shown: building an Intl format loads the
// locale's data, tens of milliseconds that a cold load of the page need not pay.
const timeFormatOptions = {
  hour: { weekday: 'short', hour: '2-digit', minute: '2-digit' },
  day: { month: 'short', day: 'numeric' },
};
const timeFormats = {};
const timeFormat = (period) => (timeFormats[period] ??= new Intl.DateTimeFormat(undefined, timeFormatOptions[period]));

// uPlot is loaded when a chart is first opened, not with the page.
let plotModule;
const loadPlot = () => (plotModule ??= import('./UsagePlot.jsx'));

function LazyPlot(props) {
  const [Plot, setPlot] = useState(null);
  const [error, setError] = useState(null);
  useEffect(() => {
    loadPlot()
      .then((module) => setPlot(() => module.UsagePlot))
      .catch(setError);
  }, []);
  if (error) return <ErrorMessage error={error} />;
  return Plot ? <Plot {...props} /> : <div class="usage-plot" aria-hidden="true" />;
}

// Calls and errors of one tool over time (tool_usage_rollups), with the
// same numbers as text for those who do not see the chart.
export function UsageChart({ agentId, toolId, toolName }) {
  const [period, setPeriod] = useState('hour');
  const { series, error } = useSeries(agentId, toolId, period);
  const [hovered, setHovered] = useState(null);
  const totals = useMemo(() => {
    if (!series) return null;
    const calls = series.calls.reduce((sum, value) => sum + value, 0);
    const errors = series.errors.reduce((sum, value) => sum + value, 0);
    const busiest = series.calls.indexOf(Math.max(...series.calls));
    return { calls, errors, busiest };
  }, [series]);
  const when = (index) => timeFormat(period).format(series.times[index] * 1000);

  return (
    <figure class="usage-chart">
      <div class="usage-chart-head">
        <figcaption>
          Calls and errors per {periods[period].unit}, {periods[period].label.toLowerCase()}
        </figcaption>
        <div class="mode-switch" role="group" aria-label="Period">
          {Object.entries(periods).map(([key, { label }]) => (
            <button key={key} type="button" class="chip" aria-pressed={period === key} onClick={() => setPeriod(key)}>
              {label}
            </button>
          ))}
        </div>
      </div>
      <ErrorMessage error={error} />
      {!series && !error && <Spinner label="Loading usage" />}
      {series && (
        <>
          <div class="usage-legend small" aria-hidden="true">
            <span class="legend-calls">Calls</span>
            <span class="legend-errors">Errors</span>
            <span class="muted">
              {hovered !== null && series.times[hovered] !== undefined
                ? `${when(hovered)}: ${series.calls[hovered]} calls, ${series.errors[hovered]} errors`
                : 'Point at a bar for its numbers'}
            </span>
          </div>
          <LazyPlot series={series} period={period} timeFormat={timeFormat(period)} onHover={setHovered} />
          <p class="small muted">
            {totals.calls === 0
              ? `No calls of ${toolName} in this window.`
              : `${totals.calls} calls and ${totals.errors} errors of ${toolName} in this window; ` +
                `the busiest ${periods[period].unit} was ${when(totals.busiest)} with ${series.calls[totals.busiest]} calls.`}
          </p>
          <details class="usage-table">
            <summary>The numbers as a table</summary>
            <table>
              <caption class="visually-hidden">
                {toolName}: calls and errors per {periods[period].unit}
              </caption>
              <thead>
                <tr>
                  <th scope="col">{period === 'hour' ? 'Hour' : 'Day'}</th>
                  <th scope="col">Calls</th>
                  <th scope="col">Errors</th>
                </tr>
              </thead>
              <tbody>
                {series.times.map((time, index) =>
                  series.calls[index] || series.errors[index] ? (
                    <tr key={time}>
                      <td>{when(index)}</td>
                      <td>{series.calls[index]}</td>
                      <td>{series.errors[index]}</td>
                    </tr>
                  ) : null,
                )}
              </tbody>
            </table>
          </details>
        </>
      )}
    </figure>
  );
}
