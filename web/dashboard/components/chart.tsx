// Apache ECharts, imported piece by piece so the page carries only the charts it draws.
import { useEffect, useRef } from 'preact/hooks'
import * as echarts from 'echarts/core'
import { BarChart, HeatmapChart, LineChart, PieChart } from 'echarts/charts'
import { GridComponent, LegendComponent, TooltipComponent, VisualMapComponent } from 'echarts/components'
import { CanvasRenderer } from 'echarts/renderers'

echarts.use([
  BarChart,
  LineChart,
  HeatmapChart,
  PieChart,
  GridComponent,
  LegendComponent,
  TooltipComponent,
  VisualMapComponent,
  CanvasRenderer,
])

export type ChartOption = echarts.EChartsCoreOption

export function Chart({
  option,
  height = 280,
  label,
}: {
  option: ChartOption
  height?: number
  label: string
}) {
  const el = useRef<HTMLDivElement>(null)
  const chart = useRef<echarts.ECharts | null>(null)
  useEffect(() => {
    const c = echarts.init(el.current!, undefined, { renderer: 'canvas' })
    chart.current = c
    const ro = new ResizeObserver(() => c.resize())
    ro.observe(el.current!)
    return () => {
      ro.disconnect()
      c.dispose()
    }
  }, [])
  useEffect(() => {
    chart.current?.setOption(option, { notMerge: true })
  }, [option])
  return <div ref={el} class="chart" style={{ height: `${height}px` }} role="img" aria-label={label} />
}

/** The dashboard's palette, shared by charts and CSS. */
export const COLORS = {
  primary: '#1f5fbf',
  primarySoft: '#8fb3e8',
  good: '#1a9e5c',
  bad: '#d64545',
  warn: '#e08a00',
  grid: '#e6ebf2',
  text: '#51607a',
  levels: ['#c62828', '#ef6c00', '#9e9d24', '#43a047', '#1b7f4b'],
}
