# select_model.sh - `mlfy select-model`: ranking by ReaL accuracy with ties
# broken by top-1, from predictions, from results and from timm tables.
source "$MLFY_SOURCE_DIR/tests/cli/evaluate-common.bash"
make_fixture

"$MLFY" select-model --help | grep -q "usage: mlfy select-model" || fail "help"
# a third model: all ones -> top-1 1/6, ReaL 1/5 (b's set holds 1)
printf '1\n1\n1\n1\n1\n1\n' > ones.txt
"$MLFY" select-model --labels labels.json --original orig.csv --predictions hand=hand.csv \
	--predictions ones.txt --predictions exact.txt > out || fail "select"
# hand and exact tie on ReaL (80 %); exact has the better top-1 (100 % vs 66.67 %)
sed -n 2p out | grep -Eq '^ +1 +exact +80\.00 % +100\.00 %' || fail "rank 1: $(cat out)"
sed -n 3p out | grep -Eq '^ +2 +hand +80\.00 % +66\.67 %' || fail "rank 2: $(cat out)"
sed -n 4p out | grep -Eq '^ +3 +ones +20\.00 % +16\.67 %' || fail "rank 3: $(cat out)"
"$MLFY" select-model --labels labels.json --original orig.csv --predictions hand=hand.csv \
	--predictions exact.txt --top 1 --json > out.json || fail "json"
grep -q '"model": "exact"' out.json || fail "json: $(cat out.json)"
grep -q '"hand"' out.json && fail "--top 1 printed more"

# from results written by evaluate
"$MLFY" evaluate --labels labels.json --original orig.csv --predictions hand=hand.csv \
	--predictions exact.txt --format csv > res.csv
"$MLFY" select-model --results res.csv > out || fail "results"
sed -n 2p out | grep -q exact || fail "results rank: $(cat out)"

# bad command lines
if "$MLFY" select-model --results res.csv --labels labels.json > out 2> err; then fail "two sources"; fi
grep -q "exactly one of" err || fail "two sources message"
if "$MLFY" select-model --results res.csv --activate > out 2> err; then fail "--activate without project"; fi

need_shared data/timm/results-imagenet.csv
T=$SHARED/data/timm
"$MLFY" select-model --timm "$T/results-imagenet.csv" "$T/results-imagenet-real.csv" --top 3 > out 2> err ||
	fail "timm"
# the same warnings as mlfy fit (which models were left out, duplicate sizes),
# without suggesting fit's --by-size
grep -q "warning: models listed at several image sizes: 290 extra rows in .*results-imagenet.csv and 290 in .*results-imagenet-real.csv; the last row of each model is used$" err ||
	fail "timm warnings: $(cat err)"
sed -n 2p out | grep -q "eva02_large_patch14_448.mim_m38m_ft_in22k_in1k" || fail "timm best: $(cat out)"
[ "$(wc -l < out)" = 4 ] || fail "timm --top 3: $(cat out)"
head -30 "$T/results-imagenet.csv" > ta.csv
head -20 "$T/results-imagenet-real.csv" > tb.csv
"$MLFY" select-model --timm ta.csv tb.csv > out 2> err || fail "timm subsets"
grep -q "warning: 1[0-9] models only in ta.csv, left out (first: '" err || fail "only-a warning: $(cat err)"
echo ok
