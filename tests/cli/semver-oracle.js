// Answers semver_oracle_driver's cases with node-semver (see that file).
'use strict'
const semver = require(process.env.SEMVER_PATH || 'semver')
const readline = require('readline')

const unescape = (s) => {
  const bytes = []
  for (let i = 0; i < s.length; i++) {
    if (s[i] !== '\\' || i + 1 >= s.length) { bytes.push(...Buffer.from(s[i], 'latin1')); continue }
    const c = s[++i]
    if (c === 't') bytes.push(9)
    else if (c === 'n') bytes.push(10)
    else if (c === 'x') { bytes.push(parseInt(s.slice(i + 1, i + 3), 16)); i += 2 }
    else bytes.push(c.charCodeAt(0))
  }
  // the bytes are UTF-8, decoded as node decodes its arguments
  return Buffer.from(bytes).toString('utf8')
}

const out = []
const answer = (mode, fl, a, b) => {
  const opts = { loose: fl.includes('l'), includePrerelease: fl.includes('p') }
  try {
    switch (mode) {
      case 'valid-range': return String(semver.validRange(a, opts))
      case 'satisfies': return String(semver.satisfies(b, a, opts))
      case 'valid': { const v = semver.parse(a, opts); return v ? v.version : 'null' }
      case 'compare': return String(semver.compare(a, b, opts))
      case 'intersects': return String(semver.intersects(a, b, opts))
      case 'subset': return String(semver.subset(a, b, opts))
      case 'min-version': { const v = semver.minVersion(a, opts); return v ? v.version : 'null' }
      case 'coerce': {
        const v = semver.coerce(a, { ...opts, rtl: fl.includes('r') })
        return v ? v.version : 'null'
      }
      case 'inc': {
        const sp = b.indexOf(' ')
        const id = b.slice(sp + 1)
        return String(semver.inc(a, b.slice(0, sp), opts, id === '' ? undefined : id))
      }
      default: return 'unknown-mode'
    }
  } catch (e) {
    return 'error'
  }
}

readline.createInterface({ input: process.stdin, crlfDelay: Infinity })
  .on('line', (line) => {
    const f = line.split('\t')
    out.push(f.length < 4 ? 'bad-line' : answer(f[0], f[1], unescape(f[2]), unescape(f[3])))
  })
  .on('close', () => { process.stdout.write(out.join('\n') + (out.length ? '\n' : '')) })
