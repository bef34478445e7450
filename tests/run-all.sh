#!/usr/bin/env bash
# Runs every unit test binary given as arguments, then the integration suite
# (tests/integration/run.sh), and prints the one closing line CI reads:
#   N passed, N failed
# Each test prints "PASS name" or "FAIL name"; we count those lines.
set -u
cd "$(dirname "$0")/.."
out=$(mktemp)
trap 'rm -f "$out"' EXIT
status=0
for t in "$@"; do
    echo "== unit: $(basename "$t")"
    if ! "$t" 2>&1 | tee -a "$out"; then status=1; fi
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
done
if [ -n "${RMD_FUZZ:-}" ]; then
    echo "== fuzz (${FUZZ_SECONDS:-5} s each)"
    # shellcheck disable=SC2086
    bash tests/run-fuzz.sh $RMD_FUZZ 2>&1 | tee -a "$out"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fi
if [ -z "${RMD_UNIT_ONLY:-}" ]; then
    echo "== integration"
    bash tests/integration/run.sh 2>&1 | tee -a "$out"
    [ "${PIPESTATUS[0]}" -eq 0 ] || status=1
fi
passed=$(grep -c '^PASS ' "$out")
failed=$(grep -c '^FAIL ' "$out")
echo
grep '^FAIL ' "$out" | sed 's/^/  /'
echo "$passed passed, $failed failed"
[ "$failed" -eq 0 ] && [ "$status" -eq 0 ]
