// 设备状态: every pad of the hall, offline ones first; last seen, firmware, outbox depth, whether
// it applied the latest config, who is signed in. Refreshes itself every 10 seconds.
import { useEffect } from 'preact/hooks'
import { get } from '../../shared/api.ts'
import { ago, dateTime } from '../../shared/format.ts'
import { t } from '../texts.ts'
import { pickHall, useSession, type Route } from '../state.ts'
import { useApi } from '../components/use-api.ts'
import { Card, Empty, ErrorBox, Kpi, Loading } from '../components/ui.tsx'

export interface DeviceRow {
  id: string
  hallId: string
  windowId: string | null
  label: string | null
  revoked: boolean
  configVersion: number
  status: {
    online: boolean
    lastSeenAt: string | null
    firmware: string | null
    model: string | null
    padState: string | null
    outboxDepth: number | null
    appliedConfigVersion: number | null
    staffNo: string | null
    clockSkewMs: number | null
  }
}

/** Offline first (longest silent first), then online; revoked pads last. */
export function healthOrder(a: DeviceRow, b: DeviceRow) {
  if (a.revoked !== b.revoked) return a.revoked ? 1 : -1
  if (a.status.online !== b.status.online) return a.status.online ? 1 : -1
  const seen = (d: DeviceRow) => (d.status.lastSeenAt ? Date.parse(d.status.lastSeenAt) : 0)
  return seen(a) - seen(b) || a.id.localeCompare(b.id)
}

export function DevicesPage({ route }: { route: Route }) {
  const { halls } = useSession()
  const hall = pickHall(halls, route.query.hall)
  if (!hall) return <Empty />
  const data = useApi(
    () =>
      Promise.all([
        get<DeviceRow[]>('/devices', { hallId: hall.id }),
        get('/windows', { hallId: hall.id }),
        get('/staff', { hallId: hall.id }),
      ]),
    [hall.id],
  )
  useEffect(() => {
    const timer = setInterval(() => data.reload(), 10_000)
    return () => clearInterval(timer)
  }, [hall.id])
  const [devices, windows, staff] = data.data ?? [[], [], []]
  const windowNames = new Map<string, string>(windows.map((w: any) => [w.id, w.name]))
  const staffNames = new Map<string, string>(staff.map((s: any) => [s.staffNo, s.name]))
  const list = [...devices].sort(healthOrder)
  const active = list.filter((d) => !d.revoked)
  const online = active.filter((d) => d.status.online).length
  const backlog = active.reduce((n, d) => n + (d.status.outboxDepth ?? 0), 0)
  const behind = active.filter(
    (d) => d.status.appliedConfigVersion !== null && d.status.appliedConfigVersion < d.configVersion,
  ).length
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          {t('devicesTitle')}
          <small>{hall.name}</small>
        </h1>
        <span class="muted small">{t('autoRefresh')}</span>
      </div>
      <ErrorBox error={data.error} />
      {!data.data ? (
        <Loading />
      ) : (
        <>
          <div class="kpis">
            <Kpi
              label={t('online')}
              value={`${online} / ${active.length}`}
              tone={online === active.length ? 'good' : 'bad'}
              testId="kpi-online"
            />
            <Kpi
              label={t('offline')}
              value={String(active.length - online)}
              tone={active.length - online ? 'bad' : 'good'}
            />
            <Kpi label={t('outbox')} value={String(backlog)} tone={backlog ? 'bad' : 'plain'} />
            <Kpi
              label={`${t('configVersion')} ${t('configBehind')}`}
              value={String(behind)}
              tone={behind ? 'bad' : 'plain'}
            />
          </div>
          <Card>
            {list.length === 0 ? (
              <Empty />
            ) : (
              <div class="table-wrap">
                <table class="table" data-testid="device-health">
                  <thead>
                    <tr>
                      <th>{t('padState')}</th>
                      <th>{t('device')}</th>
                      <th>{t('window')}</th>
                      <th>{t('lastSeen')}</th>
                      <th>{t('firmware')}</th>
                      <th class="num">{t('outbox')}</th>
                      <th class="num">{t('configVersion')}</th>
                      <th>{t('signedInStaff')}</th>
                      <th class="num">{t('clockSkew')}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {list.map((d) => {
                      const s = d.status
                      const behind =
                        s.appliedConfigVersion !== null && s.appliedConfigVersion < d.configVersion
                      return (
                        <tr class={d.revoked ? 'revoked' : s.online ? '' : 'offline-row'} data-device={d.id}>
                          <td>
                            {d.revoked ? (
                              <span class="badge muted">{t('revoked')}</span>
                            ) : s.online ? (
                              <span class="badge online">● {t('online')}</span>
                            ) : (
                              <span class="badge offline">● {s.lastSeenAt ? t('offline') : t('never')}</span>
                            )}
                          </td>
                          <td>
                            <b class="mono">{d.id}</b>
                            {d.label && <small class="muted"> {d.label}</small>}
                            {s.model && <div class="muted small">{s.model}</div>}
                          </td>
                          <td>
                            {d.windowId ? (
                              (windowNames.get(d.windowId) ?? d.windowId)
                            ) : (
                              <span class="muted">{t('unbound')}</span>
                            )}
                          </td>
                          <td title={dateTime(s.lastSeenAt, hall.timeZone)}>{ago(s.lastSeenAt)}</td>
                          <td class="mono">{s.firmware ?? '—'}</td>
                          <td class={`num ${s.outboxDepth ? 'bad-text' : ''}`}>{s.outboxDepth ?? '—'}</td>
                          <td class="num">
                            {s.appliedConfigVersion ?? '—'} / {d.configVersion}
                            {behind && <span class="badge warn small">{t('configBehind')}</span>}
                          </td>
                          <td>{s.staffNo ? `${staffNames.get(s.staffNo) ?? ''} ${s.staffNo}` : '—'}</td>
                          <td class="num">
                            {s.clockSkewMs === null ? '—' : `${(s.clockSkewMs / 1000).toFixed(1)} s`}
                          </td>
                        </tr>
                      )
                    })}
                  </tbody>
                </table>
              </div>
            )}
          </Card>
        </>
      )}
    </div>
  )
}
