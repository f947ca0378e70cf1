/*
 * ctl_parse.h - intakectl parse: what the mailbox would make of a message.
 */
#ifndef CTL_PARSE_H
#define CTL_PARSE_H

/*
 * Run the mail parser on the message in the file at path ("-": standard
 * input), with the context intaked builds (the taxonomy, extractor,
 * classifier and automatic-mail signals compiled in or configured; the
 * [smtp] limits and trusted upstreams of the configuration at conf, or
 * the defaults when conf is NULL), and print what would be stored: as
 * text, or as one JSON object when json is set. Nothing is written
 * anywhere else. Returns intakectl's exit status: 0, 1 (the file cannot
 * be read or is larger than [smtp] max_message_size) or 2 (the
 * configuration, or memory).
 */
int	ctl_parse_file(const char *conf, const char *path, int json);

#endif
