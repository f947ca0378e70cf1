#!/bin/sh
# deps.sh PKG... - install the Debian packages that are missing (when root),
# or say which are missing and how to install them.
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'ok installed' ||
	    missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" = 0 ]; then
	echo "installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	# a fresh machine may still be running its own apt at boot: wait for it
	apt-get -o DPkg::Lock::Timeout=300 update -qq &&
	    apt-get -o DPkg::Lock::Timeout=300 install -y -qq $missing >/dev/null
else
	echo "missing Debian packages:$missing"
	echo "install them with: sudo apt-get install$missing"
	exit 1
fi
