#!/bin/bash
# Inspects the .deb that `make package` built (issue 32): its files and their modes, the control
# fields, the maintainer scripts, the man page, and the systemd unit (systemd-analyze verify, and
# the offline security score, which must be "OK" or better). The test machines run no systemd as
# PID 1, so the unit is checked, not started; sd_notify is tested against a socket the
# integration tests hold (tests/integration/notify_test.cpp).
# Usage: tests/package/check_deb.sh BUILD_DIR
set -euo pipefail
build=${1:?usage: check_deb.sh BUILD_DIR}
shopt -s nullglob
debs=("$build"/message_*.deb)
[ ${#debs[@]} -eq 1 ] || { echo "FAIL: expected one message_*.deb in $build, found ${#debs[@]}"; exit 1; }
deb=${debs[0]}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
failures=0
fail() { echo "FAIL: $*"; failures=$((failures + 1)); }
ok() { echo "ok: $*"; }

# The file name: message_<version>_<arch>.deb.
arch=$(dpkg --print-architecture)
[[ $(basename "$deb") =~ ^message_[0-9][^_]*_${arch}\.deb$ ]] && ok "name $(basename "$deb")" || fail "name $(basename "$deb")"

# Control fields.
field() { dpkg-deb --field "$deb" "$1"; }
[ "$(field Package)" = message ] && ok "Package" || fail "Package is '$(field Package)'"
[ "$(field Architecture)" = "$arch" ] && ok "Architecture" || fail "Architecture is '$(field Architecture)'"
depends=$(field Depends)
# shlibdeps: the libraries the binary links appear with versions, and adduser for postinst.
for dep in libc6 libsqlite3-0 libssl3 libsystemd0 adduser; do
  [[ $depends == *"$dep"* ]] && ok "Depends has $dep" || fail "Depends lacks $dep: $depends"
done
[[ $depends =~ libc6\ \(\>=\ [0-9] ]] && ok "Depends versioned by shlibdeps" || fail "Depends not versioned: $depends"
[ -n "$(field Description)" ] && ok "Description" || fail "no Description"

# Files and their modes (owner root:root in the archive; postinst gives /etc/default/message to
# the message group).
listing=$(dpkg-deb --contents "$deb")
expect_file() {  # mode path
  local line
  line=$(awk -v p="./$2" '$6 == p' <<<"$listing")
  if [ -z "$line" ]; then fail "missing $2"; return; fi
  local mode owner
  mode=$(awk '{print $1}' <<<"$line"); owner=$(awk '{print $2}' <<<"$line")
  [ "$mode" = "$1" ] && [ "$owner" = root/root ] && ok "$2 $mode $owner" || fail "$2 is $mode $owner, expected $1 root/root"
}
expect_file -rwxr-xr-x usr/bin/message
expect_file -rw-r--r-- usr/share/man/man1/message.1.gz
expect_file -rw-r--r-- lib/systemd/system/message.service
expect_file -rw-r--r-- lib/systemd/system/message.socket
expect_file -rw-r----- etc/default/message
expect_file -rw-r--r-- usr/share/doc/message/copyright

# The man page is help2man's, from --help: it names flags the binary has.
dpkg-deb --fsys-tarfile "$deb" | tar -x -C "$work" ./usr/share/man/man1/message.1.gz ./usr/share/doc/message/copyright \
  ./lib/systemd/system/message.service ./lib/systemd/system/message.socket ./etc/default/message ./usr/bin/message
man_text=$(zcat "$work/usr/share/man/man1/message.1.gz")
for flag in --port --data --key --log-format backup restore; do
  grep -q -- "${flag//-/\\\\-}" <<<"$man_text" && ok "man page has $flag" || fail "man page lacks $flag"
done
grep -q "help2man" <<<"$man_text" && ok "man page by help2man" || fail "man page not from help2man"
grep -q "^License: Expat" "$work/usr/share/doc/message/copyright" && ok "copyright MIT (Expat)" || fail "copyright"
grep -q "MESSAGE_KEY" "$work/etc/default/message" && ok "/etc/default/message names MESSAGE_KEY" || fail "default env"

# Maintainer scripts: present, executable, and doing what the issue asks.
dpkg-deb --control "$deb" "$work/DEBIAN"
for s in postinst prerm postrm; do
  [ -x "$work/DEBIAN/$s" ] && ok "$s executable" || fail "$s missing or not executable"
  sh -n "$work/DEBIAN/$s" && ok "$s parses" || fail "$s does not parse"
done
grep -qx /etc/default/message "$work/DEBIAN/conffiles" && ok "conffile /etc/default/message" || fail "conffiles"
grep -q "adduser --system" "$work/DEBIAN/postinst" && ok "postinst makes a system user" || fail "postinst user"
grep -q "install -d -m 0750 -o message -g message /var/lib/message" "$work/DEBIAN/postinst" && ok "postinst /var/lib/message 0750" || fail "postinst data dir"
grep -q "chmod 0640 /etc/default/message" "$work/DEBIAN/postinst" && ok "postinst 0640 default file" || fail "postinst default mode"
grep -q "systemctl enable message.service" "$work/DEBIAN/postinst" && ok "postinst enables" || fail "postinst enable"
grep -q "systemctl restart message.service" "$work/DEBIAN/postinst" && ok "postinst restarts on upgrade" || fail "postinst restart"
grep -q "systemctl stop .*message.service" "$work/DEBIAN/prerm" && ok "prerm stops" || fail "prerm stop"
grep -q "purge)" "$work/DEBIAN/postrm" && grep -q "rm -rf /var/lib/message" "$work/DEBIAN/postrm" && ok "postrm purge removes data" || fail "postrm purge"
! sed -n '/remove)/,/;;/p' "$work/DEBIAN/postrm" | grep -q "/var/lib/message" && ok "postrm remove keeps data" || fail "postrm remove touches data"

# The postinst run twice is harmless: its system commands are replaced by recorders (nothing
# on this machine changes), and the second run makes no second user or group.
mkdir -p "$work/bin"
for c in getent addgroup adduser install chown chmod systemctl; do
  cat >"$work/bin/$c" <<STUB
#!/bin/sh
echo "$c \$*" >>"$work/calls"
case "$c" in
  getent) [ -f "$work/made-\$1" ] ;;                       # found only once made
  addgroup) touch "$work/made-group" ;;
  adduser) touch "$work/made-passwd" ;;
esac
STUB
  chmod +x "$work/bin/$c"
done
if PATH="$work/bin:$PATH" sh "$work/DEBIAN/postinst" configure \
  && PATH="$work/bin:$PATH" sh "$work/DEBIAN/postinst" configure 0.1.0 \
  && [ "$(grep -c '^adduser --system' "$work/calls")" = 1 ] && [ "$(grep -c '^addgroup --system' "$work/calls")" = 1 ] \
  && [ "$(grep -c '^install -d -m 0750 -o message -g message /var/lib/message' "$work/calls")" = 2 ]; then
  ok "postinst twice: one user, one group, no error"
else
  fail "postinst twice: $(cat "$work/calls" 2>/dev/null)"
fi

# The unit's hardening, each setting the issue names (a score alone would let one slip away).
hardening_unit="$work/lib/systemd/system/message.service"
for setting in NoNewPrivileges=yes ProtectSystem=strict ProtectHome=yes PrivateTmp=yes PrivateDevices=yes \
  ProtectKernelTunables=yes ProtectKernelModules=yes ProtectKernelLogs=yes RestrictNamespaces=yes \
  "RestrictAddressFamilies=AF_UNIX AF_INET AF_INET6 AF_NETLINK" SystemCallFilter=@system-service \
  MemoryDenyWriteExecute=yes CapabilityBoundingSet= StateDirectory=message; do
  grep -qx -- "$setting" "$hardening_unit" && ok "unit $setting" || fail "unit lacks $setting"
done

# The unit: verify (with ExecStart pointed at the package's own binary: nothing is installed in
# /usr/bin here; --man=no as the man page is not installed either), then the offline security
# score of the unit as shipped.
unit="$work/lib/systemd/system/message.service"
grep -q "^Type=notify" "$unit" && grep -q "^WatchdogSec=" "$unit" && grep -q "^Restart=on-failure" "$unit" \
  && ok "unit Type=notify, WatchdogSec, Restart=on-failure" || fail "unit basics"
mkdir -p "$work/verify"
sed "s#^ExecStart=/usr/bin/message#ExecStart=$work/usr/bin/message#" "$unit" >"$work/verify/message.service"
if verify=$(systemd-analyze verify --man=no "$work/verify/message.service" 2>&1) && [ -z "$verify" ]; then
  ok "systemd-analyze verify"
else
  fail "systemd-analyze verify: $verify"
fi
# The optional socket unit: verified beside the service it starts.
cp "$work/lib/systemd/system/message.socket" "$work/verify/message.socket"
if verify=$(systemd-analyze verify --man=no "$work/verify/message.socket" 2>&1) && [ -z "$verify" ]; then
  ok "systemd-analyze verify message.socket"
else
  fail "systemd-analyze verify message.socket: $verify"
fi
grep -q "message.socket" "$work/DEBIAN/prerm" && ok "prerm stops the socket too" || fail "prerm socket"
security=$(systemd-analyze security --offline=true --no-pager "$unit" 2>&1 || true)
score_line=$(grep -E "^→ Overall exposure level" <<<"$security" || true)
echo "security: $score_line"
if [[ $score_line =~ (SAFE|OK) ]]; then ok "security score OK or better"; else fail "security score: $security"; fi

if [ "$failures" -ne 0 ]; then echo "$failures check(s) failed"; exit 1; fi
echo "all package checks passed"
