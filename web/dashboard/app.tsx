// The dashboard shell: sign-in, the side navigation by role, the top bar (hall, language, account)
// and the page the hash route names.
import type { ComponentChildren } from 'preact'
import { useEffect, useState } from 'preact/hooks'
import { api } from '../shared/api.ts'
import { lang, onLang, setLang } from '../shared/i18n.ts'
import { t } from './texts.ts'
import {
  href,
  loadSession,
  navigate,
  SessionContext,
  useRoute,
  type Hall,
  type Me,
  type Route,
} from './state.ts'
import { LoginPage } from './pages/login.tsx'
import { AccountPage } from './pages/account.tsx'
import { OverviewPage } from './pages/overview.tsx'
import { RankingPage, HallsPage } from './pages/rankings.tsx'
import { DetailPage } from './pages/detail.tsx'
import { DevicesPage } from './pages/devices.tsx'
import { PosterPage } from './pages/poster.tsx'
import { FollowupsPage } from './pages/followups.tsx'
import { HallSettingsPage } from './pages/admin-halls.tsx'
import { WindowAdminPage } from './pages/admin-windows.tsx'
import { StaffAdminPage } from './pages/admin-staff.tsx'
import { DeviceAdminPage } from './pages/admin-devices.tsx'
import { UsersPage } from './pages/admin-users.tsx'
import { AuditPage } from './pages/admin-audit.tsx'
import { Loading } from './components/ui.tsx'

interface NavItem {
  path: string
  label: () => string
  icon: string
  /** Who sees it: by default everyone. */
  roles?: Me['role'][]
}

const NAV: { group: () => string; items: NavItem[] }[] = [
  {
    group: () => t('navReports'),
    items: [
      { path: '/overview', label: () => t('navOverview'), icon: '◎' },
      { path: '/windows', label: () => t('navWindows'), icon: '▦' },
      { path: '/staff', label: () => t('navStaff'), icon: '☺' },
      { path: '/services', label: () => t('navServices'), icon: '☰' },
      { path: '/halls', label: () => t('navHalls'), icon: '⚑' },
      { path: '/followups', label: () => t('navFollowups'), icon: '✎' },
    ],
  },
  {
    group: () => t('navOps'),
    items: [
      { path: '/devices', label: () => t('navDevices'), icon: '⌁' },
      { path: '/wall', label: () => t('navWall'), icon: '▣' },
      { path: '/poster', label: () => t('navPoster'), icon: '▤' },
    ],
  },
  {
    group: () => t('navAdmin'),
    items: [
      { path: '/admin/halls', label: () => t('navHallSettings'), icon: '⌂', roles: ['admin', 'manager'] },
      { path: '/admin/windows', label: () => t('navWindowAdmin'), icon: '▭', roles: ['admin', 'manager'] },
      { path: '/admin/staff', label: () => t('navStaffAdmin'), icon: '☷', roles: ['admin', 'manager'] },
      { path: '/admin/devices', label: () => t('navDeviceAdmin'), icon: '▢', roles: ['admin', 'manager'] },
      { path: '/admin/users', label: () => t('navUsers'), icon: '♙', roles: ['admin'] },
      { path: '/admin/audit', label: () => t('navAudit'), icon: '≣', roles: ['admin'] },
    ],
  },
]

function pageFor(route: Route, me: Me): { page: ComponentChildren; bare?: boolean } {
  const p = route.path
  const registry = (roles: Me['role'][], page: ComponentChildren) =>
    roles.includes(me.role) ? { page } : { page: <NoAccess /> }
  if (p === '/overview') return { page: <OverviewPage route={route} /> }
  if (p === '/windows') return { page: <RankingPage route={route} dim="windows" /> }
  if (p === '/staff') return { page: <RankingPage route={route} dim="staff" /> }
  if (p === '/services') return { page: <RankingPage route={route} dim="services" /> }
  if (p === '/halls') return { page: <HallsPage route={route} /> }
  const detail = /^\/(windows|staff)\/(.+)$/.exec(p)
  if (detail)
    return {
      page: (
        <DetailPage
          route={route}
          kind={detail[1] === 'windows' ? 'window' : 'staff'}
          id={decodeURIComponent(detail[2])}
        />
      ),
    }
  if (p === '/followups') return { page: <FollowupsPage route={route} /> }
  if (p === '/devices') return { page: <DevicesPage route={route} /> }
  if (p === '/poster') return { page: <PosterPage route={route} />, bare: true }
  if (p === '/account') return { page: <AccountPage /> }
  if (p === '/admin/halls') return registry(['admin', 'manager'], <HallSettingsPage route={route} />)
  if (p === '/admin/windows') return registry(['admin', 'manager'], <WindowAdminPage route={route} />)
  if (p === '/admin/staff') return registry(['admin', 'manager'], <StaffAdminPage route={route} />)
  if (p === '/admin/devices') return registry(['admin', 'manager'], <DeviceAdminPage route={route} />)
  if (p === '/admin/users') return registry(['admin'], <UsersPage />)
  if (p === '/admin/audit') return registry(['admin'], <AuditPage route={route} />)
  return {
    page: (
      <div class="page">
        <h1>{t('notFound')}</h1>
      </div>
    ),
  }
}

function NoAccess() {
  return (
    <div class="page">
      <div class="no-access" role="alert">
        <svg class="no-access-icon" viewBox="0 0 48 48" width="56" height="56" aria-hidden="true">
          <rect x="10" y="21" width="28" height="21" rx="4" fill="#d64545" />
          <path d="M16 21v-6a8 8 0 0 1 16 0v6" fill="none" stroke="#d64545" stroke-width="4" />
          <circle cx="24" cy="31" r="3" fill="#fff" />
        </svg>
        <h1>{t('noAccess')}</h1>
        <p>{t('noAccessHint')}</p>
        <a class="btn" href="#/overview">
          {t('navOverview')}
        </a>
      </div>
    </div>
  )
}

export function LangToggle() {
  return (
    <button
      class="lang-toggle"
      onClick={() => setLang(lang.value === 'zh' ? 'en' : 'zh')}
      title="中文 / English"
    >
      {lang.value === 'zh' ? 'EN' : '中文'}
    </button>
  )
}

export function App() {
  const route = useRoute()
  const [, setLangTick] = useState(0)
  const [session, setSession] = useState<{ me: Me; halls: Hall[] } | null | undefined>(undefined)
  useEffect(() => onLang(() => setLangTick((n) => n + 1)), [])
  useEffect(() => {
    document.documentElement.lang = lang.value === 'zh' ? 'zh-CN' : 'en'
  }, [lang.value])
  const reload = async () => setSession(await loadSession())
  useEffect(() => {
    if (route.path !== '/login') void reload()
  }, [route.path === '/login'])

  if (route.path === '/login')
    return (
      <LoginPage
        next={route.query.next}
        onSignedIn={async (next) => {
          setSession(undefined)
          if (next && next.startsWith('/app/') && !next.startsWith('/app/dashboard/')) location.assign(next)
          else if (next?.startsWith('/app/dashboard/#')) location.hash = next.slice('/app/dashboard/'.length)
          else navigate('/overview')
        }}
      />
    )
  if (session === undefined) return <Loading />
  if (session === null) {
    navigate('/login', { next: location.pathname + location.hash })
    return <Loading />
  }
  const { me, halls } = session
  if (me.user?.mustChangePassword && route.path !== '/account') {
    navigate('/account', { first: '1' })
    return <Loading />
  }
  if (route.path === '/wall') {
    const hall = localStorage.getItem('rp.hall') ?? halls[0]?.id
    location.assign(`/app/wall/${hall ? `?hall=${encodeURIComponent(hall)}` : ''}`)
    return <Loading />
  }
  const signOut = async () => {
    await api('DELETE', '/session').catch(() => {})
    setSession(null)
    navigate('/login')
  }
  const ctx = {
    me,
    halls,
    reloadHalls: async () => setSession({ me, halls: await api('GET', '/halls') }),
    signOut,
  }
  const { page, bare } = pageFor(route, me)
  if (bare) return <SessionContext.Provider value={ctx}>{page}</SessionContext.Provider>
  const section =
    '/' +
    route.path
      .split('/')
      .filter(Boolean)
      .slice(0, route.path.startsWith('/admin') ? 2 : 1)
      .join('/')
  return (
    <SessionContext.Provider value={ctx}>
      <div class="shell">
        <nav class="sidebar" aria-label="main">
          <a class="brand" href="#/overview">
            <span class="brand-mark">评</span>
            <span class="brand-text">{t('appName')}</span>
          </a>
          {NAV.map((g) => {
            const items = g.items.filter((i) => !i.roles || i.roles.includes(me.role))
            if (!items.length) return null
            return (
              <div class="nav-group">
                <div class="nav-group-title">{g.group()}</div>
                {items.map((i) => (
                  <a
                    class={`nav-item ${section === i.path ? 'active' : ''}`}
                    href={href(i.path, keepHall(route))}
                  >
                    <span class="nav-icon" aria-hidden="true">
                      {i.icon}
                    </span>
                    {i.label()}
                  </a>
                ))}
              </div>
            )
          })}
        </nav>
        <div class="main">
          <header class="topbar">
            <div class="topbar-title">{t('appName')}</div>
            <div class="topbar-right">
              <LangToggle />
              <a class="user-chip" href="#/account" title={t('account')}>
                <span class="avatar">{(me.user?.displayName ?? me.name).slice(0, 1).toUpperCase()}</span>
                <span>
                  <b>{me.user?.displayName ?? me.name}</b>
                  <small>{t(`role_${me.role}` as 'role_admin')}</small>
                </span>
              </a>
              <button class="btn small ghost" onClick={signOut}>
                {t('signOut')}
              </button>
            </div>
          </header>
          <main class="content">{page}</main>
        </div>
      </div>
    </SessionContext.Provider>
  )
}

/** Moving between report pages keeps the hall and period. */
function keepHall(route: Route) {
  const { hall, period, date, from, to } = route.query
  return { hall, period, date, from, to }
}
