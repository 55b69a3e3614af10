#!/usr/bin/env python3
"""Damages and checks gen-registry.py registries for knit's install tests.

  corrupt REG NAME VERSION     flip a byte of the tarball (integrity now wrong)
  truncate REG NAME VERSION    cut the tarball short, and make the packument's
                               integrity match the cut bytes
  escape REG NAME VERSION      replace the tarball with one whose entry climbs
                               out of its folder (package/../../escaped), integrity
                               made to match
  symlink REG NAME VERSION     a tarball with a symlink pointing outside
  malform REG NAME             make the packument invalid JSON
  publish REG NAME FROM TO     add version TO to NAME's packument, a copy of FROM
                               (same tarball), and make it the latest
  pack REG DIR                 put the package in DIR (its knit.json names it)
                               into the folder registry REG, read as file://REG,
                               as the latest version (until knit publish exists)
  rebase REG URL               point every dist.tarball at URL (a copy's own place)
  hostile REG NAME KIND ARG    publish NAME@1.0.0, a crafted tarball of KIND, into REG:
                                 chain FILE  a0/../a13/L -> 14 x '..' and x -> that L/ + 15 x '..'
                                             (each looks inside, together they reach '/'),
                                             and a bin 'evil' naming x/FILE (FILE absolute)
                                 deep N      a file N folders deep
                                 bomb MIB    MIB mebibytes of zeros (about a thousandth as gzip)
  deeptree DIR N               make DIR/d/d/.../d/f, N folders deep (through descriptors:
                               a shell's cd takes minutes at that depth)
  check REG PROJECT            deps/ equals the tarballs byte for byte (no extra
                               files), and knit.lock's versions, integrity and
                               URLs match the packuments
"""
import base64, hashlib, io, json, os, sys, tarfile

def packument(reg, name):
    return os.path.join(reg, name, "index.json")

def tarball_path(reg, name, version):
    return os.path.join(reg, name, "-", f"{name.split('/')[-1]}-{version}.tgz")

def set_integrity(reg, name, version, data):
    p = packument(reg, name)
    doc = json.load(open(p))
    dist = doc["versions"][version]["dist"]
    dist["integrity"] = "sha512-" + base64.b64encode(hashlib.sha512(data).digest()).decode()
    dist["shasum"] = hashlib.sha1(data).hexdigest()
    json.dump(doc, open(p, "w"))

def crafted(entries):
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz") as t:
        for kind, path, payload in entries:
            ti = tarfile.TarInfo(path)
            if kind == "file":
                ti.size = len(payload)
                t.addfile(ti, io.BytesIO(payload))
            else:
                ti.type = tarfile.SYMTYPE
                ti.linkname = payload
                t.addfile(ti)
    return raw.getvalue()

class Zeros(io.RawIOBase):
    """n zero bytes, read without holding them."""
    def __init__(self, n):
        self.left = n
    def readable(self):
        return True
    def readinto(self, b):
        k = min(len(b), self.left)
        b[:k] = bytes(k)
        self.left -= k
        return k

def hostile(reg, name, kind, arg):
    manifest = {"name": name, "version": "1.0.0"}
    raw = io.BytesIO()
    with tarfile.open(fileobj=raw, mode="w:gz", format=tarfile.PAX_FORMAT, compresslevel=6) as t:
        def add(path, kind="file", payload=b"", size=None):
            ti = tarfile.TarInfo("package/" + path)
            ti.mode = 0o755 if kind == "dir" else 0o644
            if kind == "dir":
                ti.type = tarfile.DIRTYPE
                t.addfile(ti)
            elif kind == "link":
                ti.type = tarfile.SYMTYPE
                ti.linkname = payload
                t.addfile(ti)
            elif size is not None:
                ti.size = size
                t.addfile(ti, io.BufferedReader(Zeros(size), 1 << 20))
            else:
                ti.size = len(payload)
                t.addfile(ti, io.BytesIO(payload))
        if kind == "chain":
            manifest["bin"] = {"evil": "x" + arg}
        add("package.json", payload=json.dumps(manifest).encode())
        if kind == "chain":
            folders = "/".join(f"a{i}" for i in range(14))
            add(folders, "dir")
            add(folders + "/L", "link", "/".join([".."] * 14))
            add("x", "link", folders + "/L/" + "/".join([".."] * 15))
        elif kind == "deep":
            add("d/" * int(arg) + "f", payload=b"x\n")
        elif kind == "bomb":
            add("zeros", size=int(arg) << 20)
        else:
            sys.exit(f"unknown kind {kind}")
    data = raw.getvalue()
    tp = tarball_path(reg, name, "1.0.0")
    os.makedirs(os.path.dirname(tp), exist_ok=True)
    open(tp, "wb").write(data)
    entry = dict(manifest)
    entry["dist"] = {"tarball": "file://" + os.path.abspath(tp)}
    json.dump({"name": name, "versions": {"1.0.0": entry}, "dist-tags": {"latest": "1.0.0"}},
              open(packument(reg, name), "w"))
    set_integrity(reg, name, "1.0.0", data)

def main():
    cmd, reg = sys.argv[1], sys.argv[2]
    if cmd in ("corrupt", "truncate", "escape", "symlink"):
        name, version = sys.argv[3], sys.argv[4]
        tp = tarball_path(reg, name, version)
        data = open(tp, "rb").read()
        if cmd == "corrupt":
            data = data[:len(data) // 2] + bytes([data[len(data) // 2] ^ 0xFF]) + data[len(data) // 2 + 1:]
            open(tp, "wb").write(data)
            return
        if cmd == "truncate":
            data = data[: len(data) * 2 // 3]
        elif cmd == "escape":
            data = crafted([("file", "package/package.json", b'{"name":"x","version":"1.0.0"}'),
                            ("file", "package/../../escaped.txt", b"owned\n")])
        else:
            data = crafted([("file", "package/package.json", b'{"name":"x","version":"1.0.0"}'),
                            ("link", "package/evil", "../../../../etc")])
        open(tp, "wb").write(data)
        set_integrity(reg, name, version, data)
    elif cmd == "publish":
        name, src, dst = sys.argv[3], sys.argv[4], sys.argv[5]
        p = packument(reg, name)
        doc = json.load(open(p))
        entry = json.loads(json.dumps(doc["versions"][src]))
        entry["version"] = dst
        doc["versions"][dst] = entry
        doc["dist-tags"]["latest"] = dst
        json.dump(doc, open(p, "w"))
    elif cmd == "pack":
        src = sys.argv[3]
        manifest = json.load(open(os.path.join(src, "knit.json")))
        name, version = manifest["name"], manifest["version"]
        raw = io.BytesIO()
        with tarfile.open(fileobj=raw, mode="w:gz") as t:
            for d, dirs, files in sorted(os.walk(src)):
                dirs.sort()
                for f in sorted(files):
                    full = os.path.join(d, f)
                    t.add(full, "package/" + os.path.relpath(full, src))
        data = raw.getvalue()
        tp = tarball_path(reg, name, version)
        os.makedirs(os.path.dirname(tp), exist_ok=True)
        open(tp, "wb").write(data)
        p = packument(reg, name)
        doc = json.load(open(p)) if os.path.exists(p) else {"name": name, "versions": {}, "dist-tags": {}}
        entry = dict(manifest)
        entry["dist"] = {"tarball": "file://" + os.path.abspath(tp)}
        doc["versions"][version] = entry
        doc["dist-tags"]["latest"] = version
        json.dump(doc, open(p, "w"))
        set_integrity(reg, name, version, data)
    elif cmd == "rebase":
        url = sys.argv[3].rstrip("/")
        for d, _, files in os.walk(reg):
            if "index.json" not in files or "/-" in d:
                continue
            p = os.path.join(d, "index.json")
            doc = json.load(open(p))
            name = doc["name"]
            for v in doc["versions"].values():
                v["dist"]["tarball"] = f"{url}/{name}/-/" + v["dist"]["tarball"].rsplit("/", 1)[1]
            json.dump(doc, open(p, "w"))
    elif cmd == "deeptree":
        fd = os.open(reg, os.O_RDONLY | os.O_DIRECTORY)
        for _ in range(int(sys.argv[3])):
            os.mkdir("d", dir_fd=fd)
            sub = os.open("d", os.O_RDONLY | os.O_DIRECTORY, dir_fd=fd)
            os.close(fd)
            fd = sub
        os.write(os.open("f", os.O_WRONLY | os.O_CREAT, 0o644, dir_fd=fd), b"x\n")
        os.close(fd)
    elif cmd == "hostile":
        hostile(reg, sys.argv[3], sys.argv[4], sys.argv[5])
    elif cmd == "malform":
        with open(packument(reg, sys.argv[3]), "a") as f:
            f.write("}{ not json")
    elif cmd == "check":
        project = sys.argv[3]
        lock = json.load(open(os.path.join(project, "knit.lock")))
        problems = 0
        for name, p in lock["packages"].items():
            doc = json.load(open(packument(reg, name)))
            v = doc["versions"][p["version"]]
            if p["integrity"] != v["dist"]["integrity"] or p["resolved"] != v["dist"]["tarball"]:
                print(f"lock differs from the packument for {name}"); problems += 1
            if p["dependencies"] != v.get("dependencies", {}):
                print(f"lock dependencies differ for {name}"); problems += 1
            want = {}
            with tarfile.open(tarball_path(reg, name, p["version"])) as t:
                for m in t.getmembers():
                    if m.isfile():
                        want[m.name.split("/", 1)[1]] = t.extractfile(m).read()
            have = {}
            base = os.path.join(project, "deps", name)
            for d, _, files in os.walk(base):
                for f in files:
                    full = os.path.join(d, f)
                    have[os.path.relpath(full, base)] = open(full, "rb").read()
            if want != have:
                print(f"deps/{name} differs from its tarball"); problems += 1
        listed = set()
        generated = {"knit.cmake", "knit.mk"}  # install's; knit build writes knit.env and .pkgconfig/
        for g in generated:
            if not os.path.exists(os.path.join(project, "deps", g)):
                print(f"deps/{g} is missing"); problems += 1
        for e in os.listdir(os.path.join(project, "deps")):
            if e.startswith(".") or e in generated | {"knit.env"}:
                continue
            if e.startswith("@"):
                listed |= {f"{e}/{s}" for s in os.listdir(os.path.join(project, "deps", e))}
            else:
                listed.add(e)
        if listed != set(lock["packages"]):
            print(f"deps/ holds {sorted(listed ^ set(lock['packages']))} beyond or short of knit.lock"); problems += 1
        print(f"checked {len(lock['packages'])} packages, {problems} problems")
        sys.exit(1 if problems else 0)
    else:
        sys.exit(f"unknown command {cmd}")

if __name__ == "__main__":
    main()
