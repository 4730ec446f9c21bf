/* people.c - accounts from the browser (console.h): the admin lists
 * accounts, creates one with a role and gets a one-time invitation token
 * (store/invites.h; the page turns it into the link /invite#TOKEN, whose
 * fragment never reaches a server log), disables, enables, changes a role
 * or resets an account (a new link; its sessions end).  And the two
 * public routes of the invitee: checking a link and setting one's
 * password on it.  Every admin change goes to the audit log, never the
 * token. */
#include "serve/console.h"
#include "serve/http.h"
#include "store/accounts_tx.h"
#include "store/audit.h"
#include "store/invites.h"

#include <sodium.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

static void iso_time(int64_t t, char out[32])
{
	time_t tt = (time_t)t;
	struct tm tm;
	gmtime_r(&tt, &tm);
	strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

/* The state of u's latest invitation: {"created_at", "expires_at",
 * "state": "open"|"expired"|"used"|"revoked"} (revoked: replaced by a newer
 * link, or cancelled by disabling or a new password), or null. */
static json_t *invite_json(struct req *r, const struct mlfy_user *u, int64_t now)
{
	struct mlfy_invite_info in;
	struct mlfy_err err;
	char c[32], e[32];
	const char *state;

	mlfy_err_clear(&err);
	if (mlfy_invite_latest(r->store, u->id, &in, &err))
		return json_null();
	state = in.used_at ? "used" : in.revoked_at ? "revoked" : in.expires_at < now ? "expired" : "open";
	iso_time(in.created_at, c);
	iso_time(in.expires_at, e);
	return json_pack("{ssssss}", "created_at", c, "expires_at", e, "state", state);
}

enum MHD_Result h_admin_users(struct req *r, const char *rest)
{
	int64_t now = (int64_t)time(NULL);
	struct mlfy_user *u = NULL;
	struct mlfy_err err;
	size_t n = 0, i;
	json_t *arr, *j;
	enum MHD_Result ret;

	(void)rest;
	mlfy_err_clear(&err);
	if (!strcmp(r->method, "POST")) {
		/* {"name", "role"}: a new account and its invitation */
		const char *name, *role_s;
		char token[MLFY_TOKEN_LEN + 1], exp[32];
		enum mlfy_role role;
		json_t *params, *res = NULL;
		int rc;

		if (!(j = body_json(r, &ret)))
			return ret;
		name = str_field(j, "name");
		role_s = str_field(j, "role");
		if (!name || !role_s) {
			json_decref(j);
			return reply_error(r, 400, "a new account needs \"name\" and \"role\"");
		}
		if (mlfy_role_parse(role_s, &role, &err) || mlfy_user_name_check(name, &err)) {
			json_decref(j);
			return reply_err(r, &err);
		}
		params = json_pack("{ssss}", "name", name, "role", mlfy_role_name(role));
		pthread_mutex_lock(&r->srv->write_mu);
		rc = mlfy_users_invite_tx(r->store, name, role, r->sess.user.name, now, r->srv->cfg.invite_ttl_s, token,
					  &err);
		pthread_mutex_unlock(&r->srv->write_mu);
		iso_time(now + r->srv->cfg.invite_ttl_s, exp);
		if (!rc)
			res = json_pack("{ss}", "expires_at", exp);
		console_audit(r, "user.invite", params, res, rc ? &err : NULL);
		json_decref(params);
		if (rc) {
			json_decref(res);
			json_decref(j);
			return reply_err(r, &err);
		}
		json_object_set_new(res, "name", json_string(name));   /* name is j's: before it goes */
		json_decref(j);
		json_object_set_new(res, "role", json_string(mlfy_role_name(role)));
		json_object_set_new(res, "token", json_string(token));
		sodium_memzero(token, sizeof(token));
		return reply_json(r, 200, res);
	}
	if (mlfy_users_list(r->store, &u, &n, &err))
		return reply_err(r, &err);
	arr = json_array();
	for (i = 0; i < n; i++)
		json_array_append_new(arr, json_pack("{sssssssbsbsbso}", "name", u[i].name, "role",
						     mlfy_role_name(u[i].role), "created_at", u[i].created_at,
						     "disabled", u[i].disabled, "has_password", u[i].has_password, "me",
						     !strcmp(u[i].name, r->sess.user.name), "invite",
						     invite_json(r, &u[i], now)));
	mlfy_users_free(u, n);
	return reply_json(r, 200, json_pack("{sosI}", "users", arr, "invite_ttl", (json_int_t)r->srv->cfg.invite_ttl_s));
}

/* POST /api/admin/users/NAME {"action": "disable"|"enable"|"role"|"reset",
 * "role": R} */
enum MHD_Result h_admin_user(struct req *r, const char *rest)
{
	int64_t now = (int64_t)time(NULL);
	char token[MLFY_TOKEN_LEN + 1] = "", exp[32] = "", action[32];
	const char *act, *role_s;
	enum mlfy_role role = MLFY_ROLE_ANNOTATOR;
	enum MHD_Result ret;
	struct mlfy_err err;
	json_t *j, *params, *res = NULL;
	int rc;

	if (!*rest || strchr(rest, '/'))
		return reply_error(r, 404, "no such route: expected /api/admin/users/NAME");
	if (!(j = body_json(r, &ret)))
		return ret;
	act = str_field(j, "action");
	role_s = str_field(j, "role");
	mlfy_err_clear(&err);
	if (!act || (strcmp(act, "disable") && strcmp(act, "enable") && strcmp(act, "role") && strcmp(act, "reset"))) {
		json_decref(j);
		return reply_error(r, 400, "\"action\" must be disable, enable, role or reset");
	}
	if (!strcmp(act, "role") && (!role_s || mlfy_role_parse(role_s, &role, &err))) {
		json_decref(j);
		return role_s ? reply_err(r, &err) : reply_error(r, 400, "a role change needs \"role\"");
	}
	if (!strcmp(rest, r->sess.user.name) && strcmp(act, "enable") &&
	    (strcmp(act, "role") || role != MLFY_ROLE_ADMIN)) {
		/* the console must never lock out the one using it (the
		 * message before the body goes: act is the body's) */
		ret = reply_error(r, 409, "you cannot %s your own account here (another admin can, or mlfy user on the"
				  " server)", !strcmp(act, "role") ? "change the role of" : act);
		json_decref(j);
		return ret;
	}
	params = json_pack("{ss}", "name", rest);
	if (!strcmp(act, "role"))
		json_object_set_new(params, "role", json_string(mlfy_role_name(role)));
	pthread_mutex_lock(&r->srv->write_mu);
	if (!strcmp(act, "reset"))
		rc = mlfy_users_reset_tx(r->store, rest, r->sess.user.name, now, r->srv->cfg.invite_ttl_s, token, &err);
	else if (!strcmp(act, "role"))
		rc = mlfy_users_set_role_tx(r->store, rest, role, &err);
	else
		rc = mlfy_users_set_disabled_tx(r->store, rest, !strcmp(act, "disable"), &err);
	pthread_mutex_unlock(&r->srv->write_mu);
	if (!rc && token[0]) {
		iso_time(now + r->srv->cfg.invite_ttl_s, exp);
		res = json_pack("{ss}", "expires_at", exp);
	}
	snprintf(action, sizeof(action), "user.%s", act);
	console_audit(r, action, params, res, rc ? &err : NULL);
	json_decref(params);
	json_decref(j);
	if (rc) {
		json_decref(res);
		return reply_err(r, &err);
	}
	if (!res)
		res = json_object();
	json_object_set_new(res, "ok", json_true());
	if (token[0]) {
		struct mlfy_user u;
		json_object_set_new(res, "token", json_string(token));
		if (!mlfy_users_get(r->store, rest, &u, &err)) {
			if (u.disabled)   /* the store keeps the link for when it is enabled */
				json_object_set_new(res, "note", json_string("the account is disabled: the link works once"
									     " it is enabled again"));
			mlfy_user_release(&u);
		}
	}
	sodium_memzero(token, sizeof(token));
	return reply_json(r, 200, res);
}

/* POST /api/invite/check {"token"}: whose link it is (public) */
enum MHD_Result h_invite_check(struct req *r, const char *rest)
{
	struct mlfy_user u;
	enum MHD_Result ret;
	struct mlfy_err err;
	json_t *j, *o;

	(void)rest;
	if (!(j = body_json(r, &ret)))
		return ret;
	mlfy_err_clear(&err);
	if (mlfy_invite_check(r->store, str_field(j, "token"), (int64_t)time(NULL), &u, &err)) {
		json_decref(j);
		return reply_err(r, &err);
	}
	json_decref(j);
	o = json_pack("{ssssss}", "user", u.name, "role", mlfy_role_name(u.role), "project", r->srv->project_name);
	mlfy_user_release(&u);
	return reply_json(r, 200, o);
}

/* POST /api/invite {"token", "password"}: sets the invitee's password and
 * uses the link up (public) */
enum MHD_Result h_invite_accept(struct req *r, const char *rest)
{
	struct mlfy_user u;
	enum MHD_Result ret;
	struct mlfy_err err, aerr;
	json_t *j, *o;
	int rc;

	(void)rest;
	if (!(j = body_json(r, &ret)))
		return ret;
	if (!str_field(j, "password")) {
		json_decref(j);
		return reply_error(r, 400, "choose a password (\"password\")");
	}
	mlfy_err_clear(&err);
	mlfy_err_clear(&aerr);
	pthread_mutex_lock(&r->srv->write_mu);
	rc = mlfy_invite_redeem_tx(r->store, str_field(j, "token"), str_field(j, "password"), (int64_t)time(NULL), &u,
				   &err);
	if (!rc && mlfy_audit_append(r->store, u.name, "console", "invite.accept", "{}", "{}", 1, &aerr))
		srv_log_error(r->srv, "audit log: invite.accept: %s", aerr.msg);
	pthread_mutex_unlock(&r->srv->write_mu);
	/* the password goes no further than its hash */
	sodium_memzero((void *)json_string_value(json_object_get(j, "password")),
		       strlen(json_string_value(json_object_get(j, "password"))));
	sodium_memzero(r->body, r->len);
	json_decref(j);
	if (rc)
		return reply_err(r, &err);
	o = json_pack("{ssssss+}", "user", u.name, "role", mlfy_role_name(u.role), "login", "/login?user=", u.name);
	mlfy_user_release(&u);
	return reply_json(r, 200, o);
}
