/**
 * The version story as the docs tell it: the releases CHANGELOG.md lists, the next version its
 * Unreleased section names, and the ref README.md tells users to take until that version is
 * out. Pure readers of text; versions.test.ts holds them against each other, and the other
 * tests take the ref users are told to use from here instead of a constant of their own.
 */
import { readFileSync } from 'node:fs'
import * as path from 'node:path'

export const ACTION_REPOSITORY = 'aholo-dev/aholo-task-action'

export interface VersionStory {
  /** Versions with a dated section in CHANGELOG.md, newest first. */
  released: string[]
  /** The version the Unreleased section says it becomes, if it says. */
  next?: string
  /** The ref README.md says to use until `next` is released, if it says. */
  preReleaseRef?: string
  /** The version README.md's status line calls the latest release. */
  readmeLatest?: string
  /** The version README.md says the pre-release ref stands for. */
  readmeNext?: string
}

/** `## [1.2.3] - 2026-12-01` headings, newest first as Keep a Changelog orders them. */
export const releasedVersions = (changelog: string): string[] =>
  [...changelog.matchAll(/^## \[(\d+\.\d+\.\d+)\] - \d{4}-\d{2}-\d{2}$/gm)].map(match => match[1])

/** "These changes will be released as **1.0.0**" under `## [Unreleased]`. */
export const nextVersion = (changelog: string): string | undefined => {
  const unreleased = /^## \[Unreleased\]\n([\s\S]*?)(?=^## )/m.exec(changelog)?.[1] ?? ''
  return /will be released as \*\*(\d+\.\d+\.\d+)\*\*/.exec(unreleased)?.[1]
}

/** The status line of README.md: "latest release **0.1.0**", "until 1.0.0 is released, use `@main`". */
export const readmeStatus = (
  readme: string
): { latest?: string; next?: string; preReleaseRef?: string } => {
  const until = /until (\d+\.\d+\.\d+) is released, use `@([A-Za-z0-9._/-]+)`/.exec(readme)
  return {
    latest: /latest release \*\*(\d+\.\d+\.\d+)\*\*/.exec(readme)?.[1],
    next: until?.[1],
    preReleaseRef: until?.[2]
  }
}

/** The same status in README.zh-CN.md: "最新发布 **0.1.0**", "1.0.0 发布之前请使用 `@main`". */
export const readmeZhStatus = (
  readme: string
): { latest?: string; next?: string; preReleaseRef?: string } => {
  const until = /(\d+\.\d+\.\d+) 发布之前请使用 `@([A-Za-z0-9._/-]+)`/.exec(readme)
  return {
    latest: /最新发布 \*\*(\d+\.\d+\.\d+)\*\*/.exec(readme)?.[1],
    next: until?.[1],
    preReleaseRef: until?.[2]
  }
}

export const readVersionStory = (root: string): VersionStory => {
  const changelog = readFileSync(path.join(root, 'CHANGELOG.md'), 'utf8')
  const status = readmeStatus(readFileSync(path.join(root, 'README.md'), 'utf8'))
  return {
    released: releasedVersions(changelog),
    next: nextVersion(changelog),
    preReleaseRef: status.preReleaseRef,
    readmeLatest: status.latest,
    readmeNext: status.next
  }
}

/**
 * The refs a use of the action may name: the pre-release ref while the README states one (the
 * examples use what the next release brings), else the latest release as `vX`, `vX.Y` or
 * `vX.Y.Z`. A `<placeholder>` (as in `@<40-hex-sha>`) is always allowed.
 */
export const allowedRefs = (story: VersionStory): string[] => {
  if (story.preReleaseRef) return [story.preReleaseRef]
  const latest = story.released[0]
  if (!latest) return []
  const [major, minor] = latest.split('.')
  return [`v${major}`, `v${major}.${minor}`, `v${latest}`]
}

/** The ref the examples use: the pre-release ref, else the latest release's major tag. */
export const publishedRef = (story: VersionStory): string => {
  if (story.preReleaseRef) return story.preReleaseRef
  return `v${(story.released[0] ?? '0').split('.')[0]}`
}

export interface ActionUse {
  file: string
  line: number
  /** `''` for the action, `/create` or `/.github/workflows/aholo-wait.yml`. */
  what: string
  ref: string
}

/** Every `aholo-dev/aholo-task-action[/create|/<reusable workflow>]@<ref>` in a text. */
export const actionUses = (file: string, text: string): ActionUse[] =>
  text
    .split('\n')
    .flatMap((lineText, at) =>
      [
        ...lineText.matchAll(
          /aholo-dev\/aholo-task-action(\/create|\/\.github\/workflows\/aholo-wait\.yml)?@([^\s`'")\]]+)/g
        )
      ].map(match => ({ file, line: at + 1, what: match[1] ?? '', ref: match[2] }))
    )

/** The uses whose ref is neither allowed nor a `<placeholder>`, as `file:line: ...@ref`. */
export const disagreeing = (uses: ActionUse[], allowed: string[]): string[] =>
  uses
    .filter(use => !allowed.includes(use.ref) && !/^<[^>]+>$/.test(use.ref))
    .map(use => `${use.file}:${use.line}: ${ACTION_REPOSITORY}${use.what}@${use.ref}`)
