// The 差评 follow-up loop as a state machine: stable English codes in the API, Chinese labels for
// people. Pure, so the rules are tested and documented in one place (docs/followup.md).
//
//   pending_callback 待回访 → called_back 已回访 → rectifying 整改中 → rectified 已整改 → closed 已反馈
//   any of the first three → appealed 申诉中 → review: upheld → voided 申诉成立（评价作废）
//                                                     rejected → back to the state it was appealed from

export const STATES = [
  'pending_callback',
  'called_back',
  'rectifying',
  'rectified',
  'closed',
  'appealed',
  'voided',
] as const
export type State = (typeof STATES)[number]

export const STATE_LABELS: Record<State, string> = {
  pending_callback: '待回访',
  called_back: '已回访',
  rectifying: '整改中',
  rectified: '已整改',
  closed: '已反馈',
  appealed: '申诉中',
  voided: '申诉成立（评价作废）',
}

/** Steps a person takes; `open` and `reschedule` are taken by the system. */
export const ACTIONS = ['callback', 'start_rectify', 'rectify', 'feedback', 'appeal', 'review'] as const
export type Action = (typeof ACTIONS)[number]
export type StepAction = Action | 'open' | 'reschedule'

export const ACTION_LABELS: Record<StepAction, string> = {
  open: '立案',
  callback: '回访',
  start_rectify: '开始整改',
  rectify: '整改完成',
  feedback: '反馈',
  appeal: '申诉',
  review: '复核',
  reschedule: '期限调整',
}

export const RECTIFY_KINDS = ['simple', 'complex'] as const
export type RectifyKind = (typeof RECTIFY_KINDS)[number]
export const RECTIFY_KIND_LABELS: Record<RectifyKind, string> = { simple: '简单整改', complex: '复杂整改' }

export type Decision = 'upheld' | 'rejected'
export const DECISION_LABELS: Record<Decision, string> = { upheld: '申诉成立', rejected: '申诉驳回' }

/** Where each action may start from. */
const FROM: Record<Action, readonly State[]> = {
  callback: ['pending_callback'],
  start_rectify: ['called_back'],
  rectify: ['rectifying'],
  feedback: ['rectified'],
  // A 差评 may be appealed until the rectification is done (then it was accepted).
  appeal: ['pending_callback', 'called_back', 'rectifying'],
  review: ['appealed'],
}

export const OPEN_STATES: readonly State[] = STATES.filter((s) => s !== 'closed' && s !== 'voided')

export function allowedActions(state: State): Action[] {
  return ACTIONS.filter((a) => FROM[a].includes(state))
}

export type Transition = { ok: true; to: State } | { ok: false; message: string }

const named = (s: State) => `${STATE_LABELS[s]} (${s})`
const act = (a: Action) => `${ACTION_LABELS[a]} (${a})`

/**
 * The state an action leads to, or why it cannot be taken now. `resume` is the state an appealed
 * case returns to when the appeal is rejected.
 */
export function transition(
  state: State,
  action: Action,
  opts: { decision?: Decision; resume?: State | null } = {},
): Transition {
  if (!FROM[action].includes(state)) {
    const allowed = allowedActions(state)
    return {
      ok: false,
      message:
        `cannot ${act(action)} a case in state ${named(state)}: ${act(action)} is allowed from ` +
        `${FROM[action].map(named).join(', ')}; ` +
        (allowed.length ? `this case can now take ${allowed.map(act).join(', ')}` : 'this case is finished'),
    }
  }
  switch (action) {
    case 'callback':
      return { ok: true, to: 'called_back' }
    case 'start_rectify':
      return { ok: true, to: 'rectifying' }
    case 'rectify':
      return { ok: true, to: 'rectified' }
    case 'feedback':
      return { ok: true, to: 'closed' }
    case 'appeal':
      return { ok: true, to: 'appealed' }
    case 'review':
      return opts.decision === 'upheld'
        ? { ok: true, to: 'voided' }
        : { ok: true, to: opts.resume ?? 'pending_callback' }
  }
}
