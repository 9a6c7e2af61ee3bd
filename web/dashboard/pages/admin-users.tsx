// 账号管理 (admin): one account per person with a role and, for managers and viewers, their halls.
import { useState } from 'preact/hooks'
import { api, get } from '../../shared/api.ts'
import { dateTime } from '../../shared/format.ts'
import { t } from '../texts.ts'
import { useSession } from '../state.ts'
import { useApi } from '../components/use-api.ts'
import { Card, ErrorBox, Field, Loading, Modal } from '../components/ui.tsx'

interface UserRow {
  id: string
  username: string
  displayName: string | null
  role: 'admin' | 'manager' | 'viewer'
  hallIds: string[]
  disabled: boolean
  lastLoginAt: string | null
}

export function UsersPage() {
  const { halls } = useSession()
  const data = useApi(() => get<UserRow[]>('/users'), [])
  const [editing, setEditing] = useState<UserRow | 'new' | null>(null)
  const [error, setError] = useState<unknown>(null)
  const hallName = new Map(halls.map((h) => [h.id, h.name]))
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
        <h1>{t('navUsers')}</h1>
        <button class="btn primary" onClick={() => setEditing('new')}>
          + {t('create')}
        </button>
      </div>
      <ErrorBox error={error ?? data.error} />
      <Card>
        {!data.data ? (
          <Loading />
        ) : (
          <table class="table">
            <thead>
              <tr>
                <th>{t('username')}</th>
                <th>{t('displayName')}</th>
                <th>{t('role')}</th>
                <th>{t('halls')}</th>
                <th>{t('lastLogin')}</th>
                <th>{t('actions')}</th>
              </tr>
            </thead>
            <tbody>
              {data.data.map((u) => (
                <tr class={u.disabled ? 'revoked' : ''}>
                  <td class="mono">
                    <b>{u.username}</b>
                    {u.disabled && <span class="badge muted">{t('disabled')}</span>}
                  </td>
                  <td>{u.displayName ?? '—'}</td>
                  <td>
                    <span class={`badge role-${u.role}`}>{t(`role_${u.role}`)}</span>
                  </td>
                  <td>
                    {u.hallIds.length ? (
                      u.hallIds.map((h) => hallName.get(h) ?? h).join('、')
                    ) : (
                      <span class="muted">{t('allHalls')}</span>
                    )}
                  </td>
                  <td>{dateTime(u.lastLoginAt)}</td>
                  <td class="row">
                    <button class="btn small ghost" onClick={() => setEditing(u)}>
                      {t('edit')}
                    </button>
                    <button
                      class="btn small ghost"
                      onClick={() =>
                        act(() => api('PATCH', `/users/${u.id}`, { body: { disabled: !u.disabled } }))
                      }
                    >
                      {u.disabled ? t('enable') : t('disable')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      {editing && (
        <UserEditor
          user={editing === 'new' ? null : editing}
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

function UserEditor(props: { user: UserRow | null; onClose: () => void; onSaved: () => void }) {
  const { halls } = useSession()
  const u = props.user
  const [form, setForm] = useState({
    username: u?.username ?? '',
    displayName: u?.displayName ?? '',
    role: u?.role ?? 'manager',
    hallIds: u?.hallIds ?? [],
    password: '',
  })
  const [error, setError] = useState<unknown>(null)
  const toggleHall = (id: string, on: boolean) =>
    setForm({ ...form, hallIds: on ? [...form.hallIds, id] : form.hallIds.filter((h) => h !== id) })
  return (
    <Modal
      title={u ? `${t('edit')} · ${u.username}` : `${t('create')} · ${t('users')}`}
      onClose={props.onClose}
    >
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault()
          const body = {
            displayName: form.displayName || null,
            role: form.role,
            hallIds: form.role === 'admin' ? [] : form.hallIds,
          }
          try {
            if (u)
              await api('PATCH', `/users/${u.id}`, {
                body: { ...body, ...(form.password ? { password: form.password } : {}) },
              })
            else
              await api('POST', '/users', {
                body: { ...body, username: form.username, password: form.password },
              })
            props.onSaved()
          } catch (err) {
            setError(err)
          }
        }}
      >
        <Field label={t('username')}>
          <input
            name="username"
            required
            disabled={!!u}
            value={form.username}
            onInput={(e) => setForm({ ...form, username: e.currentTarget.value })}
          />
        </Field>
        <Field label={t('displayName')}>
          <input
            name="displayName"
            value={form.displayName}
            onInput={(e) => setForm({ ...form, displayName: e.currentTarget.value })}
          />
        </Field>
        <Field label={t('role')}>
          <select
            name="role"
            value={form.role}
            onChange={(e) => setForm({ ...form, role: e.currentTarget.value as UserRow['role'] })}
          >
            {(['admin', 'manager', 'viewer'] as const).map((r) => (
              <option value={r}>{t(`role_${r}`)}</option>
            ))}
          </select>
        </Field>
        {form.role !== 'admin' && (
          <fieldset class="field">
            <legend class="field-label">{t('halls')}</legend>
            <div class="checks">
              {halls.map((h) => (
                <label class="check">
                  <input
                    type="checkbox"
                    checked={form.hallIds.includes(h.id)}
                    onChange={(e) => toggleHall(h.id, e.currentTarget.checked)}
                  />
                  {h.name}
                </label>
              ))}
            </div>
          </fieldset>
        )}
        <Field label={u ? t('newPasswordFor', { name: u.username }) : t('initialPassword')}>
          <input
            type="password"
            name="password"
            autoComplete="new-password"
            minLength={8}
            required={!u}
            value={form.password}
            onInput={(e) => setForm({ ...form, password: e.currentTarget.value })}
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
