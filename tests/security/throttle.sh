# throttle.sh - login throttling holds against a flood of failed logins for
# other names (issue 7 item 3; tests/serve/api.sh checks the plain 429).
# The throttle lives in a fixed table of (user, address) slots; a full
# probe window evicts its oldest slot.  With a public hash (FNV-1a) an
# attacker could compute 64 names whose slots fall in the window of the
# user they attack, fail once with each, and so evict that user's throttle
# to get 5 fresh guesses every few seconds instead of one per 15 minutes.
# Here the throttled slot must survive exactly that flood.
. "$(dirname "$0")/lib.sh"

serve_setup "$tmp" synthetic 6
serve_start --threads 2
fail_login() {   # fail_login NAME
	req - POST /api/login -H 'Content-Type: application/json' -d "{\"user\":\"$1\",\"password\":\"wrong-password\"}"
}
for i in 1 2 3 4 5; do fail_login ann1; done
expect 401 "5th failure for ann1"
req - POST /api/login -H 'Content-Type: application/json' -d '{"user":"ann1","password":"ann1-password-1"}'
expect 429 "ann1 throttled after 5 failures"

# 64 names whose FNV-1a key ("name\0addr", as src/serve/ratelimit.c once
# hashed it) lands on ann1's slot: enough to fill its whole probe window
python3 - >"$tmp/names" <<'PY'
M = (1 << 64) - 1
def key(user, addr=b"127.0.0.1"):
    h = 1469598103934665603
    for b in user + b"\0" + addr:
        h = ((h ^ b) * 1099511628211) & M
    return h or 1
want = key(b"ann1") % 4096
n, i = 0, 0
while n < 64:
    name = b"flood%d" % i
    if key(name) % 4096 == want:
        print(name.decode())
        n += 1
    i += 1
PY
[ "$(wc -l <"$tmp/names")" = 64 ] && ok || bad "could not compute the flood names"
while read -r name; do fail_login "$name"; done <"$tmp/names"
expect 401 "flood logins are plain failures"
req - POST /api/login -H 'Content-Type: application/json' -d '{"user":"ann1","password":"ann1-password-1"}'
expect 429 "ann1 still throttled after a flood of failures for colliding names"
req - POST /api/login -H 'Content-Type: application/json' -d '{"user":"ann2","password":"ann2-password-1"}'
expect 200 "other users are not throttled"

serve_stop
finish throttle
