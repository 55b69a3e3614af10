// node-semver's side of bench/semver: the same data, the same two figures.
'use strict'
const fs = require('fs')
const semver = require(process.env.SEMVER_PATH || 'semver')
const dir = process.argv[2]
const lines = (f) => fs.readFileSync(`${dir}/${f}`, 'utf8').split('\n').filter(Boolean)
const rs = lines('ranges.txt')
const vs = lines('versions.txt')
const now = () => Number(process.hrtime.bigint()) / 1e9

const pr = rs.map((r) => new semver.Range(r))
const pv = vs.map((v) => new semver.SemVer(v))
let hits = 0
let pairs = 0
let t0 = now()
let t
do {
  for (const r of pr) for (const v of pv) hits += r.test(v)
  pairs += rs.length * vs.length
  t = now() - t0
} while (t < 1.0)
console.log(`node parsed       ${(pairs / t).toFixed(0).padStart(12)} tests/s`)

pairs = 0
t0 = now()
do {
  for (const r of rs) for (const v of vs) hits += semver.satisfies(v, r)
  pairs += rs.length * vs.length
  t = now() - t0
} while (t < 1.0)
console.log(`node with parsing ${(pairs / t).toFixed(0).padStart(12)} tests/s`)
