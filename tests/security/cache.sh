# cache.sh - images in the browser cache of a shared computer (issue 12, item
# 4): images and exemplars, every size, were sent "private, max-age=31536000,
# immutable", so after logout, and after another annotator logged in, the
# browser showed them from its cache without asking.  Now every image reply
# is "private, no-cache" with an ETag: the browser asks each time, the server
# checks the session and access first and answers 304 only to a person who
# may see the image (401 logged out, 403 another annotator: never 304), and
# the logout reply carries Clear-Site-Data: "cache", "storage".  The browser
# side: tests/e2e/cache.mjs.
. "$(dirname "$0")/lib.sh"

serve_setup "$tmp" synthetic 24
serve_start --threads 2
for u in ann1 ann3 admin; do login "$u"; done

etag_of() { sed -n 's/^ETag: //Ip' <<<"$HDRS" | head -1; }

for p in "/api/images/1?size=thumb" "/api/images/1?size=display" "/api/images/1?size=full" \
	"/api/images/1" "/api/exemplars/3/9?size=thumb" "/api/exemplars/3/9?size=full"; do
	req ann1 GET "$p"; expect 200 "ann1 GET $p"
	cc=$(sed -n 's/^Cache-Control: //Ip' <<<"$HDRS")
	[ "$cc" = "private, no-cache" ] && ok || bad "$p: Cache-Control '$cc', expected 'private, no-cache'"
	grep -qi 'max-age\|immutable' <<<"$cc" && bad "$p: still cacheable without asking: $cc" || ok
	etag=$(etag_of)
	[ -n "$etag" ] && ok || bad "$p: no ETag"
	# allowed: 304, with the same cache rule and no body
	req ann1 GET "$p" -H "If-None-Match: $etag"; expect 304 "ann1 revalidates $p"
	[ -z "$BODY" ] && ok || bad "$p: 304 with a body"
	[ "$(sed -n 's/^Cache-Control: //Ip' <<<"$HDRS")" = "private, no-cache" ] && ok || bad "$p: 304 without no-cache"
	req ann1 GET "$p" -H "If-None-Match: \"other\", W/$etag"; expect 304 "$p: ETag in a list, weak form"
	req ann1 GET "$p" -H 'If-None-Match: "other"'; expect 200 "$p: another ETag"
	# not allowed: never 304, whatever the ETag
	req - GET "$p" -H "If-None-Match: $etag"; expect 401 "$p revalidated without a session"
	case $p in /api/images/*)
		req ann3 GET "$p" -H "If-None-Match: $etag"; expect 403 "$p revalidated by an unassigned annotator" ;;
	esac
done

# logout: the session ends, the browser is told to drop its cache and storage
req ann1 GET "/api/images/1?size=thumb"; etag=$(etag_of)
req ann1 POST /api/logout -H "X-CSRF-Token: $CSRF_ann1"; expect 200 "logout"
grep -qi '^Clear-Site-Data: "cache", "storage"$' <<<"$HDRS" && ok \
	|| bad "logout without Clear-Site-Data: $(grep -i '^clear-site' <<<"$HDRS")"
req ann1 GET "/api/images/1?size=thumb" -H "If-None-Match: $etag"; expect 401 "revalidation after logout"
# the next person on the computer: an annotator without that image
login ann3
req ann3 GET "/api/images/1?size=thumb" -H "If-None-Match: $etag"; expect 403 "revalidation by the next annotator"
# the API's JSON was never cacheable
req admin GET /api/dashboard
grep -qi '^Cache-Control: no-store' <<<"$HDRS" && ok || bad "API replies are not no-store"

serve_stop
finish cache
