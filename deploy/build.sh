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
#
# The version: the binary reports it (calbot version, and the start-up log
# line). Go's -buildvcs records the revision only from a plain checkout, not
# from a git worktree or a Docker build context (which holds no .git), so
# this script stamps it with -ldflags -X: CALBOT_VERSION and CALBOT_REVISION
# if set (the Dockerfile passes them as build arguments), else what git says.
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
version=${CALBOT_VERSION:-$(git describe --tags --always --dirty 2>/dev/null || true)}
revision=${CALBOT_REVISION:-$(git rev-parse HEAD 2>/dev/null || true)}
ldflags='-s -w'
[ -z "$version" ] || ldflags+=" -X main.buildVersion=$version"
[ -z "$revision" ] || ldflags+=" -X main.buildRevision=$revision"
CGO_ENABLED=0 exec go build -trimpath -ldflags="$ldflags" -o "$out" ./cmd/calbot
