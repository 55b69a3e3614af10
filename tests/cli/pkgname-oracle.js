// Package names for tests/unit/pkgname_oracle_driver.c, judged by
// validate-npm-package-name (t0700-hostile-names.sh).
//   node pkgname-oracle.js generate N SEED   N names, one JSON string a line
//   node pkgname-oracle.js judge             "valid" or "invalid" for each name read
// knit's verdict is npm's validForNewPackages with knit's documented
// differences (util/pkgname.h): the names of Node's core modules are taken,
// and ~'!()* or a leading '.' are refused in the @scope as well.
'use strict'
const readline = require('readline')

const fixed = [
  '', 'a', 'some-package', 'example.com', 'under_score', '123numeric', 'crazy!', '@npm/thingy',
  '@npm-zors/money!time.js', '.start', '_start', '-start', ' lead', 'trail ', 'contain:colons',
  's/l/a/s/h/e/s', 'node_modules', 'favicon.ico', 'NODE_MODULES', 'http', 'HTTP', 'crypto',
  'CAPITAL', '..', '.', '../x', '../../pwned', '@x/../../y', '@x/..', '@x/.', '@../x', '@./x',
  '@.x/y', '@x', '@', '@/x', '@x/', '@x//y', '@a@b/c', 'a@b', '@_x/y', '@-x/y', '@x/_y', '@x/-y',
  'a\u0007b', 'a\nb', 'caf\u00e9', 'a%2fb', 'a\\b', 'x'.repeat(214), 'x'.repeat(215),
  '@s/' + 'x'.repeat(211), '@s/' + 'x'.repeat(212),
]

function rng (seed) {
  let s = seed >>> 0
  return () => {
    s = (s + 0x6d2b79f5) >>> 0
    let t = s
    t = Math.imul(t ^ (t >>> 15), t | 1)
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61)
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296
  }
}

function generate (n, seed) {
  const r = rng(seed)
  const pick = (a) => a[Math.floor(r() * a.length)]
  const plain = 'abcdefghijklmnopqrstuvwxyz0123456789'
  const odd = ['.', '_', '-', '@', '/', '~', "'", '!', '(', ')', '*', ' ', '\t', '%', ':', 'A', 'Z',
    '\u00e9', '\u0007', '\\', '+', '=', '..', '\u007f', '#', '?']
  const part = () => {
    let s = ''
    const len = r() < 0.02 ? 200 + Math.floor(r() * 20) : Math.floor(r() * 10)
    for (let i = 0; i < len; i++) s += r() < 0.9 ? pick(plain) : pick(odd)
    return s
  }
  const out = fixed.slice()
  while (out.length < n) {
    const k = r()
    if (k < 0.4) out.push(part())
    else if (k < 0.8) out.push('@' + part() + '/' + part())
    else if (k < 0.9) out.push(pick(['../', './', '@x/', '@', '.', '_', '-', ' ']) + part())
    else out.push(part() + pick(['/..', '/.', ' ', '/', '@1.0.0', '']))
  }
  for (const name of out) console.log(JSON.stringify(name))
}

function judge () {
  const validate = require(process.env.VNPN_PATH || 'validate-npm-package-name')
  const lines = []
  readline.createInterface({ input: process.stdin }).on('line', (line) => {
    const name = JSON.parse(line)
    const r = validate(name)
    const warnings = (r.warnings || []).filter((w) => !w.endsWith('is a core module name'))
    let ok = !r.errors && !warnings.length
    if (/[~'!()*]/.test(name) || name.startsWith('@.')) ok = false
    lines.push(ok ? 'valid' : 'invalid')
  }).on('close', () => console.log(lines.join('\n')))
}

if (process.argv[2] === 'generate') generate(Number(process.argv[3]), Number(process.argv[4]))
else if (process.argv[2] === 'judge') judge()
else { console.error('usage: pkgname-oracle.js generate N SEED | judge'); process.exit(2) }
