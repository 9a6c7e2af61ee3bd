// Changing one's own password (asked for at the first sign-in with a printed password).
import { useState } from 'preact/hooks'
import { api, ApiError } from '../../shared/api.ts'
import { t } from '../texts.ts'
import { navigate, useSession } from '../state.ts'
import { Card, ErrorBox, Field } from '../components/ui.tsx'

export function AccountPage() {
  const { me } = useSession()
  const [form, setForm] = useState({ current: '', next: '', repeat: '' })
  const [error, setError] = useState<unknown>(null)
  const [done, setDone] = useState(false)
  const first = me.user?.mustChangePassword

  const submit = async (e: Event) => {
    e.preventDefault()
    setError(null)
    if (form.next !== form.repeat) return setError(new Error(t('passwordsDiffer')))
    try {
      await api('PUT', '/session/password', {
        body: { currentPassword: form.current, newPassword: form.next },
      })
      setDone(true)
      if (first) {
        // The session the shell holds still says "must change": start again from the overview.
        location.hash = '#/overview'
        location.reload()
      }
    } catch (err) {
      setError(err instanceof ApiError ? err : new Error(String(err)))
    }
  }
  const input = (k: keyof typeof form, label: string, autoComplete: string) => (
    <Field label={label}>
      <input
        type="password"
        name={k}
        autoComplete={autoComplete}
        value={form[k]}
        onInput={(e) => setForm({ ...form, [k]: e.currentTarget.value })}
        required
        minLength={k === 'current' ? 1 : 8}
      />
    </Field>
  )
  return (
    <div class="page narrow">
      <h1>{t('account')}</h1>
      {first && <div class="notice">{t('mustChange')}</div>}
      <Card>
        {me.user ? (
          <form class="form" onSubmit={submit}>
            {input('current', t('currentPassword'), 'current-password')}
            {input('next', t('newPassword'), 'new-password')}
            {input('repeat', t('repeatPassword'), 'new-password')}
            <ErrorBox error={error} />
            {done && <div class="ok-box">{t('passwordChanged')}</div>}
            <div class="form-actions">
              <button class="btn primary" type="submit">
                {t('save')}
              </button>
              {!first && (
                <button class="btn ghost" type="button" onClick={() => navigate('/overview')}>
                  {t('back')}
                </button>
              )}
            </div>
          </form>
        ) : (
          <p class="muted">API token: {me.name}</p>
        )}
      </Card>
    </div>
  )
}
