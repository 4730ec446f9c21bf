# throttle.sh - login throttling holds against floods of failed logins.
# (1) Per (user, address) (issue 7 item 3; tests/serve/api.sh checks the
# plain 429): the throttle lives in a fixed table of slots; a full probe
# window evicts its oldest slot.  With a public hash (FNV-1a) an attacker
# could compute 64 names whose slots fall in the window of the user they
# attack, fail once with each, and so evict that user's throttle to get 5
# fresh guesses every few seconds instead of one per 15 minutes.  The
# throttled slot must survive exactly that flood, sent from 64 addresses
# (127.0.1.x) so that the per-address throttle below does not stop it first.
# (2) Per address across names (issue 12, item 1): fresh names were never
# throttled, so one client could make argon2id run without end; after 20
# failures from one address, its logins are refused (429) whatever name.
. "$(dirname "$0")/lib.sh"

serve_setup "$tmp" synthetic 6
serve_start --threads 2
fail_login() {   # fail_login NAME [curl args]
	local name=$1
	shift
	req - POST /api/login -H 'Content-Type: application/json' -d "{\"user\":\"$name\",\"password\":\"wrong-password\"}" "$@"
}
for i in 1 2 3 4 5; do fail_login ann1; done
expect 401 "5th failure for ann1"
req - POST /api/login -H 'Content-Type: application/json' -d '{"user":"ann1","password":"ann1-password-1"}'
expect 429 "ann1 throttled after 5 failures"

# for each of 64 addresses, a name whose FNV-1a key ("name\0addr", as
# src/serve/ratelimit.c once hashed it) lands on the slot of (ann1,
# 127.0.0.1): enough to fill its whole probe window
python3 - >"$tmp/names" <<'PY'
M = (1 << 64) - 1
def key(user, addr):
    h = 1469598103934665603
    for b in user + b"\0" + addr:
        h = ((h ^ b) * 1099511628211) & M
    return h or 1
want = key(b"ann1", b"127.0.0.1") % 4096
i = 0
for a in range(1, 65):
    addr = b"127.0.1.%d" % a
    while key(b"flood%d" % i, addr) % 4096 != want:
        i += 1
    print(addr.decode(), "flood%d" % i)
    i += 1
PY
[ "$(wc -l <"$tmp/names")" = 64 ] && ok || bad "could not compute the flood names"
# in parallel, to be quick; the check below does not depend on the flood
# ending within ann1's 30 s delay
export BASE
xargs -P 8 -L 1 sh -c 'curl -sS -o /dev/null -w "%{http_code}\n" --interface "$0" -X POST \
	-H "Content-Type: application/json" -d "{\"user\":\"$1\",\"password\":\"wrong-password\"}" \
	"$BASE/api/login"' <"$tmp/names" >"$tmp/flood.codes"
[ "$(grep -c '^401$' "$tmp/flood.codes")" = 64 ] && ok || bad "flood logins are plain failures: $(sort "$tmp/flood.codes" | uniq -c | tr '\n' ' ')"
# one more wrong password for ann1: if its slot survived, this is refused
# (still in the delay) or is its 6th failure (a new 60 s delay); if the
# flood evicted it, it is a first failure and the right password then passes
fail_login ann1
req - POST /api/login -H 'Content-Type: application/json' -d '{"user":"ann1","password":"ann1-password-1"}'
expect 429 "ann1 still throttled after a flood of failures for colliding names"
req - POST /api/login -H 'Content-Type: application/json' -d '{"user":"ann2","password":"ann2-password-1"}'
expect 200 "other users are not throttled"

# (2) 20 failures for 20 fresh names from 127.0.0.3: the address is throttled
for i in $(seq 1 20); do fail_login "fresh$i" --interface 127.0.0.3; done
expect 401 "20th failure from one address (fresh names)"
fail_login fresh21 --interface 127.0.0.3
expect 429 "21st fresh name from the same address"
grep -qi '^retry-after: [1-9]' <<<"$HDRS" && ok || bad "no Retry-After on the per-address 429"
req - POST /api/login -H 'Content-Type: application/json' -d '{"user":"ann3","password":"ann3-password-1"}' --interface 127.0.0.3
expect 429 "a right password from the throttled address waits too"
req - POST /api/login -H 'Content-Type: application/json' -d '{"user":"ann3","password":"ann3-password-1"}' --interface 127.0.0.4
expect 200 "the same account from another address"

# a right password restarts an address's count (QA: behind a proxy or NAT,
# one typo after the wait locked everyone out for 60 s, then 120 s...):
# 19 failures, a success, then 19 more failures are all plain 401s
for i in $(seq 1 19); do fail_login "again$i" --interface 127.0.0.5; done
expect 401 "19th failure from 127.0.0.5"
req - POST /api/login -H 'Content-Type: application/json' -d '{"user":"ann2","password":"ann2-password-1"}' --interface 127.0.0.5
expect 200 "a right password from 127.0.0.5"
for i in $(seq 20 38); do fail_login "again$i" --interface 127.0.0.5; done
expect 401 "19 more failures after a success are not throttled"

serve_stop
finish throttle
