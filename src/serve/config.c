/* config.c - defaults and validation of the server settings (config.h). */
#include "serve/config.h"
#include "store/invites.h"

#include <string.h>

void mlfy_server_config_init(struct mlfy_server_config *c, const char *project)
{
	memset(c, 0, sizeof(*c));
	c->project = project;
	c->listen_host = "127.0.0.1";
	c->port = 9000;
	c->idle_timeout_s = 8 * 3600;
	c->invite_ttl_s = MLFY_INVITE_TTL_DEFAULT;
	c->threads = 4;
	c->max_connections = 256;
	c->max_per_address = 32;
	c->request_timeout_s = 20;
	c->session_max_age_s = 7 * 86400;
	c->login_queue = 64;
	c->login_per_address = 4;
	c->max_body = 256 * 1024;
	c->max_header = 32 * 1024;
}

int mlfy_server_config_check(const struct mlfy_server_config *c, struct mlfy_err *err)
{
	if (!c->project || c->idle_timeout_s <= 0 || c->invite_ttl_s <= 0 || c->threads < 1 || c->threads > 64 || c->max_connections < 1 ||
	    c->max_body < 1024 || c->max_header < 4096 || c->request_timeout_s <= 0 || c->session_max_age_s <= 0 ||
	    c->login_queue < 1 || c->login_per_address < 1)
		return mlfy_err_set(err, MLFY_EINVAL, "bad server configuration");
	if (!c->tls_cert != !c->tls_key)
		return mlfy_err_set(err, MLFY_EINVAL, "TLS needs both a certificate and a key");
	return 0;
}
