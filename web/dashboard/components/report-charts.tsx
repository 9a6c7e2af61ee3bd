// The report charts: trend, hour × weekday heat map, and the level mix.
import { useMemo } from 'preact/hooks'
import { levelName, lang } from '../../shared/i18n.ts'
import { pct } from '../../shared/format.ts'
import { t } from '../texts.ts'
import { Chart, COLORS } from './chart.tsx'
import type { Metrics } from './tables.tsx'

export interface TrendPoint {
  label: string
  from: string
  to: string
  metrics: Metrics
}

export function TrendChart({ points }: { points: TrendPoint[] }) {
  const option = useMemo(
    () => ({
      color: [COLORS.primarySoft, COLORS.bad, COLORS.good],
      grid: { left: 48, right: 56, top: 36, bottom: 28 },
      tooltip: {
        trigger: 'axis',
        valueFormatter: undefined,
        formatter: (items: { dataIndex: number }[]) => {
          const p = points[items[0].dataIndex]
          const m = p.metrics
          return `<b>${p.label}</b><br/>${t('rated')}: ${m.rated}<br/>${t('bad')}: ${m.bad}<br/>${t('satisfaction')}: ${pct(m.satisfaction)}<br/>${t('participation')}: ${pct(m.participation)}`
        },
      },
      legend: { top: 0, right: 0, itemWidth: 14, itemHeight: 8, textStyle: { color: COLORS.text } },
      xAxis: {
        type: 'category',
        data: points.map((p) => (p.label.length === 10 ? p.label.slice(5) : p.label)),
        axisLine: { lineStyle: { color: COLORS.grid } },
        axisLabel: { color: COLORS.text },
      },
      yAxis: [
        {
          type: 'value',
          minInterval: 1,
          splitLine: { lineStyle: { color: COLORS.grid } },
          axisLabel: { color: COLORS.text },
        },
        {
          type: 'value',
          min: 0,
          max: 100,
          axisLabel: { formatter: '{value}%', color: COLORS.text },
          splitLine: { show: false },
        },
      ],
      series: [
        {
          name: t('rated'),
          type: 'bar',
          data: points.map((p) => p.metrics.rated),
          barMaxWidth: 22,
          itemStyle: { borderRadius: [3, 3, 0, 0] },
        },
        {
          name: t('bad'),
          type: 'bar',
          data: points.map((p) => p.metrics.bad),
          barMaxWidth: 22,
          itemStyle: { borderRadius: [3, 3, 0, 0] },
        },
        {
          name: t('satisfaction'),
          type: 'line',
          yAxisIndex: 1,
          smooth: true,
          symbolSize: 6,
          connectNulls: true,
          lineStyle: { width: 3 },
          data: points.map((p) =>
            p.metrics.satisfaction === null ? null : +(p.metrics.satisfaction * 100).toFixed(1),
          ),
        },
      ],
    }),
    [points, lang.value],
  )
  return <Chart option={option} height={300} label={t('trend')} />
}

export interface HeatCell {
  weekday: number
  hour: number
  metrics: Metrics
}

export function HeatmapChart({ cells }: { cells: HeatCell[] }) {
  const option = useMemo(() => {
    const busy = cells.filter((c) => c.metrics.transactions > 0).map((c) => c.hour)
    const first = Math.min(8, ...busy)
    const last = Math.max(18, ...busy)
    const hours = Array.from({ length: last - first + 1 }, (_, i) => first + i)
    const days = t('weekdays').split(',')
    const max = Math.max(1, ...cells.map((c) => c.metrics.rated))
    // An hour stands out when its 差评率 is at least twice the period's, with two 差评 or more.
    const rated = cells.reduce((n, c) => n + c.metrics.rated + c.metrics.defaulted, 0)
    const bad = cells.reduce((n, c) => n + c.metrics.bad, 0)
    const overall = rated ? bad / rated : 0
    const hot = (c: HeatCell) => c.metrics.bad >= 2 && (c.metrics.badRate ?? 0) >= Math.max(0.05, 2 * overall)
    const data = cells
      .filter((c) => c.hour >= first && c.hour <= last)
      .map((c) => ({
        value: [c.hour - first, c.weekday - 1, c.metrics.rated],
        itemStyle: hot(c) ? { borderColor: COLORS.bad, borderWidth: 3 } : undefined,
        cell: c,
      }))
    return {
      grid: { left: 48, right: 16, top: 8, bottom: 56 },
      tooltip: {
        formatter: (p: { data: { cell: HeatCell } }) => {
          const c = p.data.cell
          return `<b>${days[c.weekday - 1]} ${c.hour}:00–${c.hour + 1}:00</b><br/>${t('rated')}: ${c.metrics.rated}<br/>${t('bad')}: ${c.metrics.bad}<br/>${t('satisfaction')}: ${pct(c.metrics.satisfaction)}`
        },
      },
      xAxis: {
        type: 'category',
        data: hours.map((h) => `${h}时`.replace('时', lang.value === 'zh' ? '时' : ':00')),
        splitArea: { show: true },
        axisLabel: { color: COLORS.text },
      },
      yAxis: {
        type: 'category',
        data: days,
        inverse: true,
        splitArea: { show: true },
        axisLabel: { color: COLORS.text },
      },
      visualMap: {
        min: 0,
        max,
        calculable: false,
        orient: 'horizontal',
        left: 'center',
        bottom: 0,
        itemHeight: 120,
        itemWidth: 10,
        text: [t('heatMore'), t('heatLess')],
        textStyle: { color: COLORS.text },
        inRange: { color: ['#f3f7fd', '#9cc0ef', '#1f5fbf'] },
      },
      series: [{ type: 'heatmap', data, label: { show: false }, emphasis: { itemStyle: { shadowBlur: 6 } } }],
    }
  }, [cells, lang.value])
  return <Chart option={option} height={300} label={t('heatmap')} />
}

export function LevelsChart({ metrics }: { metrics: Metrics }) {
  const option = useMemo(
    () => ({
      color: [...COLORS.levels].reverse(),
      tooltip: { trigger: 'item', formatter: '{b}: {c} ({d}%)' },
      series: [
        {
          type: 'pie',
          radius: ['52%', '78%'],
          center: ['50%', '50%'],
          avoidLabelOverlap: true,
          label: { show: false },
          itemStyle: { borderColor: '#fff', borderWidth: 2 },
          data: [5, 4, 3, 2, 1].map((l) => ({ name: levelName(l), value: metrics.levels[String(l) as '1'] })),
        },
      ],
    }),
    [metrics, lang.value],
  )
  return <Chart option={option} height={200} label={t('levels')} />
}
