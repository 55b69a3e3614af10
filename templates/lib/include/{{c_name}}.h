#ifndef {{C_NAME}}_H
#define {{C_NAME}}_H

/* {{name}}: {{description}} */

/* Writes "Hello, <who>!" into buf (at most size bytes, terminated); returns
 * the length the whole greeting needs, like snprintf. */
int {{c_name}}_greet(char *buf, unsigned long size, const char *who);

#endif
