#!/bin/sh
# run_all.sh - run the unit test binaries and the black-box daemon tests,
# add up their "N passed, N failed[, N skipped]" lines and print the total
# last: "P passed, F failed, S skipped". Exit status 1 only when something
# failed (a program without a result line counts as one failure); skips are
# shown with their reason and counted, never as passed nor as failed.
# Environment: BUILD (build dir), BIN (binaries), ONLY=unit|daemon.
BUILD=${BUILD:-build}
BIN=${BIN:-bin}
passed=0
failed=0
skipped=0

add_counts() {	# $1 = output file, $2 = name
	line=$(grep -E '^[0-9]+ passed, [0-9]+ failed(, [0-9]+ skipped)?$' "$1" |
	    tail -n 1)
	if [ -z "$line" ]; then
		echo "FAIL $2: no result line"
		failed=$((failed + 1))
		return
	fi
	p=$(echo "$line" | sed 's/^\([0-9]*\) passed.*/\1/')
	f=$(echo "$line" | sed 's/^[0-9]* passed, \([0-9]*\) failed.*/\1/')
	s=$(echo "$line" | sed -n 's/.* failed, \([0-9]*\) skipped$/\1/p')
	passed=$((passed + p))
	failed=$((failed + f))
	skipped=$((skipped + ${s:-0}))
}

out=$(mktemp)
if [ "${ONLY:-unit}" = unit ] || [ -z "$ONLY" ]; then
	for t in "$BUILD"/tests/test_*; do
		[ -x "$t" ] || continue
		name=$(basename "$t")
		if ! timeout 300 "$t" > "$out" 2>&1; then
			cat "$out"
			echo "FAIL unit/$name (exit status)"
			add_counts "$out" "$name"
			[ -z "$(grep -E '[1-9][0-9]* failed' "$out")" ] && failed=$((failed + 1))
			continue
		fi
		grep -E '^(FAIL|SKIP)' "$out"
		echo "unit/$name: $(tail -n 1 "$out")"
		add_counts "$out" "$name"
	done
fi
if [ "${ONLY:-daemon}" = daemon ] || [ -z "$ONLY" ]; then
	INTAKED_BIN="$BIN" timeout 1500 python3 tests/daemon/run.py 2>&1 | tee "$out"
	add_counts "$out" daemon
fi
rm -f "$out"
echo "$passed passed, $failed failed, $skipped skipped"
[ "$failed" -eq 0 ]
