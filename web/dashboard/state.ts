// The dashboard's shared state: who is signed in, which halls they see, the hash route.
import { createContext } from 'preact'
import { useContext, useEffect, useState } from 'preact/hooks'
import { api, get } from '../shared/api.ts'

export interface Me {
  name: string
  role: 'admin' | 'manager' | 'viewer'
  halls: 'all' | string[]
  user: {
    id: string
    username: string
    displayName: string | null
    mustChangePassword: boolean
  } | null
}

export interface Hall {
  id: string
  name: string
  timeZone: string
  scale: number
  keyLabels: string[] | null
  reasons: { code: string; label: string }[]
  reasonsVersion: number
  promptSeconds: number
  locale: 'zh-CN' | 'en'
  voice: boolean
}

export interface Session {
  me: Me
  halls: Hall[]
  reloadHalls(): Promise<void>
  signOut(): Promise<void>
}

export const SessionContext = createContext<Session>(null as unknown as Session)
export const useSession = () => useContext(SessionContext)
export const canWrite = (me: Me) => me.role !== 'viewer'

export async function loadSession(): Promise<{ me: Me; halls: Hall[] } | null> {
  try {
    const me = await api<Me>('GET', '/session', { noRedirect: true })
    const halls = await get<Hall[]>('/halls')
    return { me, halls }
  } catch {
    return null
  }
}

// ---------------------------------------------------------------- the route in location.hash

export interface Route {
  path: string
  query: Record<string, string>
}

export function parseHash(hash = location.hash): Route {
  const h = hash.replace(/^#/, '') || '/overview'
  const [path, search = ''] = h.split('?')
  return { path, query: Object.fromEntries(new URLSearchParams(search)) }
}

export function href(path: string, query: Record<string, string | undefined | null> = {}): string {
  const p = new URLSearchParams()
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== null && v !== '') p.set(k, v)
  const s = p.toString()
  return `#${path}${s ? `?${s}` : ''}`
}

export function navigate(path: string, query: Record<string, string | undefined | null> = {}) {
  location.hash = href(path, query)
}

export function useRoute(): Route {
  const [route, setRoute] = useState(parseHash)
  useEffect(() => {
    const on = () => setRoute(parseHash())
    addEventListener('hashchange', on)
    return () => removeEventListener('hashchange', on)
  }, [])
  return route
}

/** The hall a page shows: from the URL, else the last one used, else the first. */
export function pickHall(halls: Hall[], fromUrl?: string): Hall | undefined {
  const remembered = localStorage.getItem('rp.hall') ?? undefined
  const h = halls.find((x) => x.id === fromUrl) ?? halls.find((x) => x.id === remembered) ?? halls[0]
  if (h) localStorage.setItem('rp.hall', h.id)
  return h
}
