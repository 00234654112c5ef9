/*
 * path.h: a relative path from the config joined to the config's folder,
 * written the way a person reads it (/srv/mscagent/var/agent.db, not
 * /srv/mscagent/conf/../var/agent.db), without asking the file system.
 */
#ifndef MSCAGENT_PATH_H
#define MSCAGENT_PATH_H

/*
 * dir (absolute, and a real path: no symbolic links, as realpath gives
 * it) joined with p.  "." and empty segments are dropped; a ".." at the
 * start of p, or after others like it, takes the last folder of dir off,
 * never going above "/".  A ".." after a folder of p itself is kept, as
 * that folder may be a symbolic link.  An absolute p is returned as it
 * is.  Caller frees.
 */
char	*path_join(const char *dir, const char *p);

#endif
