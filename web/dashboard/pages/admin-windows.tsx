// 窗口管理: windows of a hall, who is signed in at each (sign someone in or out), their pads.
import { useState } from 'preact/hooks'
import { api, get } from '../../shared/api.ts'
import { ago } from '../../shared/format.ts'
import { t } from '../texts.ts'
import { pickHall, useSession, type Route } from '../state.ts'
import { useApi } from '../components/use-api.ts'
import { Card, Empty, ErrorBox, Field, Loading, Modal } from '../components/ui.tsx'
import type { DeviceRow } from './devices.tsx'

interface WindowRow {
  id: string
  hallId: string
  name: string
  signedIn: { staffNo: string; name: string; since: string } | null
}

export function HallTabs({ route, path }: { route: Route; path: string }) {
  const { halls } = useSession()
  const hall = pickHall(halls, route.query.hall)
  if (halls.length < 2) return null
  return (
    <div class="tabs">
      {halls.map((h) => (
        <a class={`tab ${h.id === hall?.id ? 'on' : ''}`} href={`#${path}?hall=${encodeURIComponent(h.id)}`}>
          {h.name}
        </a>
      ))}
    </div>
  )
}

export function WindowAdminPage({ route }: { route: Route }) {
  const { halls } = useSession()
  const hall = pickHall(halls, route.query.hall)
  if (!hall) return <Empty />
  const data = useApi(
    () =>
      Promise.all([
        get<WindowRow[]>('/windows', { hallId: hall.id }),
        get('/staff', { hallId: hall.id }),
        get<DeviceRow[]>('/devices', { hallId: hall.id }),
      ]),
    [hall.id],
  )
  const [editing, setEditing] = useState<WindowRow | 'new' | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [windows, staff, devices] = data.data ?? [[], [], []]
  const act = async (f: () => Promise<unknown>) => {
    setError(null)
    try {
      await f()
      data.reload()
    } catch (e) {
      setError(e)
    }
  }
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          {t('navWindowAdmin')}
          <small>{hall.name}</small>
        </h1>
        <button class="btn primary" onClick={() => setEditing('new')}>
          + {t('create')}
        </button>
      </div>
      <HallTabs route={route} path="/admin/windows" />
      <ErrorBox error={error ?? data.error} />
      <Card>
        {!data.data ? (
          <Loading />
        ) : windows.length === 0 ? (
          <Empty />
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>{t('windowName')}</th>
                <th>{t('signedInStaff')}</th>
                <th>{t('pads')}</th>
                <th>{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {windows.map((w) => {
                const pads = devices.filter((d) => d.windowId === w.id && !d.revoked)
                return (
                  <tr>
                    <td>
                      <b>{w.name}</b>
                      <div class="muted small mono">{w.id}</div>
                    </td>
                    <td>
                      {w.signedIn ? (
                        <>
                          {w.signedIn.name} <span class="mono muted">{w.signedIn.staffNo}</span>
                          <div class="muted small">{ago(w.signedIn.since)}</div>
                        </>
                      ) : (
                        <span class="muted">{t('nobody')}</span>
                      )}
                    </td>
                    <td>
                      {pads.length
                        ? pads.map((d) => (
                            <span class={`badge ${d.status.online ? 'online' : 'offline'}`}>● {d.id}</span>
                          ))
                        : '—'}
                    </td>
                    <td class="row">
                      <select
                        aria-label={t('signInStaff')}
                        value=""
                        onChange={(e) => {
                          const staffNo = e.currentTarget.value
                          if (staffNo)
                            void act(() =>
                              api('POST', `/windows/${encodeURIComponent(w.id)}/sign-in`, {
                                body: { staffNo },
                              }),
                            )
                        }}
                      >
                        <option value="">{t('signInStaff')}…</option>
                        {staff
                          .filter((s: any) => s.active)
                          .map((s: any) => (
                            <option value={s.staffNo}>
                              {s.name}（{s.staffNo}）
                            </option>
                          ))}
                      </select>
                      {w.signedIn && (
                        <button
                          class="btn small ghost"
                          onClick={() =>
                            act(() => api('POST', `/windows/${encodeURIComponent(w.id)}/sign-out`))
                          }
                        >
                          {t('signOutStaff')}
                        </button>
                      )}
                      <button class="btn small ghost" onClick={() => setEditing(w)}>
                        {t('edit')}
                      </button>
                    </td>
                  </tr>
                )
              })}
            </tbody>
          </table>
        )}
      </Card>
      {editing && (
        <WindowEditor
          hallId={hall.id}
          window={editing === 'new' ? null : editing}
          onClose={() => setEditing(null)}
          onSaved={() => {
            setEditing(null)
            data.reload()
          }}
        />
      )}
    </div>
  )
}

function WindowEditor(props: {
  hallId: string
  window: WindowRow | null
  onClose: () => void
  onSaved: () => void
}) {
  const [name, setName] = useState(props.window?.name ?? '')
  const [id, setId] = useState('')
  const [error, setError] = useState<unknown>(null)
  return (
    <Modal
      title={props.window ? `${t('edit')} · ${props.window.name}` : `${t('create')} · ${t('window')}`}
      onClose={props.onClose}
    >
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault()
          try {
            if (props.window)
              await api('PATCH', `/windows/${encodeURIComponent(props.window.id)}`, { body: { name } })
            else
              await api('POST', '/windows', { body: { hallId: props.hallId, name, ...(id ? { id } : {}) } })
            props.onSaved()
          } catch (err) {
            setError(err)
          }
        }}
      >
        <Field label={t('windowName')}>
          <input
            name="name"
            required
            maxLength={64}
            value={name}
            onInput={(e) => setName(e.currentTarget.value)}
            placeholder="1号窗口"
          />
        </Field>
        {!props.window && (
          <Field label={t('id')} hint="A–Z a–z 0–9 _ . -">
            <input name="id" value={id} onInput={(e) => setId(e.currentTarget.value)} />
          </Field>
        )}
        <ErrorBox error={error} />
        <div class="form-actions">
          <button class="btn primary">{t('save')}</button>
        </div>
      </form>
    </Modal>
  )
}
