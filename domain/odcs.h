/* odcs.h (domain): a registry table as an Open Data Contract Standard
 * (ODCS) v3.1.0 data contract, and contracts read back into the records
 * of the registry's import engine (registry_import_records), in the
 * vocabulary of the data-dictionary CSV.
 *
 * Out (one contract per table): apiVersion v3.1.0, kind DataContract, a
 * stable id (a name-based UUID of instance and table), name, version
 * "1.N.0" (N: the table's registry changes after the one that created
 * it), status (the table's: active or deprecated), tenant (the
 * organisation), team (the owner), support (the escalation contact),
 * slaProperties (frequency, time of availability and latency from the
 * cadence, expected arrival and grace period), one schema object (the
 * table, its description) with a property per column that is not retired
 * (logicalType and logicalTypeOptions from docket's type, physicalType in
 * the instance's SQL dialect, required, primaryKey and its position,
 * description, examples, classification and tags for PII and consent,
 * the column's rule as a quality check of type text),
 * and customProperties carrying every other field under its CSV name
 * (campaign_dependency, campaign_note, expected_arrival, ..., and per
 * column type, pii, consent, consent_channel, rule, column_status), so
 * that a contract imported into an empty instance gives the same
 * registry. YAML is written by libyaml's emitter (core/yaml_io.h).
 *
 * In: a contract file, or every *.yaml file of a directory (*.odcs.yaml
 * among them); every schema object is a table. A field's
 * customProperties entry wins over the native key; a column's docket
 * type is its customProperties `type`, else its physicalType read with
 * the instance's dialect (migrations/types_live.c), else its
 * logicalType. */
#ifndef DOCKET_ODCS_H
#define DOCKET_ODCS_H

#include "buf.h"
#include "catalog.h"
#include "err.h"

/* The ODCS version written, and the versions read (v3.0.0 to v3.1.0). */
#define DOMAIN_ODCS_API_VERSION "v3.1.0"

/* Appends the ODCS v3.1.0 contract of table (any case) in instance to
 * out, as YAML. base_url: the server's public base URL without a final
 * slash ("" or NULL: the card link is relative and no
 * authoritativeDefinitions entry is written). Tenancy is the caller's:
 * the table is read as staff see it. 0, ERR_NOTFOUND ("no table T in
 * instance I", "no instance named I"), ERR_DB, ERR_TOOBIG (out's limit);
 * out is unchanged on error. */
int domain_odcs_write(buf *out, registry *reg, const char *instance,
                      const char *table, const char *base_url, errmsg *err);

/* The contract's id for table in instance: a UUID (RFC 9562 version 8,
 * name-based: BLAKE2b of "docket", the instance and the table's name in
 * lower case) as 36 characters into out (37+ bytes). The same for every
 * export of that table. */
void domain_odcs_id(char *out, size_t size, const char *instance,
                    const char *table);

/* Reads the contract at path ("-": standard input), or every *.yaml file
 * of the directory at path (by name, not recursive), into records
 * appended to out, for
 * registry_import_records into instance (whose SQL dialect reads
 * physicalType). Problems go to rep at FILE:LINE (FILE: path as given,
 * or path/NAME for a file of the directory, NAME alone when that is too
 * long to keep): YAML that does
 * not parse ("yaml" field), a document that is not an ODCS v3 contract
 * (apiVersion, kind), keys of the wrong type, a status other than
 * active or deprecated, a column whose type docket cannot tell. 0 (the
 * engine's checks are still to come), ERR_INVALID (problems in rep),
 * ERR_NOTFOUND (no such file or directory, no such instance). */
int domain_odcs_read(registry_import_recs *out, registry_import_report *rep,
                     registry *reg, const char *instance, const char *path,
                     errmsg *err);

#endif
