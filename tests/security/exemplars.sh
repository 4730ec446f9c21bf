# exemplars.sh - an image is never offered as its own exemplar (issue 7
# item 3, and docs/ingest.md's promise), and no annotator is shown or served
# an image of their own tasks as an exemplar (issue 11 item 7: the exemplar
# route names the class, i.e. the image's original label).  Exemplars may be project photos
# (make demo-imagenet: every class's exemplar is its own sample photo); the
# task reply used to count and offer every exemplar of a class, so the page
# showed the image being annotated as the exemplar of its original class --
# the label the annotators must not see.  On the imagenet fixture (each
# sample photo is its class's exemplar), every task reply must list only
# exemplars whose content differs from the image's.
. "$(dirname "$0")/lib.sh"
[ -d "${MLFY_SHARED:-/nonexistent}/data/imagenet-samples" ] || { echo "skipping: shared imagenet-samples absent"; exit 77; }

serve_setup "$tmp" imagenet 12
serve_start --threads 2
login ann1
sq "SELECT e.class_idx || ' ' || e.rank || ' ' || e.sha256 FROM exemplars e" >"$tmp/exemplars"
sq "SELECT id || ' ' || sha256 FROM images" >"$tmp/images"
: >"$tmp/replies"
for id in $(cut -d' ' -f1 "$tmp/images"); do
	req ann1 GET "/api/tasks/$id"; expect 200 "task $id"
	printf '%s\t%s\n' "$id" "$BODY" >>"$tmp/replies"
done
python3 - "$tmp/exemplars" "$tmp/images" "$tmp/replies" >"$tmp/check.out" <<'PY'
import json, sys
ex = {}
for line in open(sys.argv[1]):
    c, r, sha = line.split()
    ex[(int(c), int(r))] = sha
img = dict(line.split() for line in open(sys.argv[2]))
own_offered = own_possible = bad_count = 0
for line in open(sys.argv[3]):
    iid, body = line.rstrip("\n").split("\t", 1)
    j = json.loads(body)
    for key, c in j["classes"].items():
        ranks = c.get("exemplar_ranks", list(range(c["exemplars"])))
        if len(ranks) != c["exemplars"]:
            bad_count += 1
        own = [r for (cc, r), sha in ex.items() if cc == int(key) and sha == img[iid]]
        own_possible += len(own)
        own_offered += sum(1 for r in ranks if ex.get((int(key), r)) == img[iid])
print("own_possible", own_possible, "own_offered", own_offered, "bad_count", bad_count)
PY
cat "$tmp/check.out"
read -r _ possible _ offered _ badn <"$tmp/check.out"
[ "${possible:-0}" -gt 0 ] && ok || bad "the fixture has no image among its classes' exemplars: the check proves nothing"
[ "$offered" = 0 ] && ok || bad "$offered task replies offer the image itself as an exemplar"
[ "$badn" = 0 ] && ok || bad "exemplar counts disagree with the ranks listed ($badn classes)"

# ann1's own task images: never listed beside any task, never served as an
# exemplar (/api/exemplars/<class>/<rank> would tell ann1 the image's class)
req ann1 GET /api/tasks; expect 200 "ann1 tasks"
json '" ".join(str(i) for i in j["ids"])' | tr ' ' '\n' >"$tmp/mine"
python3 - "$tmp/exemplars" "$tmp/images" "$tmp/replies" "$tmp/mine" >"$tmp/mine.out" <<'PY'
import json, sys
ex = {}
for line in open(sys.argv[1]):
    c, r, sha = line.split()
    ex[(int(c), int(r))] = sha
img = dict(line.split() for line in open(sys.argv[2]))
mine = {img[i] for i in open(sys.argv[4]).read().split()}
listed = 0
for line in open(sys.argv[3]):
    iid, body = line.rstrip("\n").split("\t", 1)
    if img[iid] not in mine:
        continue
    for key, c in json.loads(body)["classes"].items():
        listed += sum(1 for r in c["exemplar_ranks"] if ex.get((int(key), r)) in mine)
own = [k for k, sha in ex.items() if sha in mine]
other = [k for k, sha in ex.items() if sha not in mine]
print(listed, len(own), "%d/%d" % own[0] if own else "-", "%d/%d" % other[0] if other else "-")
PY
read -r listed n_own own_one other_one <"$tmp/mine.out"
[ "$n_own" -gt 0 ] && ok || bad "ann1 has no task image among the exemplars: the check proves nothing"
[ "$listed" = 0 ] && ok || bad "task replies list $listed exemplars that are ann1's own task images"
req ann1 GET "/api/exemplars/$own_one?size=thumb"; expect 404 "ann1's own task image as the exemplar $own_one"
req ann1 GET "/api/exemplars/$own_one?size=full"; expect 404 "ann1's own task image as the exemplar $own_one, full size"
req ann1 GET "/api/exemplars/$other_one?size=thumb"; expect 200 "an exemplar that is not ann1's task image"
# the same exemplar is served to someone whose tasks it is not (ann3 has none)
login ann3
req ann3 GET "/api/exemplars/$own_one?size=thumb"; expect 200 "ann1's task image as an exemplar for ann3"

serve_stop
finish exemplars
