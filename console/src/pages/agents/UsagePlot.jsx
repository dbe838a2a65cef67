import { useEffect, useRef, useState } from 'preact/hooks';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';

// The theme's colours, read when the chart is drawn; the chart is drawn
// again when the theme changes (a canvas does not follow CSS).
function useThemeVersion() {
  const [version, setVersion] = useState(0);
  useEffect(() => {
    const observer = new MutationObserver(() => setVersion((value) => value + 1));
    observer.observe(document.documentElement, { attributes: true, attributeFilter: ['data-theme'] });
    return () => observer.disconnect();
  }, []);
  return version;
}

// The chart itself (uPlot, on a canvas): calls as bars, errors as a line.
export function UsagePlot({ series, period, timeFormat, onHover }) {
  const box = useRef(null);
  const themeVersion = useThemeVersion();
  useEffect(() => {
    const element = box.current;
    const styles = getComputedStyle(document.documentElement);
    const color = (name) => styles.getPropertyValue(name).trim();
    const axis = { stroke: color('--muted'), grid: { stroke: color('--border'), width: 1 }, ticks: { stroke: color('--border') } };
    const plot = new uPlot(
      {
        width: element.clientWidth,
        height: 170,
        legend: { show: false },
        cursor: { drag: { x: false, y: false }, points: { size: 6 } },
        scales: { x: { time: true }, y: { range: (_plot, _min, max) => [0, Math.max(4, Math.ceil(max * 1.15))] } },
        axes: [
          { ...axis, values: (_plot, ticks) => ticks.map((tick) => timeFormat.format(tick * 1000)) },
          { ...axis, size: 44 },
        ],
        series: [
          {},
          {
            label: 'Calls',
            stroke: color('--accent'),
            fill: `${color('--accent')}40`,
            width: 1,
            paths: uPlot.paths.bars({ size: [0.7, 24] }),
            points: { show: false },
          },
          { label: 'Errors', stroke: color('--danger'), width: 2, points: { show: false } },
        ],
        hooks: { setCursor: [(chart) => onHover(chart.cursor.idx ?? null)] },
      },
      [series.times, series.calls, series.errors],
      element,
    );
    const resize = new ResizeObserver(() => plot.setSize({ width: element.clientWidth, height: 170 }));
    resize.observe(element);
    return () => {
      resize.disconnect();
      plot.destroy();
    };
  }, [series, period, timeFormat, themeVersion, onHover]);
  return <div class="usage-plot" ref={box} aria-hidden="true" />;
}

