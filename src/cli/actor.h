/* actor.h - who runs mlfy from the shell, as the audit log and invitations
 * name them (actor.c): "shell:LOGIN". */
#ifndef MLFY_CLI_ACTOR_H
#define MLFY_CLI_ACTOR_H

#include <stddef.h>

/* Writes "shell:LOGIN" into buf (n bytes; 80 are always enough): LOGIN is
 * the name of the effective user (getpwuid(geteuid())), else $USER, else
 * "unknown"; characters other than letters, digits, '.', '_' and '-'
 * become '_', and it is cut to 64 bytes.  Returns buf. */
const char *cli_shell_actor(char *buf, size_t n);

#endif
