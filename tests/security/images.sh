# images.sh - the image routes return only what the project imported
# (issue 7 item 3): request paths never reach the file system (traversal in
# every encoding, absolute request targets, NUL, huge ids), and only bytes
# whose SHA-256 equals the one recorded at import are served or
# thumbnailed, so an image file swapped after the import, or replaced by a
# symbolic link out of the image folder (to another photo or to
# /etc/passwd), gets 409 and its content never leaves the server.
. "$(dirname "$0")/lib.sh"

serve_setup "$tmp" synthetic 24
serve_start --threads 2
login ann1
login admin
img=$tmp/img/img00001.jpg          # image 1's file (the fixture's layout)
cp "$img" "$tmp/original.jpg"

# ---- the normal case: the original, byte for byte
curl -sS -k -b "$tmp/jar.ann1" -o "$tmp/got.jpg" "$BASE/api/images/1?size=full"
cmp -s "$tmp/got.jpg" "$img" && ok || bad "full size is not the original file"

# ---- request paths that must not reach the file system
for p in "/api/images/..%2f..%2f..%2fetc%2fpasswd" "/api/images/%252e%252e%252fetc%252fpasswd" \
	"/api/images/%2e%2e/%2e%2e/etc/passwd" "/api/images/..\\..\\etc\\passwd" "/api/images/%c0%ae%c0%ae/etc/passwd" \
	"/api/images//etc/passwd" "/api/images/$img" "/api/images/1%00.jpg" "/api/images/1/../../../etc/passwd" \
	"/api/images/99999999999999999999999" "/api/images/-1" "/api/images/0x1" "/api/images/1e3" \
	"/api/exemplars/0/..%2f..%2fetc%2fpasswd" "/api/exemplars/../../etc/passwd" "/static/..%2f..%2f..%2fetc%2fpasswd" \
	"/static/%2fetc%2fpasswd" "/static/....//....//etc/passwd"; do
	req ann1 GET "$p"
	expect_one_of "400 403 404" "request path $p"
	grep -q "root:" <<<"$BODY" && bad "$p leaked /etc/passwd" || ok
done
code=$(curl -sS -o /dev/null -w '%{http_code}' -b "$tmp/jar.ann1" --request-target "http://evil.example/etc/passwd" "$BASE/")
case $code in 400|404) ok ;; *) bad "absolute-form request target gave $code" ;; esac

# ---- the file changes after the import: 409, and nothing of the new content
cp "$tmp/img/img00002.jpg" "$img"
for size in full display; do
	req ann1 GET "/api/images/1?size=$size"; expect 409 "swapped file, $size"
done
printf 'secret photo bytes' >"$tmp/secret.txt"
mkdir -p "$tmp/outside"
cp "$tmp/img/img00003.jpg" "$tmp/outside/private.jpg"
for target in "$tmp/outside/private.jpg" /etc/passwd "$tmp/secret.txt"; do
	rm -f "$img"
	ln -s "$target" "$img"
	for size in full display thumb; do
		req ann1 GET "/api/images/1?size=$size"
		expect 409 "symlink to $target, $size"
		grep -q "root:\|secret photo" <<<"$BODY" && bad "content of $target leaked" || ok
	done
done
req admin GET "/api/images/1?size=full"; expect 409 "admin: symlink out of the image folder"
rm -f "$img"
cp "$tmp/original.jpg" "$img"
req ann1 GET "/api/images/1?size=full"; expect 200 "the original restored"

# ---- an exemplar file swapped after the import
ex=$(sq "SELECT path FROM exemplars WHERE class_idx = 1 AND rank = 0")
cp "$ex" "$tmp/ex.orig"
req ann1 GET "/api/exemplars/1/0?size=full"; expect 200 "exemplar"
cp "$tmp/img/img00004.jpg" "$ex"
req ann1 GET "/api/exemplars/1/0?size=full"; expect 409 "swapped exemplar"
cp "$tmp/ex.orig" "$ex"

# ---- a missing file: 404, not 500
mv "$tmp/img/img00005.jpg" "$tmp/img5.bak"
req ann1 GET "/api/images/5?size=display"; expect 404 "missing image file"
mv "$tmp/img5.bak" "$tmp/img/img00005.jpg"

serve_stop
finish images
