#!/usr/bin/env bash
# Installs the Debian packages knit builds and tests with, when any is missing.
# Sourced by scripts/bootstrap and scripts/test; safe to run again.
set -euo pipefail

KNIT_DEBS=(build-essential cmake ninja-build pkg-config git
	libpcre2-dev libcjson-dev libcmocka-dev libcurl4-openssl-dev libarchive-dev libssl-dev libuv1-dev libgit2-dev libdeflate-dev
	meson autoconf automake libtool bubblewrap zstd
	nginx-light python3 curl wrk zsh fish
	clang libclang-rt-dev nodejs npm)

knit_install_deps() {
	local missing=()
	for p in "${KNIT_DEBS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
	done
	# node and npm may come from elsewhere than Debian; that is fine
	if command -v node >/dev/null && command -v npm >/dev/null; then
		local keep=()
		for p in "${missing[@]}"; do [[ $p == nodejs || $p == npm ]] || keep+=("$p"); done
		missing=("${keep[@]}")
	fi
	[ ${#missing[@]} -eq 0 ] && return 0
	echo "installing: ${missing[*]}"
	local sudo=()
	[ "$(id -u)" -eq 0 ] || sudo=(sudo)
	export DEBIAN_FRONTEND=noninteractive
	"${sudo[@]}" apt-get update -qq
	"${sudo[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}"
}
