/*
 * queuemon.c: an snmpd module serving queue depths, reread per request from
 * the "name depth" lines of the file snmpd.conf's queuemonFile names, as
 * queueTable 1.3.6.1.4.1.32473.1.1 (RFC 5612's example enterprise): row N,
 * the Nth well-formed line, has queueName .1.1.N and queueDepth .1.2.N.
 * Without fix.patch, this file leaks 4 KiB per walk (the post's bug): apply it.
 */
#include <net-snmp/net-snmp-config.h>
#include <net-snmp/net-snmp-includes.h>
#include <net-snmp/agent/net-snmp-agent-includes.h>

#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#define STATUS_MAX	4096	/* a bigger status file is refused */
#define QUEUES_MAX	64
#define COLUMN_NAME	1
#define COLUMN_DEPTH	2

struct queue {
	const char	*name;
	u_long		 depth;
};

static const oid	 table_oid[] = { 1, 3, 6, 1, 4, 1, 32473, 1, 1 };
#define TABLE_LEN	 OID_LENGTH(table_oid)
static char		*status_path;

/* Log in one line why the status file cannot be served; returns NULL. */
static char *
refuse(const char *why)
{
	snmp_log(LOG_ERR, "queuemon: status file %s: %s\n", status_path ? status_path : "unset", why);
	return (NULL);
}

/*
 * Read the status file into a buffer the caller must free, and point
 * q[0..*n-1] into it.  NULL, logged, if it cannot be read or is too big.
 */
static char *
read_status(struct queue *q, int *n)
{
	char	*buf, *line, *save, *end;
	ssize_t	 len;
	u_long	 depth;
	int	 fd, count = 0;

	if (status_path == NULL)
		return (refuse("add queuemonFile to snmpd.conf"));
	if ((fd = open(status_path, O_RDONLY | O_CLOEXEC)) == -1)
		return (refuse(strerror(errno)));
	if ((buf = malloc(STATUS_MAX)) == NULL) {
		close(fd);
		return (refuse("out of memory"));
	}
	if ((len = read(fd, buf, STATUS_MAX)) < 0 || len == STATUS_MAX) {
		refuse(len < 0 ? strerror(errno) : "4096 bytes or more, refused");
		close(fd);
		free(buf);
		return (NULL);
	}
	close(fd);
	buf[len] = '\0';
	for (line = strtok_r(buf, "\n", &save); line != NULL && count < QUEUES_MAX;
	    line = strtok_r(NULL, "\n", &save)) {
		char *sp = strchr(line, ' ');

		if (sp == NULL)
			continue;	/* not "name depth": skip the line */
		*sp = '\0';
		if (!isdigit((unsigned char)sp[1]))
			continue;	/* no depth: skip the line too */
		depth = strtoul(sp + 1, &end, 10);
		if (*end != '\0')
			continue;	/* trailing junk: skip */
		/* A Gauge32 stops at 2^32-1; so does strtoul's overflow value. */
		q[count].depth = depth > UINT32_MAX ? UINT32_MAX : depth;
		q[count++].name = line;
	}
	*n = count;
	return (buf);
}

/* Build the OID of one cell: table.1.column.row. */
static size_t
cell_oid(oid *out, int column, int row)
{
	memcpy(out, table_oid, sizeof(table_oid));
	out[TABLE_LEN] = 1;
	out[TABLE_LEN + 1] = column;
	out[TABLE_LEN + 2] = row;
	return (TABLE_LEN + 3);
}

/* Set vb's value to one cell; 0 on success. */
static int
set_cell(netsnmp_variable_list *vb, const struct queue *q, int column)
{
	if (column == COLUMN_NAME)
		return (snmp_set_var_typed_value(vb, ASN_OCTET_STR, q->name, strlen(q->name)));
	return (snmp_set_var_typed_value(vb, ASN_GAUGE, &q->depth, sizeof(q->depth)));
}

/* Answer one varbind of a GET or GETNEXT request. */
static void
answer(netsnmp_agent_request_info *reqinfo, netsnmp_request_info *request)
{
	netsnmp_variable_list	*vb = request->requestvb;
	struct queue		 q[QUEUES_MAX];
	oid			 name[MAX_OID_LEN];
	size_t			 len;
	char			*buf;
	int			 n, column, row;

	if ((buf = read_status(q, &n)) == NULL) {
		/* A GETNEXT left alone moves on to the next subtree. */
		if (reqinfo->mode == MODE_GET)
			netsnmp_set_request_error(reqinfo, request, SNMP_ERR_GENERR);
		return;
	}
	if (reqinfo->mode == MODE_GET) {
		/* Exactly table.1.column.row; an oid is a u_long: check, then narrow. */
		column = row = 0;
		if (vb->name_length == TABLE_LEN + 3 && vb->name[TABLE_LEN] == 1) {
			column = vb->name[TABLE_LEN + 1] <= COLUMN_DEPTH ? vb->name[TABLE_LEN + 1] : 0;
			row = vb->name[TABLE_LEN + 2] <= (oid)n ? vb->name[TABLE_LEN + 2] : 0;
		}
		if (column < COLUMN_NAME || column > COLUMN_DEPTH)
			netsnmp_set_request_error(reqinfo, request, SNMP_NOSUCHOBJECT);
		else if (row < 1 || row > n)
			netsnmp_set_request_error(reqinfo, request, SNMP_NOSUCHINSTANCE);
		else if (set_cell(vb, &q[row - 1], column) != 0)
			netsnmp_set_request_error(reqinfo, request, SNMP_ERR_GENERR);
		free(buf);
		return;
	}
	/* GETNEXT: the first cell, column by column, that sorts after vb. */
	for (column = COLUMN_NAME; column <= COLUMN_DEPTH; column++)
		for (row = 1; row <= n; row++) {
			len = cell_oid(name, column, row);
			if (snmp_oid_compare(name, len, vb->name, vb->name_length) > 0)
				goto found;
		}
	/* Past the last cell: leave vb alone, the agent asks the next subtree. */
	return;
found:
	if (snmp_set_var_objid(vb, name, len) != 0 || set_cell(vb, &q[row - 1], column) != 0)
		netsnmp_set_request_error(reqinfo, request, SNMP_ERR_GENERR);
	free(buf);
}

static int
queue_handler(netsnmp_mib_handler *handler, netsnmp_handler_registration *reginfo,
    netsnmp_agent_request_info *reqinfo, netsnmp_request_info *requests)
{
	netsnmp_request_info *r;

	/* Registered read-only: snmpd turns SETs away before they get here. */
	if (reqinfo->mode != MODE_GET && reqinfo->mode != MODE_GETNEXT)
		return (SNMP_ERR_NOERROR);
	for (r = requests; r != NULL; r = r->next)
		if (!r->processed)
			answer(reqinfo, r);
	return (SNMP_ERR_NOERROR);
}

static void
parse_file_token(const char *token, char *line)
{
	if (*line != '/') {
		config_perror("queuemonFile needs an absolute path");
		return;
	}
	free(status_path);
	if ((status_path = strdup(line)) == NULL)
		config_perror("queuemonFile: out of memory");
}

/* snmpd calls init_NAME() when snmpd.conf says "dlmod NAME PATH". */
void
init_queuemon(void)
{
	netsnmp_handler_registration *reg;

	reg = netsnmp_create_handler_registration("queueTable", queue_handler,
	    table_oid, TABLE_LEN, HANDLER_CAN_RONLY);
	if (reg == NULL || netsnmp_register_handler(reg) != MIB_REGISTERED_OK) {
		snmp_log(LOG_ERR, "queuemon: cannot register queueTable\n");
		return;
	}
	snmpd_register_config_handler("queuemonFile", parse_file_token, NULL,
	    "/absolute/path/of/the/status/file");
}

void
deinit_queuemon(void)
{
	unregister_mib((oid *)table_oid, TABLE_LEN);
	snmpd_unregister_config_handler("queuemonFile");
	free(status_path);
	status_path = NULL;
}
