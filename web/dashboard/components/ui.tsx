// Small building blocks shared by the pages.
import type { ComponentChildren } from 'preact'
import { useEffect } from 'preact/hooks'
import { t } from '../texts.ts'
import { pct } from '../../shared/format.ts'
import { ApiError } from '../../shared/api.ts'

export function Card(props: {
  title?: ComponentChildren
  actions?: ComponentChildren
  children: ComponentChildren
  class?: string
}) {
  return (
    <section class={`card ${props.class ?? ''}`}>
      {(props.title || props.actions) && (
        <header class="card-head">
          <h2>{props.title}</h2>
          <div class="card-actions">{props.actions}</div>
        </header>
      )}
      {props.children}
    </section>
  )
}

export function Kpi(props: {
  label: string
  value: string
  sub?: ComponentChildren
  tone?: 'good' | 'bad' | 'primary' | 'plain'
  testId?: string
}) {
  return (
    <div class={`kpi kpi-${props.tone ?? 'plain'}`} data-testid={props.testId}>
      <div class="kpi-label">{props.label}</div>
      <div class="kpi-value">{props.value}</div>
      {props.sub && <div class="kpi-sub">{props.sub}</div>}
    </div>
  )
}

/** A rate with a small bar under it, for tables. */
export function RateBar({ value, tone = 'good' }: { value: number | null; tone?: 'good' | 'bad' }) {
  return (
    <div class="ratebar">
      <span>{pct(value)}</span>
      <i class={`ratebar-track`}>
        <b class={`ratebar-fill ${tone}`} style={{ width: `${Math.round((value ?? 0) * 100)}%` }} />
      </i>
    </div>
  )
}

export function RankChange({ change }: { change: number | null }) {
  if (change === null) return <span class="muted">—</span>
  if (change === 0) return <span class="muted">—</span>
  return change > 0 ? <span class="up">▲{change}</span> : <span class="down">▼{-change}</span>
}

export function Loading() {
  return <div class="loading">{t('loading')}</div>
}

export function ErrorBox({ error }: { error: unknown }) {
  if (!error) return null
  const message = (error as Error).message ?? String(error)
  // The API speaks English; say what happened in the page's language, with its words beside.
  const said =
    error instanceof ApiError
      ? (
          {
            400: t('errInvalid'),
            403: t('errForbidden'),
            404: t('errNotFound'),
            409: t('errConflict'),
          } as Record<number, string>
        )[error.status]
      : undefined
  return (
    <div class="error-box" role="alert">
      {said ? (
        <>
          <b>{said}</b> <span class="muted small">{message}</span>
        </>
      ) : (
        message
      )}
    </div>
  )
}

export function Empty({ children }: { children?: ComponentChildren }) {
  return <div class="empty">{children ?? t('noData')}</div>
}

export function Modal(props: {
  title: string
  onClose: () => void
  children: ComponentChildren
  wide?: boolean
}) {
  useEffect(() => {
    const onKey = (e: KeyboardEvent) => e.key === 'Escape' && props.onClose()
    addEventListener('keydown', onKey)
    return () => removeEventListener('keydown', onKey)
  }, [props.onClose])
  return (
    <div class="modal-backdrop" onClick={(e) => e.target === e.currentTarget && props.onClose()}>
      <div class={`modal ${props.wide ? 'wide' : ''}`} role="dialog" aria-label={props.title}>
        <header class="modal-head">
          <h2>{props.title}</h2>
          <button class="icon-btn" onClick={props.onClose} aria-label={t('close')}>
            ✕
          </button>
        </header>
        <div class="modal-body">{props.children}</div>
      </div>
    </div>
  )
}

export function Field(props: { label: string; children: ComponentChildren; hint?: string }) {
  return (
    <label class="field">
      <span class="field-label">{props.label}</span>
      {props.children}
      {props.hint && <span class="field-hint">{props.hint}</span>}
    </label>
  )
}

export function Stars({ n }: { n: number | null }) {
  if (!n) return null
  return (
    <span class="stars" aria-label={`${n}★`}>
      {'★'.repeat(n)}
    </span>
  )
}
