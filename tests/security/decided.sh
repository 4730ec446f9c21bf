# decided.sh - a late stage-ii save cannot re-open a decided image (issue 12,
# item 5), against a live `mlfy serve`: once `mlfy analyze` decided an image
# (agreed) or sent it to refinement, a stage-ii save of it by its own
# annotator is answered 409 {"closed": true} and writes nothing (it used to
# be 200: the export kept "agreed" while the votes behind it changed, the
# next analyze flipped the decision, and the expert's view of the others'
# labels changed after the fact); a stale save on an open image is still
# the usual 409 with the newer version; after `mlfy reopen` the save is
# accepted and the next analyze decides the image anew.
. "$(dirname "$0")/lib.sh"

serve_setup "$tmp" synthetic 24
serve_start --threads 2
for u in ann1 ann2 expert; do login "$u"; done
# image 1: original label 0, proposals 0..19; image 2: original label 1, proposals 1..20
s() { printf '{"stage":"annotate","base_version":%s,"labels":[%s]}' "$1" "$2"; }
l0='{"class":0,"source":"proposal"}' l1='{"class":1,"source":"proposal"}'
l2='{"class":2,"source":"proposal"}' l3='{"class":3,"source":"proposal"}'
put ann1 /api/tasks/1/annotation "$(s 0 "$l0")"; expect 200 "ann1 saves image 1"
put ann2 /api/tasks/1/annotation "$(s 0 "$l0")"; expect 200 "ann2 saves image 1"
put ann1 /api/tasks/2/annotation "$(s 0 "$l1")"; expect 200 "ann1 saves image 2"
put ann2 /api/tasks/2/annotation "$(s 0 "$l1,$l2")"; expect 200 "ann2 saves image 2"
"$MLFY" analyze "$PROJECT" >/dev/null || bad "analyze"
[ "$(sq "SELECT stage FROM final_status WHERE image_id = 1")" = agreed ] && ok || bad "image 1 not agreed"
[ "$(sq "SELECT COUNT(*) FROM refinement_queue WHERE image_id = 2")" = 1 ] && ok || bad "image 2 not queued"
n_ann=$(sq "SELECT COUNT(*) FROM annotations")

# ---- the late save: 409 closed, nothing written, the decision unchanged
put ann2 /api/tasks/1/annotation "$(s 1 "$l0,$l3")"; expect 409 "late save on an agreed image"
[ "$(json 'j.get("closed") is True and "closed" in j["error"] and "annotation" not in j')" = True ] && ok \
	|| bad "closed reply: $BODY"
put ann1 /api/tasks/2/annotation "$(s 1 "$l1,$l2")"; expect 409 "late save on a queued image"
[ "$(json 'j.get("closed") is True')" = True ] && ok || bad "closed reply (queued): $BODY"
put ann2 /api/tasks/1/annotation '{"stage":"annotate","base_version":1,"labels":[]}'; expect 409 "late 'none of these'"
[ "$(sq "SELECT COUNT(*) FROM annotations")" = "$n_ann" ] && ok || bad "a late save was written"
"$MLFY" export "$PROJECT" --format csv --out "$tmp/e.csv" || bad "export"
grep -q '^[^,]*,0,0,1,agreed,' "$tmp/e.csv" && ok || bad "export of image 1: $(sed -n 2p "$tmp/e.csv")"
"$MLFY" analyze "$PROJECT" --dry-run --json > "$tmp/a.json" || bad "analyze --dry-run"
python3 -c 'import json,sys; c=json.load(open(sys.argv[1]))["changes"]; sys.exit(sum(c.values()))' \
	"$tmp/a.json" && ok || bad "a re-run would change decisions: $(cat "$tmp/a.json")"
# the expert sees the stage-ii sets analyze judged
"$MLFY" assign-refinement "$PROJECT" --experts expert >/dev/null || bad "assign-refinement"
req expert GET "/api/tasks/2?stage=refine"
[ "$(json 'sorted(len(o["labels"]) for o in j["others"])')" = "[1, 2]" ] && ok || bad "expert view: $BODY"
# a stale save on an open image is still the stale 409, with the newer version
put ann1 /api/tasks/3/annotation "$(s 0 "$l3")"; expect 200 "save image 3"
put ann1 /api/tasks/3/annotation "$(s 0 "$l3")"; expect 409 "stale save"
[ "$(json '"annotation" in j and not j.get("closed")')" = True ] && ok || bad "stale reply: $BODY"
# an annotator not assigned the image still gets 403, not a hint about decisions
login ann3
put ann3 /api/tasks/1/annotation "$(s 0 "$l0")"; expect 403 "unassigned annotator"

# ---- reopened by a coordinator: the save is accepted, analyze decides anew
name1=$(sq "SELECT name FROM images WHERE id = 1")
"$MLFY" reopen "$PROJECT" "$name1" --reason "ann2 wants to add class 3" --by coord >/dev/null || bad "reopen"
[ "$(sq "SELECT reopened_by || '|' || stage || '|' || labels FROM reopenings")" = "coord|agreed|0" ] && ok \
	|| bad "audit: $(sq "SELECT * FROM reopenings")"
put ann2 /api/tasks/1/annotation "$(s 1 "$l0,$l3")"; expect 200 "save after reopen"
"$MLFY" analyze "$PROJECT" >/dev/null || bad "analyze after reopen"
[ "$(sq "SELECT reason FROM refinement_queue WHERE image_id = 1")" = sets_differ ] && ok || bad "image 1 not queued anew"
[ "$(sq "SELECT COUNT(*) FROM final_status WHERE image_id = 1")" = 0 ] && ok || bad "image 1 still agreed"
serve_stop
finish decided
