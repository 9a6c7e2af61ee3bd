// 大厅设置: name, pads' scale, key labels and 差评 reason list (versioned by the server), prompt time,
// voice and language, and how unrated transactions count. Saving republishes every pad's config.
import { useEffect, useState } from 'preact/hooks'
import { api, get } from '../../shared/api.ts'
import { levelName } from '../../shared/i18n.ts'
import { defaultKeyLabels, type Scale } from '../../../protocol/scale.ts'
import { t } from '../texts.ts'
import { pickHall, useSession, type Hall, type Route } from '../state.ts'
import { Card, Empty, ErrorBox, Field, Modal } from '../components/ui.tsx'

/** The labels the pads show when the hall sets none. */
const DEFAULT_LABELS = (scale: number) => defaultKeyLabels(scale as Scale)

export function HallSettingsPage({ route }: { route: Route }) {
  const { halls, me, reloadHalls } = useSession()
  const hall = pickHall(halls, route.query.hall)
  const [creating, setCreating] = useState(false)
  return (
    <div class="page">
      <div class="page-head">
        <h1>{t('navHallSettings')}</h1>
        {me.role === 'admin' && (
          <button class="btn primary" onClick={() => setCreating(true)}>
            + {t('create')}
          </button>
        )}
      </div>
      {halls.length > 1 && (
        <div class="tabs">
          {halls.map((h) => (
            <a
              class={`tab ${h.id === hall?.id ? 'on' : ''}`}
              href={`#/admin/halls?hall=${encodeURIComponent(h.id)}`}
            >
              {h.name}
            </a>
          ))}
        </div>
      )}
      {hall ? <HallForm key={hall.id} hall={hall} onSaved={reloadHalls} /> : <Empty />}
      {creating && (
        <CreateHall
          onClose={() => setCreating(false)}
          onCreated={async (id) => {
            setCreating(false)
            await reloadHalls()
            location.hash = `#/admin/halls?hall=${encodeURIComponent(id)}`
          }}
        />
      )}
    </div>
  )
}

function CreateHall(props: { onClose: () => void; onCreated: (id: string) => void }) {
  const [form, setForm] = useState({ id: '', name: '' })
  const [error, setError] = useState<unknown>(null)
  return (
    <Modal title={`${t('create')} · ${t('hall')}`} onClose={props.onClose}>
      <form
        class="form"
        onSubmit={async (e) => {
          e.preventDefault()
          try {
            const h = await api<Hall>('POST', '/halls', {
              body: { name: form.name, ...(form.id ? { id: form.id } : {}) },
            })
            props.onCreated(h.id)
          } catch (err) {
            setError(err)
          }
        }}
      >
        <Field label={t('hallName')}>
          <input
            name="name"
            required
            value={form.name}
            onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
          />
        </Field>
        <Field label={t('id')} hint="A–Z a–z 0–9 _ . -">
          <input name="id" value={form.id} onInput={(e) => setForm({ ...form, id: e.currentTarget.value })} />
        </Field>
        <ErrorBox error={error} />
        <div class="form-actions">
          <button class="btn primary">{t('save')}</button>
        </div>
      </form>
    </Modal>
  )
}

function HallForm({ hall, onSaved }: { hall: Hall; onSaved: () => Promise<void> }) {
  const [form, setForm] = useState({
    name: hall.name,
    scale: hall.scale,
    customLabels: hall.keyLabels !== null,
    keyLabels: hall.keyLabels ?? DEFAULT_LABELS(hall.scale),
    reasons: hall.reasons,
    promptSeconds: hall.promptSeconds,
    voice: hall.voice,
    locale: hall.locale,
  })
  const [policy, setPolicy] = useState<{ mode: 'keep' | 'default'; level: number; afterDays: number }>({
    mode: 'keep',
    level: 3,
    afterDays: 7,
  })
  const [error, setError] = useState<unknown>(null)
  const [saved, setSaved] = useState(false)
  useEffect(() => {
    get(`/halls/${encodeURIComponent(hall.id)}/unrated-policy`).then((p) =>
      setPolicy({ mode: p.mode, level: p.level ?? 3, afterDays: p.afterDays ?? 7 }),
    )
  }, [hall.id])
  const setScale = (scale: number) =>
    setForm({ ...form, scale, keyLabels: DEFAULT_LABELS(scale), customLabels: false })

  const save = async (e: Event) => {
    e.preventDefault()
    setError(null)
    setSaved(false)
    try {
      await api('PATCH', `/halls/${encodeURIComponent(hall.id)}`, {
        body: {
          name: form.name,
          scale: form.scale,
          keyLabels: form.customLabels ? form.keyLabels : null,
          reasons: form.reasons.filter((r) => r.code && r.label),
          promptSeconds: Number(form.promptSeconds),
          voice: form.voice,
          locale: form.locale,
        },
      })
      await api('PUT', `/halls/${encodeURIComponent(hall.id)}/unrated-policy`, {
        body:
          policy.mode === 'keep'
            ? { mode: 'keep' }
            : { mode: 'default', level: Number(policy.level), afterDays: Number(policy.afterDays) },
      })
      setSaved(true)
      await onSaved()
    } catch (err) {
      setError(err)
    }
  }

  return (
    <form class="form" onSubmit={save} data-testid="hall-form">
      <div class="grid two">
        <Card title={t('hall')}>
          <Field label={t('hallName')}>
            <input
              name="name"
              required
              value={form.name}
              onInput={(e) => setForm({ ...form, name: e.currentTarget.value })}
            />
          </Field>
          <Field label={t('id')}>
            <input value={hall.id} disabled />
          </Field>
          <Field label={t('timeZone')}>
            <input value={hall.timeZone} disabled />
          </Field>
          <Field label={t('promptSeconds')}>
            <input
              type="number"
              min="3"
              max="600"
              name="promptSeconds"
              value={form.promptSeconds}
              onInput={(e) => setForm({ ...form, promptSeconds: Number(e.currentTarget.value) })}
            />
          </Field>
          <div class="row">
            <label class="check">
              <input
                type="checkbox"
                checked={form.voice}
                onChange={(e) => setForm({ ...form, voice: e.currentTarget.checked })}
              />
              {t('voice')}
            </label>
            <label class="filter inline">
              <span>{t('padLanguage')}</span>
              <select
                value={form.locale}
                onChange={(e) => setForm({ ...form, locale: e.currentTarget.value as 'zh-CN' })}
              >
                <option value="zh-CN">中文</option>
                <option value="en">English</option>
              </select>
            </label>
          </div>
          <h3>{t('unratedPolicy')}</h3>
          <div class="row">
            <label class="check">
              <input
                type="radio"
                name="policy"
                checked={policy.mode === 'keep'}
                onChange={() => setPolicy({ ...policy, mode: 'keep' })}
              />
              {t('keepUnrated')}
            </label>
            <label class="check">
              <input
                type="radio"
                name="policy"
                checked={policy.mode === 'default'}
                onChange={() => setPolicy({ ...policy, mode: 'default' })}
              />
              {t('defaultAfter', { days: policy.afterDays })}
            </label>
          </div>
          {policy.mode === 'default' && (
            <div class="row">
              <label class="filter inline">
                <span>{t('afterDays')}</span>
                <input
                  type="number"
                  min="0"
                  max="366"
                  value={policy.afterDays}
                  style={{ width: '5em' }}
                  onInput={(e) => setPolicy({ ...policy, afterDays: Number(e.currentTarget.value) })}
                />
              </label>
              <label class="filter inline">
                <span>{t('level')}</span>
                <select
                  value={policy.level}
                  onChange={(e) => setPolicy({ ...policy, level: Number(e.currentTarget.value) })}
                >
                  {[5, 4, 3, 2, 1].map((l) => (
                    <option value={l}>{levelName(l)}</option>
                  ))}
                </select>
              </label>
            </div>
          )}
        </Card>
        <Card title={t('scale')}>
          <div class="segmented big" role="group" aria-label={t('scale')}>
            {[2, 3, 4, 5].map((n) => (
              <button
                type="button"
                class={form.scale === n ? 'on' : ''}
                aria-pressed={form.scale === n}
                onClick={() => setScale(n)}
              >
                {n}
              </button>
            ))}
          </div>
          <h3>{t('keyLabels')}</h3>
          <label class="check">
            <input
              type="checkbox"
              checked={!form.customLabels}
              onChange={(e) =>
                setForm({
                  ...form,
                  customLabels: !e.currentTarget.checked,
                  keyLabels: DEFAULT_LABELS(form.scale),
                })
              }
            />
            {t('defaultLabels')}
          </label>
          <div class="key-preview">
            {form.keyLabels.map((l, i) => (
              <input
                class={`key k${form.scale}-${i}`}
                value={l}
                disabled={!form.customLabels}
                maxLength={16}
                onInput={(e) => {
                  const keyLabels = [...form.keyLabels]
                  keyLabels[i] = e.currentTarget.value
                  setForm({ ...form, keyLabels })
                }}
              />
            ))}
          </div>
          <h3>
            {t('reasonList')} <small class="muted">{t('reasonsVersion', { n: hall.reasonsVersion })}</small>
          </h3>
          <table class="table compact">
            <thead>
              <tr>
                <th>{t('reasonCode')}</th>
                <th>{t('reasonLabel')}</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {form.reasons.map((r, i) => (
                <tr>
                  <td>
                    <input
                      class="mono"
                      value={r.code}
                      onInput={(e) =>
                        setForm({
                          ...form,
                          reasons: form.reasons.map((x, j) =>
                            j === i ? { ...x, code: e.currentTarget.value } : x,
                          ),
                        })
                      }
                    />
                  </td>
                  <td>
                    <input
                      value={r.label}
                      onInput={(e) =>
                        setForm({
                          ...form,
                          reasons: form.reasons.map((x, j) =>
                            j === i ? { ...x, label: e.currentTarget.value } : x,
                          ),
                        })
                      }
                    />
                  </td>
                  <td>
                    <button
                      type="button"
                      class="btn small ghost"
                      onClick={() => setForm({ ...form, reasons: form.reasons.filter((_, j) => j !== i) })}
                    >
                      {t('remove')}
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
          {form.reasons.length < 12 && (
            <button
              type="button"
              class="btn small ghost"
              onClick={() => setForm({ ...form, reasons: [...form.reasons, { code: '', label: '' }] })}
            >
              + {t('addReason')}
            </button>
          )}
        </Card>
      </div>
      <ErrorBox error={error} />
      {saved && <div class="ok-box">{t('saved')}</div>}
      <div class="form-actions sticky">
        <button class="btn primary" type="submit">
          {t('save')}
        </button>
      </div>
    </form>
  )
}
