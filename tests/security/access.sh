# access.sh - who may do what, against a live `mlfy serve` (issue 7 item 3):
# a role x route matrix (401 without a session, 403 across annotators and
# roles), an annotator never sees another annotator's labels nor
# refinement data nor the file name (it may hold the original label), CSRF variants (forged, empty, in the query string,
# Origin null / foreign, logout), session fixation, session cookie flags,
# sessions ended by logout, by disabling the account and by a password
# change while the server runs, replies that quote non-UTF-8 request
# bytes (a fuzzing find), and errors of the store itself (paths, SQL) never
# quoted to the client.  tests/serve/api.sh covers the API's normal use.
. "$(dirname "$0")/lib.sh"

serve_setup "$tmp" synthetic 24
serve_start --threads 2 --public-name annot.example.org --public-name annot.example.org:8443 --trusted-proxy 127.0.0.1
for u in ann1 ann2 ann3 expert admin; do login "$u"; done
save0='{"stage":"annotate","base_version":0,"labels":[{"class":3,"source":"proposal"}],"comment":"mine"}'

# ---- 401: nothing but the login, pages, assets and health without a session
for p in /api/me /api/tasks "/api/tasks/1?stage=annotate" "/api/classes?q=a" /api/dashboard \
	"/api/images/1?size=thumb" "/api/exemplars/0/0"; do
	req - GET "$p"; expect 401 "GET $p without a session"
done
req - PUT /api/tasks/1/annotation -H 'Content-Type: application/json' -d "$save0"; expect 401 "save without a session"
req - GET /api/me -b "$COOKIE=$(printf 'a%.0s' {1..64})"; expect 401 "well-formed unknown token"
req - GET /api/me -b "$COOKIE=../../etc/passwd"; expect 401 "malformed token"
req - GET "/api/me?$COOKIE=$(printf '0%.0s' {1..64})"; expect 401 "token in the query string is not a session"

# ---- role x route matrix
matrix=(
	# user    method path                                  expected
	"ann3     GET  /api/tasks/1                            403"   # not assigned
	"ann3     GET  /api/images/1?size=thumb                403"
	"ann1     GET  /api/tasks?stage=refine                 403"   # annotator asks for stage iv
	"ann1     GET  /api/tasks/1?stage=refine               403"
	"ann1     GET  /api/dashboard                          403"
	"expert   GET  /api/tasks/1?stage=annotate             403"   # expert reads stage ii
	"expert   GET  /api/tasks/1?stage=refine               403"   # not in the expert's queue
	"expert   GET  /api/dashboard                          403"
	"admin    GET  /api/tasks/1                            403"   # admins do not annotate
	"admin    GET  /api/dashboard                          200"
	"admin    GET  /api/images/1?size=thumb                200"
	"ann1     GET  /api/tasks/1                            200"
)
for row in "${matrix[@]}"; do
	read -r u m p want <<<"$row"
	req "$u" "$m" "$p"; expect "$want" "$u $m $p"
done
put ann3 /api/tasks/1/annotation "$save0"; expect 403 "unassigned annotator saves"
put expert /api/tasks/1/annotation "$save0"; expect 403 "expert saves stage ii"
put admin /api/tasks/1/annotation "$save0"; expect 403 "admin saves stage ii"
put ann1 /api/tasks/1/annotation '{"stage":"refine","base_version":0,"labels":[]}'; expect 403 "annotator saves stage iv"
[ "$(sq "SELECT count(*) FROM annotations")" = 0 ] && ok || bad "refused saves wrote annotations"

# ---- isolation of stage-ii labels
put ann1 /api/tasks/1/annotation "$save0"; expect 200 "ann1 saves"
req ann2 GET /api/tasks/1
[ "$(json 'j["annotation"] is None and not j.get("others")')" = True ] && ok || bad "ann2 sees ann1's labels: $BODY"
grep -q '"mine"' <<<"$BODY" && bad "ann2 sees ann1's comment" || ok
req ann2 GET /api/tasks; ! grep -q '"mine"' <<<"$BODY" && ok || bad "task list leaks a comment"
put ann2 /api/tasks/1/annotation '{"stage":"annotate","base_version":1,"labels":[]}'
expect_one_of "409 400" "ann2 cannot build on ann1's version"
[ "$(sq "SELECT count(*) FROM annotations a JOIN annotators u ON u.id = a.annotator_id WHERE u.name = 'ann2'")" = 0 ] \
	&& ok || bad "ann2 wrote on ann1's history"
req ann1 GET /api/tasks/1?stage=annotate; [ "$(json 'j["annotation"]["comment"]')" = mine ] && ok || bad "ann1's own view"
# no file name in stage ii: an ImageFolder name (n01514859/...) is the original label
name1=$(sq "SELECT name FROM images WHERE id = 1")
[ "$(json '"name" in j["image"]')" = False ] && ! grep -qF "\"$name1\"" <<<"$BODY" && ok \
	|| bad "stage-ii reply carries the file name $name1: ${BODY:0:200}"
req ann2 GET /api/tasks/1?stage=refine; expect 403 "annotator reads the refinement view"

# ---- CSRF
bodyv1='{"stage":"annotate","base_version":1,"labels":[]}'
req ann1 PUT /api/tasks/1/annotation -H 'Content-Type: application/json' -H "X-CSRF-Token: $(printf '0%.0s' {1..64})" -d "$bodyv1"
expect 403 "forged CSRF token"
req ann1 PUT /api/tasks/1/annotation -H 'Content-Type: application/json' -H "X-CSRF-Token;" -d "$bodyv1"
expect 403 "empty CSRF token"
req ann1 PUT "/api/tasks/1/annotation?csrf=$CSRF_ann1" -H 'Content-Type: application/json' -d "$bodyv1"
expect 403 "CSRF token in the query string"
req ann1 PUT /api/tasks/1/annotation -H 'Content-Type: application/json' -H "X-CSRF-Token: $CSRF_ann2" -d "$bodyv1"
expect 403 "another session's CSRF token"
put ann1 /api/tasks/1/annotation "$bodyv1" -H 'Origin: null'; expect 403 "Origin: null"
put ann1 /api/tasks/1/annotation "$bodyv1" -H "Origin: ${BASE/127.0.0.1/localhost}"; expect 403 "Origin of another host name"
put ann1 /api/tasks/1/annotation "$bodyv1" -H 'Origin: https://evil.example' -H 'X-Forwarded-Host: annot.example.org'
expect 403 "foreign Origin with a forwarded host"
put ann1 /api/tasks/1/annotation "$bodyv1" -H "Origin: ${BASE}.evil.example"; expect 403 "Origin extending this host"
# behind a TLS-terminating reverse proxy the browser's Origin is https://
# while the server speaks HTTP: the login used to be refused (403)
for hdrs in "Host: annot.example.org|Origin: https://annot.example.org" \
	"X-Forwarded-Host: annot.example.org|Origin: https://annot.example.org" \
	"Host: annot.example.org:8443|Origin: https://annot.example.org:8443"; do
	req - POST /api/login -H 'Content-Type: application/json' -H "${hdrs%%|*}" -H "${hdrs##*|}" \
		-d '{"user":"ann3","password":"ann3-password-1"}'
	expect 200 "login behind a proxy ($hdrs)"
done
# DNS rebinding (issue 12, item 6): a page of attacker.example resolved to
# this server is same-origin with itself, so Origin matches its Host; the
# server must refuse names it is not (both logins were answered 200)
port=${BASE##*:}
req - POST /api/login -H 'Content-Type: application/json' -H "Host: attacker.example:$port" \
	-H "Origin: http://attacker.example:$port" -d '{"user":"ann3","password":"ann3-password-1"}'
expect 421 "login with a foreign Host and a matching Origin (DNS rebinding)"
grep -q "attacker.example:$port" <<<"$BODY" && ok || bad "the 421 does not name the refused host: $BODY"
req - GET /api/health -H "Host: attacker.example:$port"; expect 421 "any route under a foreign Host"
# such a page can also set X-Forwarded-Host on its own requests: believed
# only from a --trusted-proxy address (here 127.0.0.1, not 127.0.0.2)
req - POST /api/login -H 'Content-Type: application/json' -H 'X-Forwarded-Host: annot.example.org' \
	-H 'Origin: https://annot.example.org' -d '{"user":"ann3","password":"ann3-password-1"}' --interface 127.0.0.2
expect 403 "X-Forwarded-Host from an address that is not a trusted proxy"
req - POST /api/login -H 'Content-Type: application/json' -H 'X-Forwarded-Host: attacker.example' \
	-H 'Origin: https://attacker.example' -d '{"user":"ann3","password":"ann3-password-1"}'
expect 421 "a trusted proxy forwarding a foreign name"
req - GET /api/health -H "Host: localhost:$port"; expect 200 "localhost on a loopback listen address"
req - GET /api/health -H "Host: LOCALHOST:$port"; expect 200 "host names are case-insensitive"
req - GET /api/health -H "Host: annot.example.org:$port"; expect 200 "a --public-name with the server's port"
req - GET /api/health -H "Host: annot.example.org:1"; expect 421 "a --public-name with another port"
req ann1 PUT /api/tasks/1/annotation -H 'Content-Type: text/plain' -H "X-CSRF-Token: $CSRF_ann1" -d "$bodyv1"
expect 415 "JSON sent as text/plain (what an HTML form could send)"
# the media type must be exactly application/json (case-insensitive), with
# parameters or not (issue 12, item 11a: a prefix match took application/jsonx)
for ct in "application/jsonx" "application/json-patch+json" "application/json5" "application/jsonp; charset=utf-8" \
	"application/jso" "text/json" "application/x-json"; do
	req ann1 PUT /api/tasks/1/annotation -H "Content-Type: $ct" -H "X-CSRF-Token: $CSRF_ann1" -d "$bodyv1"
	expect 415 "Content-Type: $ct"
done
for ct in "application/json; charset=utf-8" "Application/JSON" "application/json ;charset=UTF-8"; do
	req - POST /api/login -H "Content-Type: $ct" -d '{"user":"ann3","password":"wrong"}'
	expect 401 "Content-Type: $ct is JSON"
done
req ann1 POST /api/logout; expect 403 "logout without the CSRF token"
req ann1 GET /api/me; expect 200 "session survives a refused logout"
[ "$(sq "SELECT max(version) FROM annotations")" = 1 ] && ok || bad "a refused request wrote"
req ann1 PUT /api/tasks/1/annotation -H 'Content-Type: application/json' -H "x-csrf-token: $CSRF_ann1" -d "$bodyv1"
expect 200 "header names are case-insensitive"

# ---- session cookie: flags, fixation, logout, disable, password change
rm -f "$tmp/jar.fix"
printf '127.0.0.1\tFALSE\t/\tFALSE\t0\t%s\t%s\n' "$COOKIE" "$(printf 'f%.0s' {1..64})" >"$tmp/jar.fix"
req fix POST /api/login -H 'Content-Type: application/json' -d '{"user":"ann2","password":"ann2-password-1"}'
expect 200 "login with a planted cookie"
cookie=$(grep -i "^set-cookie: $COOKIE=" <<<"$HDRS")
grep -q "$COOKIE=$(printf 'f%.0s' {1..64})" <<<"$cookie" && bad "session fixation: planted token kept" || ok
for flag in HttpOnly "SameSite=Strict" "Path=/"; do grep -q "$flag" <<<"$cookie" && ok || bad "cookie lacks $flag: $cookie"; done
grep -qi "secure" <<<"$cookie" && bad "Secure cookie over plain HTTP would be dropped by browsers" || ok
tok=$(sed -n "s/.*$COOKIE=\([0-9a-f]*\).*/\1/p" <<<"$cookie")
[ ${#tok} = 64 ] && ok || bad "session token is not 64 hex characters: $tok"
# the cookie is the project's own (issue 12, item 8): two projects served
# from one host (cookies ignore ports) no longer overwrite each other's
want=$(python3 -c 'import hashlib,os,sys; print("mlfy_session_" + hashlib.sha256(os.path.realpath(sys.argv[1]).encode()).hexdigest()[:8])' "$PROJECT")
[ "$COOKIE" = "$want" ] && ok || bad "session cookie name $COOKIE, expected $want"
[ "$(sq "SELECT count(*) FROM sessions WHERE token_hash = '$tok'")" = 0 ] && ok || bad "the store keeps the raw token"
req ann2 POST /api/logout -H "X-CSRF-Token: $CSRF_ann2"; expect 200 "logout"
req ann2 GET /api/me; expect 401 "after logout"
login ann3
"$MLFY" user disable "$PROJECT" ann3 >/dev/null 2>&1 && ok || bad "mlfy user disable"
req ann3 GET /api/me; expect 401 "session of a disabled account"
login expert
printf 'a-new-password-2\n' >"$tmp/pw"
"$MLFY" user passwd "$PROJECT" expert --password-file "$tmp/pw" >/dev/null 2>&1 && ok || bad "mlfy user passwd"
req expert GET /api/me; expect 401 "session after a password change"

# ---- method confusion: 405 with the Allow header RFC 9110 requires
for m in OPTIONS DELETE PATCH POST TRACE; do
	req ann1 "$m" /api/tasks/1; expect 405 "$m /api/tasks/1"
	grep -qi '^allow: GET, HEAD, PUT$' <<<"$HDRS" && ok || bad "$m /api/tasks/1: Allow header: $(grep -i '^allow' <<<"$HDRS")"
done
req ann1 GET /api/logout; expect 405 "GET /api/logout"
grep -qi '^allow: POST$' <<<"$HDRS" && ok || bad "GET /api/logout: no 'Allow: POST'"
req - PUT /api/login -H 'Content-Type: application/json' -d '{}'; expect 405 "PUT /api/login"
req ann1 HEAD /api/dashboard -I; expect 403 "HEAD is GET: the dashboard stays admin-only"
[ "$(sq "SELECT count(*) FROM annotations WHERE image_id = 1")" = 2 ] && ok || bad "a refused method wrote"

# ---- error replies quoting bytes that are not UTF-8 (found by fuzz_http:
# the connection used to close without any reply)
req ann1 GET "/api/tasks?stage=%9d%ff"; expect 400 "stage with stray bytes"
[ "$(json '"error" in j')" = True ] && ok || bad "JSON error for stray bytes: $BODY"

# ---- errors of the store itself never reach the client: the project file
# moved away while the server runs (an export opens its own connection)
# used to answer 404 "PATH: no such project (create it with 'mlfy init')"
mv "$PROJECT" "$PROJECT.moved"
req admin GET /api/export/csv
body_export=$BODY code_export=$CODE
# ... and a save meanwhile: it went into the moved file (whose write-ahead
# log keeps the old name) and was acknowledged; it must be refused instead
put ann1 /api/tasks/2/annotation "$save0"
body_save=$BODY code_save=$CODE
mv "$PROJECT.moved" "$PROJECT"
CODE=$code_export BODY=$body_export
expect 500 "export while the project file is missing"
CODE=$code_save BODY=$body_save
# 503 when the save lands on a worker thread that had not opened the store yet
expect_one_of "500 503" "save while the project file is missing"
for BODY in "$body_export" "$body_save"; do
	grep -qF "$(basename "$PROJECT")" <<<"$BODY" && bad "error reply names the project file: $BODY" || ok
	grep -qiE "sqlite|select |mlfy init" <<<"$BODY" && bad "error reply leaks store details: $BODY" || ok
done
grep -qF "$(basename "$PROJECT"): no such project" "$SERVE_DIR/serve.err" && ok || bad "the details are not in the server log"
[ "$(sq "SELECT count(*) FROM annotations WHERE image_id = 2")" = 0 ] && ok || bad "the refused save was stored"
req admin GET /api/export/csv; expect 200 "export once the file is back"
put ann1 /api/tasks/2/annotation "$save0"; expect 200 "save once the file is back"

serve_stop
finish access
