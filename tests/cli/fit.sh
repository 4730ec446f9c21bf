# fit.sh - `mlfy fit` on evaluate results and on timm's results tables:
# the paper's ReaL-vs-top-1 fit on the shared timm snapshot (n = 1,266,
# slope 0.8187, intercept 19.86, R^2 0.9705), warnings with counts for
# models in one table only, --strict, figures, bad input.
source "$MLFY_SOURCE_DIR/tests/cli/evaluate-common.bash"

"$MLFY" fit --help | grep -q "usage: mlfy fit RESULTS" || fail "help"

# ---- from evaluate results: 4 models on a line ReaL = 0.5 top-1 + 50
# except one 3 points off.  Written as evaluate's CSV by hand.
cat > res.csv <<'C'
model,label_count,images,top1_correct,top1,top1_moe,top1_wilson_lo,top1_wilson_hi,real_images,real_correct,real_accuracy
m1,all,100,60,60.0000,,,,100,80,80.0000
m1,1,50,30,60.0000,,,,50,40,80.0000
m2,all,100,70,70.0000,,,,100,85,85.0000
m3,all,100,80,80.0000,,,,100,93,93.0000
m4,all,100,90,90.0000,,,,100,95,95.0000
C
# by hand: xbar = 75, Sxx = 500, ybar = 88.25, Sxy = 265 -> slope 0.53,
# intercept 88.25 - 0.53 * 75 = 48.5
"$MLFY" fit res.csv > out || fail "fit results"
grep -q "ReaL = 0.5300 (± .*) × top-1 + 48.5000" out || fail "coefficients: $(cat out)"
grep -q "n = 4, R² = " out || fail "n: $(cat out)"
"$MLFY" fit res.csv --json > out.json || fail "json"
grep -q "\"slope\": 0.53" out.json || fail "json slope: $(cat out.json)"

# ---- timm tables with a model in one table only, a duplicate size
cat > a.csv <<'C'
model,img_size,top1,top1_err,top5,top5_err,param_count,crop_pct,interpolation
big,288,"85.5",14.5,97,3,"1,013.01",1.0,bicubic
m1,224,60,40,80,20,5,0.9,bicubic
m2,224,70,30,85,15,5,0.9,bicubic
m3,224,80,20,90,10,5,0.9,bicubic
big,224,85,15,97,3,"1,013.01",1.0,bicubic
only_a,224,50,50,70,30,1,0.9,bicubic
C
cat > b.csv <<'C'
model,img_size,top1,top1_err,top5,top5_err,param_count,crop_pct,interpolation,top1_diff,top5_diff,rank_diff
big,288,92,8,99,1,"1,013.01",1.0,bicubic,+6.5,0,0
m1,224,80,20,90,10,5,0.9,bicubic,+20,0,0
m2,224,85,15,92,8,5,0.9,bicubic,+15,0,0
m3,224,90,10,95,5,5,0.9,bicubic,+10,0,0
big,224,92.5,7.5,99,1,"1,013.01",1.0,bicubic,+7.5,0,0
C
"$MLFY" fit --timm a.csv b.csv > out 2> err || fail "timm: $(cat err)"
grep -q "warning: 1 model only in a.csv, left out (first: 'only_a')" err || fail "only-a warning: $(cat err)"
grep -q "1 extra row in a.csv and 1 in b.csv; the last row of each model is used" err || fail "dup warning: $(cat err)"
grep -q "n = 4," out || fail "timm n: $(cat out)"
if "$MLFY" fit --timm a.csv b.csv --strict > out 2> err; then fail "--strict accepted"; fi
grep -q "do not list the same models" err || fail "strict: $(cat err)"
"$MLFY" fit --timm a.csv b.csv --by-size > out 2> err || fail "by-size"
grep -q "n = 5," out || fail "by-size n: $(cat out)"

# ---- bad input
if "$MLFY" fit nope.csv > out 2> err; then fail "missing file accepted"; fi
grep -q "nope.csv" err || fail "missing file message"
if "$MLFY" fit --timm a.csv > out 2> err; then fail "one table accepted"; fi
printf 'model,top1\nx,1\ny,2\n' > c.csv
if "$MLFY" fit --timm c.csv c.csv --outlier-t -1 > out 2> err; then fail "bad threshold accepted"; fi
grep -q "outlier-t" err || fail "threshold message"
printf 'model,label_count,top1,real_accuracy\nx,all,1,2\ny,all,2,3\n' > two.csv
if "$MLFY" fit two.csv > out 2> err; then fail "2 points accepted"; fi
grep -q "at least 3 points (got 2)" err || fail "two points: $(cat err)"

# ---- the shared timm snapshot: the acceptance numbers of issue 5
need_shared data/timm/results-imagenet.csv
T=$SHARED/data/timm
"$MLFY" fit --timm "$T/results-imagenet.csv" "$T/results-imagenet-real.csv" --figure fig > out 2> err ||
	fail "shared timm: $(cat err)"
grep -q "ReaL = 0.8187 (± 0.0040) × top-1 + 19.8625 (± 0.3257)" out || fail "shared fit: $(cat out)"
grep -q "n = 1,266, R² = 0.9705" out || fail "shared n/R2: $(cat out)"
grep -q "outliers (|externally studentized residual| > 2): 42" out || fail "outliers: $(cat out)"
for f in fig/real_vs_top1.svg fig/real_vs_top1.png fig/real_vs_top1.pdf; do
	[ -s "$f" ] || fail "missing $f"
done
head -c 8 fig/real_vs_top1.png | od -An -c | grep -q 'P   N   G' || fail "png header"
echo ok
