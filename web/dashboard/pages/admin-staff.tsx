// 人员管理: staff of a hall with their photo (亮身份 on the pads), title and stars; photo upload.
import { useState } from 'preact/hooks'
import { api, get } from '../../shared/api.ts'
import { t } from '../texts.ts'
import { pickHall, useSession, type Route } from '../state.ts'
import { useApi } from '../components/use-api.ts'
import { Card, Empty, ErrorBox, Field, Loading, Modal, Stars } from '../components/ui.tsx'
import { HallTabs } from './admin-windows.tsx'

interface StaffRow {
  id: string
  staffNo: string
  hallId: string
  name: string
  photoUrl: string | null
  title: string | null
  stars: number | null
  active: boolean
}

const PHOTO_TYPES = ['image/jpeg', 'image/png', 'image/webp']
const PHOTO_MAX = 2 * 1024 * 1024

export function Avatar({
  staff,
  size = 40,
}: {
  staff: { name: string; photoUrl: string | null }
  size?: number
}) {
  return staff.photoUrl ? (
    <img
      class="avatar-img"
      src={staff.photoUrl}
      alt={staff.name}
      width={size}
      height={size}
      style={{ width: `${size}px`, height: `${size}px` }}
    />
  ) : (
    <span
      class="avatar-img placeholder"
      style={{ width: `${size}px`, height: `${size}px`, fontSize: `${size * 0.42}px` }}
    >
      {staff.name.slice(-2)}
    </span>
  )
}

export function StaffAdminPage({ route }: { route: Route }) {
  const { halls } = useSession()
  const hall = pickHall(halls, route.query.hall)
  if (!hall) return <Empty />
  const data = useApi(() => get<StaffRow[]>('/staff', { hallId: hall.id }), [hall.id])
  const [editing, setEditing] = useState<StaffRow | 'new' | null>(null)
  return (
    <div class="page">
      <div class="page-head">
        <h1>
          {t('navStaffAdmin')}
          <small>{hall.name}</small>
        </h1>
        <button class="btn primary" onClick={() => setEditing('new')}>
          + {t('create')}
        </button>
      </div>
      <HallTabs route={route} path="/admin/staff" />
      <ErrorBox error={data.error} />
      <Card>
        {!data.data ? (
          <Loading />
        ) : data.data.length === 0 ? (
          <Empty />
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>{t('photo')}</th>
                <th>{t('displayName')}</th>
                <th>{t('staffNo')}</th>
                <th>{t('title')}</th>
                <th>{t('stars')}</th>
                <th>{t('active')}</th>
                <th>{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((s) => (
                <tr class={s.active ? '' : 'revoked'}>
                  <td>
                    <Avatar staff={s} />
                  </td>
                  <td>
                    <b>{s.name}</b>
                  </td>
                  <td class="mono">{s.staffNo}</td>
                  <td>{s.title ?? '—'}</td>
                  <td>
                    <Stars n={s.stars} />
                  </td>
                  <td>
                    {s.active ? (
                      <span class="badge online">{t('active')}</span>
                    ) : (
                      <span class="badge muted">{t('inactive')}</span>
                    )}
                  </td>
                  <td>
                    <button class="btn small ghost" onClick={() => setEditing(s)}>
                      {t('edit')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {editing && (
        <StaffEditor
          hallId={hall.id}
          staff={editing === 'new' ? null : editing}
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

function StaffEditor(props: {
  hallId: string
  staff: StaffRow | null
  onClose: () => void
  onSaved: () => void
}) {
  const s = props.staff
  const [form, setForm] = useState({
    staffNo: s?.staffNo ?? '',
    name: s?.name ?? '',
    title: s?.title ?? '',
    stars: s?.stars ?? 0,
    active: s?.active ?? true,
  })
  const [photo, setPhoto] = useState<File | null>(null)
  const [error, setError] = useState<unknown>(null)
  const preview = photo ? URL.createObjectURL(photo) : (s?.photoUrl ?? null)

  const pick = (f: File | undefined) => {
    setError(null)
    if (!f) return
    if (!PHOTO_TYPES.includes(f.type)) return setError(new Error(t('photoWrongType')))
    if (f.size > PHOTO_MAX) return setError(new Error(t('photoTooBig')))
    setPhoto(f)
  }
  const save = async (e: Event) => {
    e.preventDefault()
    setError(null)
    try {
      const body = { name: form.name, title: form.title || null, stars: form.stars || null }
      const saved = s
        ? await api<StaffRow>('PATCH', `/staff/${encodeURIComponent(s.id)}`, {
            body: { ...body, active: form.active },
          })
        : await api<StaffRow>('POST', '/staff', {
            body: { ...body, staffNo: form.staffNo, hallId: props.hallId },
          })
      if (photo) await api('PUT', `/staff/${encodeURIComponent(saved.id)}/photo`, { raw: photo })
      props.onSaved()
    } catch (err) {
      setError(err)
    }
  }
  return (
    <Modal title={s ? `${t('edit')} · ${s.name}` : `${t('create')} · ${t('staff')}`} onClose={props.onClose}>
      <form class="form" onSubmit={save}>
        <div class="photo-edit">
          {preview ? (
            <img src={preview} alt="" class="photo-preview" />
          ) : (
            <div class="photo-preview empty-photo">{form.name.slice(-2) || '?'}</div>
          )}
          <div>
            <label class="btn ghost">
              {t('uploadPhoto')}
              <input
                type="file"
                name="photo"
                accept={PHOTO_TYPES.join(',')}
                hidden
                onChange={(e) => pick(e.currentTarget.files?.[0])}
              />
            </label>
            <div class="field-hint">{t('photoRules')}</div>
          </div>
        </div>
        <Field label={t('staffNo')}>
          <input
            name="staffNo"
            required
            disabled={!!s}
            value={form.staffNo}
            onInput={(e) => setForm({ ...form, staffNo: e.currentTarget.value })}
          />
        </Field>
        <Field label={t('displayName')}>
          <input
            name="name"
            required
            value={form.name}
            onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
          />
        </Field>
        <Field label={t('title')}>
          <input
            name="title"
            value={form.title}
            onInput={(e) => setForm({ ...form, title: e.currentTarget.value })}
            placeholder="综合受理岗"
          />
        </Field>
        <Field label={t('stars')}>
          <select
            name="stars"
            value={form.stars}
            onChange={(e) => setForm({ ...form, stars: Number(e.currentTarget.value) })}
          >
            {[0, 1, 2, 3, 4, 5].map((n) => (
              <option value={n}>{n ? '★'.repeat(n) : '—'}</option>
            ))}
          </select>
        </Field>
        {s && (
          <label class="check">
            <input
              type="checkbox"
              checked={form.active}
              onChange={(e) => setForm({ ...form, active: e.currentTarget.checked })}
            />
            {t('active')}
          </label>
        )}
        <ErrorBox error={error} />
        <div class="form-actions">
          <button class="btn primary">{t('save')}</button>
        </div>
      </form>
    </Modal>
  )
}
