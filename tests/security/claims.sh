# claims.sh - what the server trusts of a save (issue 12, item 9), against a
# live `mlfy serve`.  (a) A label's source must match what the server
# showed: "proposal" only for a class among the image's shown proposals,
# "prefill" only for a class the refinement view pre-checked, else
# "search" (a client could claim any source, and the share of labels the
# proposals missed was computed from the claims).  (b) A comment of white
# space does not satisfy the refinement comment rule; comments are stored
# trimmed.  (c) The seconds a save claims are capped by the server's own
# clock: the time since the task was served to this session (a client sent
# 86400 s for a few seconds' look and skewed the time statistics); without
# a record (e.g. after a restart) at most the idle timeout.
. "$(dirname "$0")/lib.sh"

serve_setup "$tmp" synthetic 24
serve_start --threads 2 --idle-timeout 600
for u in ann1 ann2 expert; do login "$u"; done
# image 1: proposals 0..19 (40 classes); image 2: proposals 1..20
sv() { printf '{"stage":"annotate","base_version":%s,"labels":[%s]%s}' "$1" "$2" "${3:-}"; }

# ---- (a) sources
put ann1 /api/tasks/1/annotation "$(sv 0 '{"class":25,"source":"proposal"}')"; expect 400 "proposal outside the proposals"
[ "$(json '"labels[0].source" in j["error"] and "25" in j["error"]')" = True ] && ok || bad "message: $BODY"
put ann1 /api/tasks/1/annotation "$(sv 0 '{"class":3,"source":"proposal"},{"class":25}')"; expect 400 "absent source = proposal"
[ "$(json '"labels[1].source" in j["error"]')" = True ] && ok || bad "message: $BODY"
put ann1 /api/tasks/1/annotation "$(sv 0 '{"class":3,"source":"prefill"}')"; expect 400 "prefill in stage ii"
[ "$(json '"labels[0].source" in j["error"] and "prefill" in j["error"]')" = True ] && ok || bad "message: $BODY"
[ "$(sq "SELECT COUNT(*) FROM annotations")" = 0 ] && ok || bad "a refused save was written"
put ann1 /api/tasks/2/annotation "$(sv 0 '{"class":1,"source":"proposal"},{"class":25,"source":"search"}')"
expect 200 "proposal and search as shown"
put ann2 /api/tasks/2/annotation "$(sv 0 '{"class":1,"source":"proposal"},{"class":2,"source":"proposal"}')"
expect 200 "ann2 saves image 2"
"$MLFY" analyze "$PROJECT" >/dev/null || bad "analyze"
"$MLFY" assign-refinement "$PROJECT" --experts expert >/dev/null || bad "assign-refinement"
rf() { printf '{"stage":"refine","base_version":0,"labels":[%s],"comment":"%s"}' "$1" "$2"; }
put expert /api/tasks/2/annotation "$(rf '{"class":1,"source":"prefill"},{"class":7,"source":"prefill"}' "7 too")"
expect 400 "prefill for a class nobody chose"
[ "$(json '"labels[1].source" in j["error"] and "pre-checked" in j["error"]')" = True ] && ok || bad "message: $BODY"

# ---- (b) the refinement comment rule: white space is no comment
put expert /api/tasks/2/annotation "$(rf '{"class":1,"source":"prefill"}' ' \t\n\u00a0\u3000 ')"
expect 400 "white-space comment for a changed set"
[ "$(json '"comment: required" in j["error"]')" = True ] && ok || bad "message: $BODY"
[ "$(sq "SELECT COUNT(*) FROM annotations WHERE stage = 'refine'")" = 0 ] && ok || bad "refused refinement written"
put expert /api/tasks/2/annotation "$(rf '{"class":1,"source":"prefill"}' '  2 is a shadow \n')"
expect 200 "a real comment"
[ "$(sq "SELECT comment FROM annotations WHERE stage = 'refine'")" = "2 is a shadow" ] && ok \
	|| bad "stored comment: '$(sq "SELECT comment FROM annotations WHERE stage = 'refine'")'"

# ---- (c) seconds capped by the server's clock
req ann1 GET "/api/tasks/3?stage=annotate"; expect 200 "GET task 3"
put ann1 /api/tasks/3/annotation "$(sv 0 '{"class":3,"source":"proposal"}' ',"seconds":86400')"
expect 200 "save claiming a day"
secs=$(sq "SELECT seconds FROM annotations WHERE image_id = 3")
python3 -c 'import sys; sys.exit(not (0 <= float(sys.argv[1]) < 30))' "$secs" && ok || bad "stored seconds $secs for a day claimed"
# cumulative: the next save adds at most the time since the last one
put ann1 /api/tasks/3/annotation "$(sv 1 '{"class":3,"source":"proposal"}' ',"seconds":86400')"
expect 200 "second save claiming a day"
secs2=$(sq "SELECT seconds FROM annotations WHERE image_id = 3 AND version = 2")
python3 -c 'import sys; a, b = map(float, sys.argv[1:]); sys.exit(not (a <= b < a + 30))' "$secs" "$secs2" && ok \
	|| bad "second save stored $secs2 after $secs"
# a claim below the cap is kept as it is
req ann1 GET "/api/tasks/4?stage=annotate"; sleep 1.2
put ann1 /api/tasks/4/annotation "$(sv 0 '{"class":3,"source":"proposal"}' ',"seconds":1')"
expect 200 "honest save"
[ "$(sq "SELECT seconds FROM annotations WHERE image_id = 4")" = 1.0 ] && ok || bad "honest seconds changed"
# no record (a restart forgets them): at most the idle timeout (600 s)
serve_stop
serve_start --threads 2 --idle-timeout 600
put ann1 /api/tasks/5/annotation "$(sv 0 '{"class":5,"source":"proposal"}' ',"seconds":86400')"
expect 200 "save after a restart, never served"
[ "$(sq "SELECT seconds FROM annotations WHERE image_id = 5")" = 600.0 ] && ok \
	|| bad "seconds without a record: $(sq "SELECT seconds FROM annotations WHERE image_id = 5")"
serve_stop
finish claims
