#!/usr/bin/env bash
# build.sh builds the calbot release binary: static (no cgo), without local
# paths (-trimpath) and without symbol tables (-s -w). The Dockerfile and CI
# both call it, so an image and a CI build come from the same flags.
#
# Usage: deploy/build.sh OUTPUT
#
# OUTPUT is relative to the caller's directory. GOOS and GOARCH are honoured
# (cross-compiling needs nothing more without cgo). It builds from the repo
# root wherever it is called from.
set -euo pipefail

if [ "$#" -ne 1 ] || [ -z "$1" ]; then
  echo "usage: deploy/build.sh OUTPUT" >&2
  exit 2
fi
out=$1
case $out in
  /*) ;;
  *) out=$PWD/$out ;;
esac

cd "$(dirname "$0")/.."
CGO_ENABLED=0 exec go build -trimpath -ldflags='-s -w' -o "$out" ./cmd/calbot
