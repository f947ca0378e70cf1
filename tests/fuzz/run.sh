#!/bin/sh
# run.sh [NAME ...] - build every libFuzzer harness tests/fuzz/fuzz_NAME.c
# (or only the NAMEs given) with clang, ASan and UBSan, together with all of
# parsers/*.c, the daemon's pure mail and page builders (gateway/mailout.c,
# gateway/page*.c) and the generated build/gen/embedded.c, into build-fuzz/;
# then run each for FUZZ_SECONDS seconds (default 60) on a scratch copy of
# tests/fuzz/corpus/NAME/ (in build-fuzz/run.PID/, removed at the end), with
# tests/fuzz/NAME.dict when there is one.
# Prints one line per harness; exits 1 if any harness crashed, leaked or
# timed out, 2 if something could not be built. Crash inputs are kept in
# build-fuzz/artifacts/NAME/, full logs in build-fuzz/fuzz_NAME.log.
# Environment: FUZZ_SECONDS, CLANG (default clang), FUZZ_FLAGS (extra
# libFuzzer options).
set -u
cd "$(dirname "$0")/../.." || exit 2

FUZZ_SECONDS=${FUZZ_SECONDS:-60}
CLANG=${CLANG:-clang}
OUT=build-fuzz
SAN="-fsanitize=address,undefined -fno-sanitize-recover=undefined -fno-omit-frame-pointer"

# The same libraries as the Makefile, read from it rather than repeated.
PKGS=$(make -s --no-print-directory SANITIZER= \
    --eval 'fuzz-print-pkgs: ; @echo $(PKGS)' fuzz-print-pkgs) || exit 2
PKG_CFLAGS=$(pkg-config --cflags $PKGS) || exit 2
PKG_LIBS=$(pkg-config --libs $PKGS) || exit 2
CFLAGS="-std=gnu11 -D_GNU_SOURCE -Iinclude -g -O1 $PKG_CFLAGS"

if ! make -s --no-print-directory SANITIZER= build/gen/embedded.c; then
	echo "fuzz: cannot generate build/gen/embedded.c"
	exit 2
fi
mkdir -p "$OUT/obj" "$OUT/artifacts"

# Objects of the library under test, rebuilt when their source is newer:
# the parsers, and the pure parts of the daemon that build what it sends
# (outbound mail, on the pages' buffer).
objs=""
for src in parsers/*.c gateway/mailout.c gateway/page*.c build/gen/embedded.c; do
	obj="$OUT/obj/$(basename "$src" .c).o"
	if [ ! -f "$obj" ] || [ "$src" -nt "$obj" ] ||
	    [ -n "$(find include parsers gateway -newer "$obj" -name '*.h' 2>/dev/null)" ]; then
		if ! $CLANG $CFLAGS -fsanitize=fuzzer-no-link $SAN \
		    -c "$src" -o "$obj.$$"; then
			rm -f "$obj.$$"
			echo "fuzz: cannot compile $src"
			exit 2
		fi
		mv -f "$obj.$$" "$obj"
	fi
	objs="$objs $obj"
done
# An archive, as in the Makefile: a harness pulls in only what it uses.
lib="$OUT/libparsers.$$.a"
rm -f "$lib"
ar rcs "$lib" $objs || exit 2
# Scratch space of this run only, so that two runs do not collide.
scratch="$OUT/run.$$"
trap 'rm -rf "$scratch" "$lib"' EXIT
trap 'exit 130' INT TERM
mkdir -p "$scratch"

if [ $# -gt 0 ]; then
	names="$*"
else
	names=""
	for h in tests/fuzz/fuzz_*.c; do
		[ -f "$h" ] || continue
		n=$(basename "$h" .c)
		names="$names ${n#fuzz_}"
	done
fi
if [ -z "$names" ]; then
	echo "fuzz: no harness in tests/fuzz/"
	exit 2
fi

status=0
for name in $names; do
	h="tests/fuzz/fuzz_$name.c"
	bin="$OUT/fuzz_$name"
	log="$OUT/fuzz_$name.log"
	if [ ! -f "$h" ]; then
		echo "fuzz_$name: no such harness ($h)"
		status=2
		continue
	fi
	if ! $CLANG $CFLAGS -fsanitize=fuzzer $SAN "$h" "$lib" $PKG_LIBS \
	    -lpthread -o "$bin.$$" > "$log" 2>&1; then
		rm -f "$bin.$$"
		echo "fuzz_$name: BUILD FAILED (see $log)"
		status=2
		continue
	fi
	mv -f "$bin.$$" "$bin"
	corpus="$scratch/corpus-$name"
	mkdir -p "$corpus" "$OUT/artifacts/$name"
	if [ -d "tests/fuzz/corpus/$name" ]; then
		cp -R "tests/fuzz/corpus/$name/." "$corpus/"
	fi
	dict=""
	[ -f "tests/fuzz/$name.dict" ] && dict="-dict=tests/fuzz/$name.dict"
	"$bin" -max_total_time="$FUZZ_SECONDS" -timeout=10 \
	    -artifact_prefix="$OUT/artifacts/$name/" -print_final_stats=1 \
	    $dict ${FUZZ_FLAGS:-} "$corpus" > "$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	if [ $rc -eq 0 ]; then
		echo "fuzz_$name: ok, ${runs:-?} runs in $FUZZ_SECONDS s," \
		    "$(ls "$corpus" | wc -l) corpus inputs"
	else
		art=$(sed -n 's/.*Test unit written to \(.*\)$/\1/p' "$log" |
		    tail -n 1)
		echo "fuzz_$name: FAILED (exit $rc) after ${runs:-?} runs," \
		    "input ${art:-none saved}, log $log"
		[ $status -eq 0 ] && status=1
	fi
done
exit $status
