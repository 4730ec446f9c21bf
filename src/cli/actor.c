/* actor.c - the "shell:LOGIN" name of whoever runs mlfy from the shell
 * (actor.h), for the audit rows of src/cli/dispatch.c and the creator of
 * the invitations of `mlfy user invite|reset`. */
#include "cli/actor.h"

#include <ctype.h>
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

const char *cli_shell_actor(char *buf, size_t n)
{
	struct passwd *pw = getpwuid(geteuid());
	const char *login = pw && pw->pw_name && *pw->pw_name ? pw->pw_name : getenv("USER");
	char clean[65];
	size_t i;

	if (!login || !*login)
		login = "unknown";
	snprintf(clean, sizeof(clean), "%s", login);   /* cut to 64 bytes */
	for (i = 0; clean[i]; i++) {
		unsigned char c = (unsigned char)clean[i];
		if (!isalnum(c) && c != '.' && c != '_' && c != '-')
			clean[i] = '_';
	}
	snprintf(buf, n, "shell:%s", clean);
	return buf;
}
