#!/usr/bin/env bash
# deploy_files.sh - the files of deploy/ (docs/deploy.md) are accepted by
# the tools that will read them: the systemd units by `systemd-analyze
# verify` without a single warning (an unknown key or a bad value is only a
# warning there, so any output fails), with ExecStart pointed at the built
# mlfy, the sysusers line by `systemd-sysusers --dry-run`, and the nginx
# site file by `nginx -t` inside Debian's http block (certificate paths
# pointed at a throw-away certificate).  Each part is skipped with a
# message when its tool is absent; the whole test (77) when all are.
set -euo pipefail

: "${MLFY:?MLFY must point to the mlfy binary}"
ROOT="$(cd "$(dirname "$0")/../.." && pwd)"
D="$ROOT/deploy"
T="$(mktemp -d)"
trap 'rm -rf "$T"' EXIT
fail() { echo "deploy_files: FAIL: $*" >&2; exit 1; }
ran=0

if command -v systemd-analyze >/dev/null; then
	mkdir "$T/units"
	for f in mlfy-serve.service mlfy-serve@.service mlfy-serve.target mlfy-backup.service mlfy-backup.timer; do
		[ -f "$D/$f" ] || fail "deploy/$f missing"
		grep -q '/usr/bin/mlfy' "$D/$f" || [ "${f##*.}" != service ] || fail "deploy/$f: no ExecStart=/usr/bin/mlfy"
		sed "s|/usr/bin/mlfy|$MLFY|" "$D/$f" > "$T/units/$f"
	done
	# every unit: hardening kept (issue 16/17: user, working directory,
	# restart policy, a read-only system with the project writable)
	for f in mlfy-serve.service mlfy-serve@.service; do
		for k in User=mlfy WorkingDirectory= Restart=on-failure NoNewPrivileges=yes ProtectSystem=strict \
			ReadWritePaths= PrivateTmp=yes ProtectHome=; do
			grep -q "^$k" "$D/$f" || fail "deploy/$f: no $k"
		done
	done
	(cd "$T/units" && systemd-analyze verify ./mlfy-serve.service ./mlfy-serve@9001.service ./mlfy-serve.target \
		./mlfy-backup.service ./mlfy-backup.timer) \
		>"$T/verify.out" 2>&1 || { cat "$T/verify.out" >&2; fail "systemd-analyze verify"; }
	[ ! -s "$T/verify.out" ] || { cat "$T/verify.out" >&2; fail "systemd-analyze verify printed warnings"; }
	echo "deploy_files: systemd-analyze verify: the units are clean"
	if systemd-analyze security --help 2>/dev/null | grep -q -- '--offline'; then
		(cd "$T/units" && systemd-analyze security --offline=yes ./mlfy-serve.service 2>/dev/null) | tail -1 || true
	fi
	ran=1
else
	echo "deploy_files: systemd-analyze not installed: the units are not checked"
fi

if command -v systemd-sysusers >/dev/null; then
	systemd-sysusers --dry-run "$D/mlfy.sysusers.conf" >"$T/sysusers.out" 2>&1 \
		|| { cat "$T/sysusers.out" >&2; fail "systemd-sysusers --dry-run"; }
	grep -qi "mlfy" "$T/sysusers.out" || id mlfy >/dev/null 2>&1 \
		|| { cat "$T/sysusers.out" >&2; fail "systemd-sysusers would not create the user mlfy"; }
	echo "deploy_files: systemd-sysusers --dry-run: ok"
fi

NGINX=$(command -v nginx || echo /usr/sbin/nginx)
if [ -x "$NGINX" ] && command -v openssl >/dev/null; then
	openssl req -x509 -newkey rsa:2048 -nodes -keyout "$T/key.pem" -out "$T/cert.pem" -days 2 -subj /CN=localhost \
		2>/dev/null || fail "openssl"
	sed -e "s|/etc/letsencrypt/live/annot.lab.example.org/fullchain.pem|$T/cert.pem|" \
		-e "s|/etc/letsencrypt/live/annot.lab.example.org/privkey.pem|$T/key.pem|" "$D/nginx-mlfy.conf" > "$T/site.conf"
	mkdir "$T/ngx"
	# as Debian's /etc/nginx/nginx.conf includes a site (its http block)
	cat > "$T/ngx/nginx.conf" <<EOF
pid $T/ngx/nginx.pid;
error_log $T/ngx/error.log;
events { worker_connections 64; }
http {
    include /etc/nginx/mime.types;
    ssl_protocols TLSv1 TLSv1.1 TLSv1.2 TLSv1.3;
    ssl_prefer_server_ciphers on;
    gzip on;
    client_body_temp_path $T/ngx/body;
    proxy_temp_path $T/ngx/proxy;
    fastcgi_temp_path $T/ngx/fastcgi;
    uwsgi_temp_path $T/ngx/uwsgi;
    scgi_temp_path $T/ngx/scgi;
    include $T/site.conf;
}
EOF
	[ -f /etc/nginx/mime.types ] || sed -i '/mime.types/d' "$T/ngx/nginx.conf"
	"$NGINX" -t -p "$T/ngx" -c "$T/ngx/nginx.conf" -e "$T/ngx/error.log" >"$T/nginx.out" 2>&1 \
		|| { cat "$T/nginx.out" >&2; fail "nginx -t on deploy/nginx-mlfy.conf"; }
	grep -q "\[warn\]\|\[emerg\]" "$T/nginx.out" && { cat "$T/nginx.out" >&2; fail "nginx -t warned"; }
	echo "deploy_files: nginx -t: deploy/nginx-mlfy.conf is accepted"
	ran=1
else
	echo "deploy_files: nginx (or openssl) not installed: the nginx site file is not checked"
fi

[ "$ran" = 1 ] || { echo "skipped: neither systemd-analyze nor nginx installed"; exit 77; }
echo "deploy_files: ok"
