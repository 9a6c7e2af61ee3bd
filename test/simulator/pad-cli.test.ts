// The Node pad CLI (npm run pad) as a child process with piped stdin/stdout, on the real server's
// broker: it shows the staff card, a key press becomes a rating in the database, q stops it cleanly.
import { spawn, type ChildProcessWithoutNullStreams } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { renderScreen } from '../../device/adapters/node/terminal.ts'
import { seedHall, startServer, waitFor, type TestServer } from '../helpers/server.ts'

let s: TestServer
let dir: string
beforeAll(async () => {
  s = await startServer()
  dir = mkdtempSync(join(tmpdir(), 'rp-pad-cli-'))
})
afterAll(async () => {
  await s?.close()
  rmSync(dir, { recursive: true, force: true })
})

function startPad(args: string[]) {
  const child = spawn(process.execPath, ['--import', 'tsx', 'device/cli/pad.ts', ...args], {
    cwd: process.cwd(),
    env: { ...process.env, FORCE_COLOR: '0' },
  }) as ChildProcessWithoutNullStreams
  const out = { text: '' }
  child.stdout.on('data', (d) => (out.text += d.toString()))
  child.stderr.on('data', (d) => (out.text += d.toString()))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return { child, out, exited }
}

// A child process starting tsx takes seconds on a busy machine: generous waits, no timing asserted.
const START = 90_000

describe('npm run pad', () => {
  let p: Awaited<ReturnType<typeof seedHall>>['pads'][number]

  it('shows the staff card, rates from the keyboard, and stops on q', { timeout: 2 * START }, async () => {
    p = (await seedHall(s, { hallId: 'cli', windows: 1 })).pads[0]
    const { child, out, exited } = startPad([
      '--device',
      p.id,
      '--secret',
      p.secret,
      '--broker',
      s.mqttUrl,
      '--data',
      dir,
    ])
    try {
      await waitFor(
        () => out.text.includes('工作人员1') && out.text.includes(`工号 ${p.staffNo}`),
        'staff card',
        START,
      )
      expect(out.text).toContain('1号窗口')

      child.stdin.write('r')
      await waitFor(() => out.text.includes('请您对我的工作给予评价'), 'prompt')
      child.stdin.write('2')
      await waitFor(() => out.text.includes('谢谢您的评价'), 'thanks')
      const row = await waitFor(
        () => s.app.db.prisma.rating.findFirst({ where: { deviceId: p.id } }),
        'rating stored',
      )
      expect(row).toMatchObject({ level: 4, staffNo: p.staffNo, windowId: p.windowId })
      expect(row.transactionId).toMatch(/^pad-/)

      child.stdin.write('q')
      expect(await exited).toBe(0)
      await waitFor(
        async () => !(await s.api('GET', `/api/v1/devices/${p.id}`)).body.status.online,
        'offline',
      )
    } finally {
      child.kill()
    }
  })

  it(
    'starts again without --secret (kept in its data folder); s signs in, o signs out',
    { timeout: 2 * START },
    async () => {
      const { child, out, exited } = startPad(['--device', p.id, '--broker', s.mqttUrl, '--data', dir])
      try {
        await waitFor(() => out.text.includes('工作人员1'), 'staff card after restart', START)
        child.stdin.write('o')
        await waitFor(() => out.text.includes('暂无工作人员签到'), 'signed out')
        child.stdin.write('s')
        child.stdin.write(`${p.staffNo}\n`)
        await waitFor(
          async () =>
            (await s.api('GET', `/api/v1/windows/${p.windowId}`)).body.signedIn?.staffNo === p.staffNo,
          'signed in again through the pad',
        )
        child.stdin.end() // end of input: quit
        expect(await exited).toBe(0)
      } finally {
        child.kill()
      }
    },
  )

  it('draws every view as text', () => {
    const base = {
      offline: true,
      outboxFull: false,
      locale: 'zh-CN' as const,
      hall: '市民中心',
      window: '3号窗口',
      staff: { staffNo: 'A001', name: '张三', photoUrl: null, title: '科员', stars: 4 },
      keys: [
        { key: 1, label: '满意', level: 4 as const, class: 'good' as const },
        { key: 2, label: '不满意', level: 2 as const, class: 'bad' as const },
      ],
      countdown: null,
      reasons: null,
      transaction: null,
    }
    const idle = renderScreen({ ...base, view: 'idle' }).join('\n')
    expect(idle).toContain('[离线]')
    expect(idle).toContain('张三  工号 A001  科员  ★★★★☆')
    const prompting = renderScreen({
      ...base,
      view: 'prompting',
      countdown: 8,
      transaction: { ticket: 'A012', serviceName: '居住证办理' },
    }).join('\n')
    expect(prompting).toContain('请您对我的工作给予评价 · A012 居住证办理   还剩 8 秒')
    expect(prompting).toContain('[1] 满意  [2] 不满意')
    const reasons = renderScreen({
      ...base,
      view: 'reasons',
      countdown: 15,
      reasons: [
        { key: 1, code: 'attitude', label: '服务态度' },
        { key: null, code: 'other', label: '其他' },
      ],
    }).join('\n')
    expect(reasons).toContain('[1] 服务态度  其他')
    expect(renderScreen({ ...base, view: 'thanks', locale: 'en' }).join('\n')).toContain('Thank you!')
  })
})
