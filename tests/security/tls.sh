# tls.sh - `mlfy serve --tls-cert --tls-key` with a throwaway self-signed
# certificate made here with the openssl CLI (issue 7 item 3): HTTPS
# works, the session cookie is Secure and replies carry HSTS, plain HTTP
# on the TLS port gets no page, TLS 1.2 and 1.3 are negotiated but TLS 1.0
# and 1.1 are refused (RFC 8996), and a key that does not match the
# certificate stops the server at start with a message.
. "$(dirname "$0")/lib.sh"
command -v openssl >/dev/null || { echo "skipped: openssl not installed"; exit 77; }

serve_setup "$tmp" synthetic 6
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/key.pem" -out "$tmp/cert.pem" -days 1 \
	-subj /CN=localhost >/dev/null 2>&1 || { bad "openssl req"; finish tls; exit 1; }
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$tmp/other-key.pem" -out "$tmp/other.pem" -days 1 \
	-subj /CN=other >/dev/null 2>&1

# a key that is not the certificate's: refused at start
if "$MLFY" serve "$PROJECT" --listen 127.0.0.1:0 --tls-cert "$tmp/cert.pem" --tls-key "$tmp/other-key.pem" \
	>"$tmp/o" 2>"$tmp/e" & pid=$!; sleep 3; kill -0 $pid 2>/dev/null; then
	kill -9 $pid; wait $pid 2>/dev/null
	bad "server started with a key that does not match its certificate"
else
	wait $pid 2>/dev/null
	grep -qi "tls\|certificate\|key" "$tmp/e" && ok || bad "no message for a mismatched key: $(cat "$tmp/e")"
fi

serve_start --tls-cert "$tmp/cert.pem" --tls-key "$tmp/key.pem"
case "$BASE" in https://*) ok ;; *) bad "TLS server base URL $BASE" ;; esac
hp=${BASE#https://}
login ann1
grep -qi '^set-cookie:.*; *secure' <<<"$HDRS" && ok || bad "session cookie not Secure under TLS"
# __Host- (RFC 6265bis): browsers keep it only Secure, Path=/, without Domain,
# so no other site on a parent domain can plant or shadow it
grep -q '^[Ss]et-[Cc]ookie: __Host-mlfy_session_[0-9a-f]\{8\}=' <<<"$HDRS" && ok || bad "no __Host- cookie under TLS: $HDRS"
grep -qi '^strict-transport-security: max-age=' <<<"$HDRS" && ok || bad "no HSTS header"
req ann1 GET /api/me; expect 200 "session over TLS"
code=$(curl -sS -o /dev/null -w '%{http_code}' --max-time 5 "http://$hp/api/health" 2>/dev/null)
[ "$code" != 200 ] && ok || bad "plain HTTP answered on the TLS port"

# protocol versions: openssl s_client prints "New, <protocol>, Cipher is ..."
# (SECLEVEL=0 so the client itself does not refuse the old versions)
proto() {
	echo | timeout 10 openssl s_client -connect "$hp" "$1" -cipher 'DEFAULT@SECLEVEL=0' 2>/dev/null |
		sed -n 's/^New, \([^,]*\), Cipher is \(.*\)$/\1 \2/p' | head -1
}
for v in -tls1_2 -tls1_3; do
	got=$(proto $v)
	case "$got" in TLSv1.[23]\ *) [ "$got" != "${got%(NONE)}" ] && bad "$v: $got" || ok ;; *) bad "$v not negotiated: '$got'" ;; esac
done
for v in -tls1 -tls1_1; do
	got=$(proto $v)
	case "$got" in "" | *"(NONE)"*) ok ;; *) bad "$v negotiated: $got" ;; esac
done
serve_stop
finish tls
