/**
 * calicoctl's result messages for the multi-resource commands, exactly as v3.32.1 prints them
 * (reference calicoctl-cli.md §1.2–§1.5 and §1.10): stdout lines and the error text for stderr.
 */

export type ReportVerb = 'create' | 'apply' | 'validate' | 'replace' | 'delete'

const PAST: Record<ReportVerb, string> = {
  create: 'created',
  apply: 'applied',
  validate: 'validated',
  replace: 'replaced',
  delete: 'deleted',
}

export interface ResultSummary {
  /** Number of input resources. */
  total: number
  /** Number that succeeded (skipped ones included). */
  handled: number
  /** Per-resource errors, in input order. */
  errors: string[]
  /** The one kind of every input resource, or undefined when kinds are mixed. */
  singleKind?: string
}

export interface Report {
  stdout: string[]
  /** The error text for stderr; undefined on success. */
  error?: string
}

/** Go's `%v` of a []error: `[e1 e2]`. */
export function goErrorList(errors: readonly string[]): string {
  return `[${errors.join(' ')}]`
}

function kindPhrase(kind: string | undefined, noun: 'resource(s)' | 'resources' | 'resource'): string {
  return kind ? `'${kind}' ${noun}` : noun
}

/** create, apply and validate: every resource is tried; errors are collected. */
export function collectedErrorsReport(verb: 'create' | 'apply' | 'validate', summary: ResultSummary): Report {
  const {total, handled, errors, singleKind} = summary
  const past = PAST[verb]
  if (total === 0) return {stdout: ['No resources specified']}
  if (handled === 0) {
    if (total === 1) return {stdout: [], error: `failed to ${verb} '${singleKind ?? ''}' resource: ${goErrorList(errors)}`}
    const what = singleKind ? `any '${singleKind}' resources` : 'any resources'
    return {stdout: [], error: `failed to ${verb} ${what}: ${goErrorList(errors)}`}
  }
  if (errors.length === 0) return {stdout: [`Successfully ${past} ${handled} ${kindPhrase(singleKind, 'resource(s)')}`]}
  const stdout =
    handled - errors.length > 0
      ? [`Partial success: ${past} the first ${handled} out of ${total} ${kindPhrase(singleKind, 'resources')}:`]
      : []
  const prefix = verb === 'create' ? 'hit error' : 'hit error(s)'
  return {stdout, error: `${prefix}: ${goErrorList(errors)}`}
}

/**
 * replace: calicoctl keeps only the last error, and a failed update still counts as handled, so a
 * failure usually reads "Partial success … first N out of N" (reproduced on purpose).
 */
export function replaceReport(summary: {total: number; handled: number; lastError?: string; singleKind?: string}): Report {
  const {total, handled, lastError, singleKind} = summary
  if (total === 0) return {stdout: ['No resources specified']}
  if (!lastError) return {stdout: [`Successfully replaced ${handled} ${kindPhrase(singleKind, 'resource(s)')}`]}
  if (handled === 0) {
    if (total === 1) return {stdout: [], error: `failed to replace '${singleKind ?? ''}' resource: ${lastError}`}
    const what = singleKind ? `any '${singleKind}' resources` : 'any resources'
    return {stdout: [], error: `failed to replace ${what}: ${lastError}`}
  }
  return {
    stdout: [`Partial success: replaced the first ${handled} out of ${total} ${kindPhrase(singleKind, 'resources')}:`],
    error: `hit error: ${lastError}`,
  }
}

/** delete: a success line when anything was deleted, then one line per failure. */
export function deleteReport(summary: ResultSummary): Report {
  const {total, handled, errors, singleKind} = summary
  if (total === 0) return {stdout: ['No resources specified']}
  const stdout = handled > 0 ? [`Successfully deleted ${handled} ${kindPhrase(singleKind, 'resource(s)')}`] : []
  if (errors.length === 0) return {stdout}
  const lines = errors.map((e) => (singleKind ? `Failed to delete '${singleKind}' resource: ${e}` : `Failed to delete resource: ${e}`))
  return {stdout, error: lines.join('\n')}
}
