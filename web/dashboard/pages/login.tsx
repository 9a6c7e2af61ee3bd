// Sign-in: a wrong password gets a clear message with the attempts left; too many lock the name.
import { useState } from 'preact/hooks'
import { api, ApiError } from '../../shared/api.ts'
import { t } from '../texts.ts'
import { LangToggle } from '../app.tsx'

export function LoginPage(props: { next?: string; onSignedIn: (next?: string) => void }) {
  const [username, setUsername] = useState('')
  const [password, setPassword] = useState('')
  const [busy, setBusy] = useState(false)
  const [error, setError] = useState<string | null>(null)

  const submit = async (e: Event) => {
    e.preventDefault()
    setBusy(true)
    setError(null)
    try {
      await api('POST', '/session', { body: { username: username.trim(), password }, noRedirect: true })
      props.onSignedIn(props.next)
    } catch (err) {
      if (err instanceof ApiError && err.body?.code === 'bad_credentials')
        setError(t('badCredentials', { n: Number(err.body.attemptsLeft) }))
      else if (err instanceof ApiError && err.body?.code === 'locked')
        setError(t('locked', { m: Math.ceil(Number(err.body.retryAfterSeconds) / 60) }))
      else if (err instanceof ApiError) setError(err.message)
      else setError(t('networkError'))
      setPassword('')
    } finally {
      setBusy(false)
    }
  }

  return (
    <div class="login-screen">
      <div class="login-lang">
        <LangToggle />
      </div>
      <div class="login-art" aria-hidden="true">
        <div class="login-art-inner">
          <div class="brand-mark big">评</div>
          <h1>{t('appName')}</h1>
          <p>好差评 · 一次一评 · 差评必回访</p>
          <div class="login-art-levels">
            <span style="background:#1b7f4b">非常满意</span>
            <span style="background:#43a047">满意</span>
            <span style="background:#9e9d24">基本满意</span>
            <span style="background:#ef6c00">不满意</span>
            <span style="background:#c62828">非常不满意</span>
          </div>
        </div>
      </div>
      <form class="login-card" onSubmit={submit} aria-label={t('signIn')}>
        <h2>{t('signInTitle')}</h2>
        <p class="muted">{t('signInHint')}</p>
        <label class="field">
          <span class="field-label">{t('username')}</span>
          <input
            name="username"
            autoComplete="username"
            value={username}
            onInput={(e) => setUsername(e.currentTarget.value)}
            required
            autoFocus
          />
        </label>
        <label class="field">
          <span class="field-label">{t('password')}</span>
          <input
            name="password"
            type="password"
            autoComplete="current-password"
            value={password}
            onInput={(e) => setPassword(e.currentTarget.value)}
            required
          />
        </label>
        {error && (
          <div class="error-box" role="alert" data-testid="login-error">
            {error}
          </div>
        )}
        <button class="btn primary wide" type="submit" disabled={busy}>
          {busy ? t('signingIn') : t('signIn')}
        </button>
      </form>
    </div>
  )
}
