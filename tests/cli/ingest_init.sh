# ingest_init.sh - `mlfy init`: the 1000 ImageNet classes from each class
# file format, WordNet glosses, overrides, and refused inputs.
source "$MLFY_SOURCE_DIR/tests/cli/ingest-common.bash"
need_shared data/imagenet/label_indices_to_wordnet_ids.json

"$MLFY" init --help | grep -q "usage: mlfy init PROJECT --classes FILE" || fail "help"

# JSON index -> WordNet id map; names and glosses from WordNet 3.0
"$MLFY" init in.mlfy --classes "$IMAGENET/label_indices_to_wordnet_ids.json" > out
grep -q "1000 classes" out || fail "summary: $(cat out)"
[ "$(q in.mlfy 'select count(*) from classes')" = 1000 ] || fail "class count"
[ "$(q in.mlfy 'select min(idx) || "-" || max(idx) from classes')" = "0-999" ] || fail "indices"
gloss=$(q in.mlfy "select gloss from classes where ext_id = 'n01440764'")
echo "$gloss" | grep -q freshwater || fail "gloss of n01440764: $gloss"
echo "$gloss" | grep -q fish || fail "gloss of n01440764: $gloss"
[ "$(q in.mlfy "select name from classes where idx = 0")" = tench ] || fail "name of class 0"
[ "$(q in.mlfy "select synonyms from classes where idx = 2")" = \
  "great white shark, white shark, man-eater, man-eating shark, Carcharodon carcharias" ] || fail "synonyms of 2"
[ "$(q in.mlfy "select value from meta where key = 'classes_format'")" = json ] || fail "meta format"
[ "$(q in.mlfy "select value from meta where key = 'name'")" = in ] || fail "meta name"
"$MLFY" check in.mlfy >/dev/null || fail "check"

# overrides: synonyms give the display name, names win over it
"$MLFY" init ov.mlfy --classes "$IMAGENET/label_indices_to_wordnet_ids.json" \
  --synonyms "$IMAGENET/label_indices_to_full_synonyms.json" \
  --names "$IMAGENET/label_indices_to_label_names.json" --name "ImageNet val" >/dev/null
[ "$(q ov.mlfy "select name from classes where idx = 2")" = great_white_shark ] || fail "names override"
[ "$(q ov.mlfy "select value from meta where key = 'name'")" = "ImageNet val" ] || fail "--name"
# the gloss still comes from WordNet
q ov.mlfy "select gloss from classes where idx = 0" | grep -q freshwater || fail "gloss with overrides"

# LOC_synset_mapping.txt style, written from the first project: same classes
q in.mlfy "select ext_id || ' ' || synonyms from classes order by idx" > LOC_synset_mapping.txt
"$MLFY" init loc.mlfy --classes LOC_synset_mapping.txt | grep -q "synset list" || fail "synset format"
[ "$(q loc.mlfy 'select group_concat(ext_id || name || synonyms || gloss, "|") from classes')" = \
  "$(q in.mlfy 'select group_concat(ext_id || name || synonyms || gloss, "|") from classes')" ] || fail "loc != json"

# one class name per line
printf 'cat\ndog\nhot dog\n' > names.txt
"$MLFY" init pets.mlfy --classes names.txt >/dev/null
[ "$(q pets.mlfy "select ext_id from classes where idx = 2")" = "hot dog" ] || fail "names list"

# refused inputs: nothing is created
printf '{"0": "n01440764", "2": "n01443537"}' > gap.json
expect_fail "$MLFY" init bad.mlfy --classes gap.json
expect_err "gap.json: index 1 is missing"
[ ! -e bad.mlfy ] || fail "a project was left behind"
printf 'n01440764\nn01443537\nn01440764\n' > dup.txt
expect_fail "$MLFY" init bad.mlfy --classes dup.txt
expect_err "dup.txt:3: class id 'n01440764' repeats line 1"
printf 'n01440764\nn00000001\n' > nosyn.txt
expect_fail "$MLFY" init bad.mlfy --classes nosyn.txt
expect_err "n00000001' is not a WordNet 3.0 noun synset"
printf '{"0": "n01440764",\n "1": }\n' > broken.json
expect_fail "$MLFY" init bad.mlfy --classes broken.json
expect_err "broken.json:2:"
printf '{"1000": "x"}' > far.json
expect_fail "$MLFY" init bad.mlfy --classes "$IMAGENET/label_indices_to_wordnet_ids.json" --names far.json
expect_err 'far.json: key "1000": not a class index 0..999'
expect_fail "$MLFY" init bad.mlfy --classes /nonexistent/classes.txt
expect_err "/nonexistent/classes.txt: cannot open"
[ ! -e bad.mlfy ] || fail "a project was left behind"
expect_fail "$MLFY" init in.mlfy --classes names.txt
expect_err "already exists"
[ "$(q in.mlfy 'select count(*) from classes')" = 1000 ] || fail "existing project changed"
rc=0; "$MLFY" init x.mlfy 2>/dev/null || rc=$?
[ "$rc" = 2 ] || fail "missing --classes: exit $rc"
echo "ok"
