// 评价器管理: register pads (the secret is shown once), bind them to windows, rotate or revoke.
import { useState } from 'preact/hooks'
import { api, get } from '../../shared/api.ts'
import { ago } from '../../shared/format.ts'
import { t } from '../texts.ts'
import { pickHall, useSession, type Route } from '../state.ts'
import { useApi } from '../components/use-api.ts'
import { Card, Empty, ErrorBox, Field, Loading, Modal } from '../components/ui.tsx'
import { HallTabs } from './admin-windows.tsx'
import type { DeviceRow } from './devices.tsx'

export function DeviceAdminPage({ route }: { route: Route }) {
  const { halls } = useSession()
  const hall = pickHall(halls, route.query.hall)
  if (!hall) return <Empty />
  const data = useApi(
    () =>
      Promise.all([get<DeviceRow[]>('/devices', { hallId: hall.id }), get('/windows', { hallId: hall.id })]),
    [hall.id],
  )
  const [creating, setCreating] = useState(false)
  const [secret, setSecret] = useState<{ id: string; secret: string } | null>(null)
  const [error, setError] = useState<unknown>(null)
  const [devices, windows] = data.data ?? [[], []]
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
          {t('navDeviceAdmin')}
          <small>{hall.name}</small>
        </h1>
        <button class="btn primary" onClick={() => setCreating(true)}>
          + {t('newPad')}
        </button>
      </div>
      <HallTabs route={route} path="/admin/devices" />
      <ErrorBox error={error ?? data.error} />
      <Card>
        {!data.data ? (
          <Loading />
        ) : devices.length === 0 ? (
          <Empty />
        ) : (
          <table class="table" data-testid="device-admin">
            <thead>
              <tr>
                <th>{t('device')}</th>
                <th>{t('assignWindow')}</th>
                <th>{t('padState')}</th>
                <th>{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {devices.map((d) => (
                <tr class={d.revoked ? 'revoked' : ''} data-device={d.id}>
                  <td>
                    <b class="mono">{d.id}</b>
                    {d.label && <div class="muted small">{d.label}</div>}
                  </td>
                  <td>
                    <select
                      aria-label={t('assignWindow')}
                      disabled={d.revoked}
                      value={d.windowId ?? ''}
                      onChange={(e) =>
                        act(() =>
                          api('PATCH', `/devices/${encodeURIComponent(d.id)}`, {
                            body: { windowId: e.currentTarget.value || null },
                          }),
                        )
                      }
                    >
                      <option value="">{t('unbound')}</option>
                      {windows.map((w: any) => (
                        <option value={w.id}>{w.name}</option>
                      ))}
                    </select>
                  </td>
                  <td>
                    {d.revoked ? (
                      <span class="badge muted">{t('revoked')}</span>
                    ) : d.status.online ? (
                      <span class="badge online">● {t('online')}</span>
                    ) : (
                      <span class="badge offline">
                        ● {d.status.lastSeenAt ? `${t('offline')} · ${ago(d.status.lastSeenAt)}` : t('never')}
                      </span>
                    )}
                  </td>
                  <td class="row">
                    {!d.revoked && (
                      <>
                        <button
                          class="btn small ghost"
                          onClick={() =>
                            confirm(t('rotateConfirm')) &&
                            act(async () =>
                              setSecret(
                                await api('POST', `/devices/${encodeURIComponent(d.id)}/rotate-secret`),
                              ),
                            )
                          }
                        >
                          {t('rotate')}
                        </button>
                        <button
                          class="btn small danger-ghost"
                          onClick={() =>
                            confirm(t('revokeConfirm')) &&
                            act(() => api('POST', `/devices/${encodeURIComponent(d.id)}/revoke`))
                          }
                        >
                          {t('revoke')}
                        </button>
                      </>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {creating && (
        <CreateDevice
          hallId={hall.id}
          windows={windows}
          onClose={() => setCreating(false)}
          onCreated={(d) => {
            setCreating(false)
            setSecret(d)
            data.reload()
          }}
        />
      )}
      {secret && <SecretOnce device={secret} onClose={() => setSecret(null)} />}
    </div>
  )
}

function CreateDevice(props: {
  hallId: string
  windows: { id: string; name: string }[]
  onClose: () => void
  onCreated: (d: { id: string; secret: string }) => void
}) {
  const [form, setForm] = useState({ id: '', windowId: '', label: '' })
  const [error, setError] = useState<unknown>(null)
  return (
    <Modal title={t('newPad')} onClose={props.onClose}>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault()
          try {
            props.onCreated(
              await api('POST', '/devices', {
                body: {
                  hallId: props.hallId,
                  ...(form.id ? { id: form.id } : {}),
                  windowId: form.windowId || null,
                  label: form.label || null,
                },
              }),
            )
          } catch (err) {
            setError(err)
          }
        }}
      >
        <Field label={t('id')} hint="A–Z a–z 0–9 _ . -">
          <input
            name="id"
            value={form.id}
            onInput={(e) => setForm({ ...form, id: e.currentTarget.value })}
            placeholder="pad-0001"
          />
        </Field>
        <Field label={t('assignWindow')}>
          <select
            name="windowId"
            value={form.windowId}
            onChange={(e) => setForm({ ...form, windowId: e.currentTarget.value })}
          >
            <option value="">{t('unbound')}</option>
            {props.windows.map((w) => (
              <option value={w.id}>{w.name}</option>
            ))}
          </select>
        </Field>
        <Field label={t('label')}>
          <input
            name="label"
            value={form.label}
            onInput={(e) => setForm({ ...form, label: e.currentTarget.value })}
          />
        </Field>
        <ErrorBox error={error} />
        <div class="form-actions">
          <button class="btn primary">{t('save')}</button>
        </div>
      </form>
    </Modal>
  )
}

function SecretOnce({ device, onClose }: { device: { id: string; secret: string }; onClose: () => void }) {
  const padUrl = `${location.origin}/pad/${encodeURIComponent(device.id)}`
  return (
    <Modal title={device.id} onClose={onClose}>
      <div class="secret-once" data-testid="secret-once">
        <p>{t('secretOnce')}</p>
        <code class="secret" onClick={(e) => getSelection()?.selectAllChildren(e.currentTarget)}>
          {device.secret}
        </code>
        <p class="muted small">
          MQTT: username <b class="mono">{device.id}</b>
        </p>
        <p>
          {t('padUrl')}:{' '}
          <a href={padUrl} target="_blank" rel="noreferrer">
            {padUrl}
          </a>
        </p>
        <div class="form-actions">
          <button class="btn primary" onClick={onClose}>
            {t('close')}
          </button>
        </div>
      </div>
    </Modal>
  )
}
