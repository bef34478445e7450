#!/usr/bin/env bash
# Unit tests only (make unit).
RMD_UNIT_ONLY=1 exec bash "$(dirname "$0")/run-all.sh" "$@"
