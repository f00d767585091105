// ECharts for the pages that draw charts: only the parts they use are
// registered (echarts/core), so the bundle stays small. The dashboard adds the
// map and the visual map itself; 数据分析 does not need them.
import { onBeforeUnmount } from 'vue';
import * as echarts from 'echarts/core';
import { BarChart, LineChart } from 'echarts/charts';
import { GridComponent, TooltipComponent, LegendComponent } from 'echarts/components';
import { CanvasRenderer } from 'echarts/renderers';

echarts.use([BarChart, LineChart, GridComponent, TooltipComponent, LegendComponent, CanvasRenderer]);

export { echarts };

// One chart bound to an element ref that may come and go (v-if): render()
// creates the chart on first use or when the element was replaced, follows
// the element's size, and everything is disposed with the component. The
// element carries data-drawn once the chart has finished drawing (animations
// included), so that a screenshot or a test can wait for what a user sees.
export function useChart(elementRef, { theme } = {}) {
  let chart = null;
  let observer = null;

  function dispose() {
    observer?.disconnect();
    observer = null;
    chart?.dispose();
    chart = null;
  }

  function render(option, settings = { notMerge: true }) {
    const el = elementRef.value;
    if (!el) return null;
    if (chart && chart.getDom() !== el) dispose();
    if (!chart) {
      chart = echarts.init(el, theme);
      chart.on('finished', () => el.setAttribute('data-drawn', ''));
      // Redraw only on a real change of size: the observer also reports the
      // size the chart was just drawn at.
      let size = `${el.clientWidth}x${el.clientHeight}`;
      observer = new ResizeObserver(() => {
        const now = `${el.clientWidth}x${el.clientHeight}`;
        if (now !== size) {
          size = now;
          chart?.resize();
        }
      });
      observer.observe(el);
    }
    el.removeAttribute('data-drawn');
    chart.setOption(option, settings);
    return chart;
  }

  onBeforeUnmount(dispose);
  return { render, dispose, instance: () => chart };
}
