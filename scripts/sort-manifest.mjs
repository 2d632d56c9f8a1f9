#!/usr/bin/env node
// `oclif manifest` lists commands in directory-read order, which differs between machines; sort
// them so the committed manifest is the same wherever it is built (CI compares it byte for byte).
import {readFileSync, writeFileSync} from 'node:fs'

const path = 'oclif.manifest.json'
const manifest = JSON.parse(readFileSync(path, 'utf8'))
manifest.commands = Object.fromEntries(Object.entries(manifest.commands).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)))
writeFileSync(path, `${JSON.stringify(manifest, null, 2)}\n`)
