#!/bin/sh
# valgrind.sh TEST... - run unit test binaries under valgrind memcheck, two
# at a time; one line per test, and the whole report of a failing one.
# Exits 1 if any had an error or a leak.
if [ "$1" = --one ]; then
	t=$2
	out=$(mktemp)
	valgrind -q --suppressions=tests/valgrind.supp --leak-check=full \
	    --errors-for-leak-kinds=definite,indirect --error-exitcode=99 \
	    "$t" > "$out" 2>&1
	rc=$?
	if [ $rc -eq 99 ]; then
		cat "$out"
		echo "valgrind: $t: errors"
	else
		echo "valgrind: $t: clean"
	fi
	rm -f "$out"
	[ $rc -ne 99 ]
	exit
fi
printf '%s\n' "$@" | xargs -P 2 -n 1 sh "$0" --one
