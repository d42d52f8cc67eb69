/* dbt.h (domain): the registry of one instance as a dbt sources file
 * (`version: 2`, one source per instance, a table per registry table) and
 * back. Written with core/yaml_io.h (libyaml); read into the import
 * engine's records (registry_import_records, registry/catalog.h), so an
 * import checks and writes exactly as the CSV import does. Callers:
 * app/export.c and app/cmd_catalog.c (export / import --format dbt),
 * web/api_exchange.c (GET /api/v1/instances/{i}/dbt-sources.yml). The
 * freshness rule is shared with the ODCS contracts (domain/odcs.c). */
#ifndef DOCKET_DBT_H
#define DOCKET_DBT_H

#include "buf.h"
#include "catalog.h"
#include "err.h"
#include "registry.h"

/* The settings of one export ([instance.NAME] in the config file). */
typedef struct domain_dbt_opts {
    const char *schema;          /* dbt_schema; NULL or "": the instance */
    const char *loaded_at_field; /* dbt_loaded_at_field; NULL or "":
                                    DOMAIN_DBT_LOADED_AT */
    const char *base_url;        /* the server's public base for the card
                                    links ("https://docket.example");
                                    NULL or "": no card_url */
    int config; /* dbt_config: 1 writes freshness, loaded_at_field and
                   meta inside config: (dbt 1.10+, Fusion), 0 as
                   properties (dbt 1.8+) */
} domain_dbt_opts;

#define DOMAIN_DBT_LOADED_AT "_loaded_at"

/* How old a table's data may be, from its rules: cadence period (hourly
 * 60, daily 1440, weekly 7 days, monthly 31 days, in minutes) plus the
 * grace period (late_after_minutes) is *warn_minutes; two periods plus
 * grace (the next delivery missed too) is *error_minutes. 0, or
 * ERR_NOTFOUND (nothing written) for ad_hoc, no cadence or r NULL. */
int domain_dbt_freshness(const registry_card_rules *r, int *warn_minutes,
                         int *error_minutes);

/* The dbt sources file of instance into out:
 *
 *   version: 2
 *   sources:
 *     - name: <instance>
 *       schema: <opts.schema or the instance>
 *       loader: docket
 *       description, meta.docket {organisation, environment, dialect}
 *       loaded_at_field: <opts.loaded_at_field or _loaded_at>
 *       tables: one per registry table (active and deprecated), by name:
 *         name, description, meta.docket {the table fields of the CSV
 *         vocabulary that are set, card_url}, freshness (warn_after and
 *         error_after of domain_dbt_freshness, in the largest of day,
 *         hour, minute that divides it; null for ad_hoc or no cadence),
 *         columns (not retired, by position): name, description,
 *         data_type (the instance's dialect, as the migrations write
 *         it), data_tests (not_null when not nullable, unique for a
 *         single-column primary key), meta.docket {type, primary_key,
 *         example, pii, consent, consent_channel, rule, column_status}
 *
 * freshness, loaded_at_field and meta are properties of the source,
 * table and column (what dbt 1.8 reads; 1.9.6 and later read them too,
 * with a deprecation warning that asks for config:), or with opts.config
 * inside their config: (dbt 1.10 and later; Fusion's schema requires
 * it). Tenancy is the caller's: every table
 * of the instance is written. 0, ERR_NOTFOUND (no such instance), ERR_DB,
 * ERR_TOOBIG. */
int domain_dbt_write(buf *out, registry *reg, const char *instance,
                     const domain_dbt_opts *opts, errmsg *err);

/* Reads a dbt sources file (data, len bytes; file names it in problems,
 * NULL: the import's own) for instance into records appended to out:
 * the source named like the instance (any case), or the only one; its
 * tables and columns with descriptions, data_type mapped back through the
 * instance dialect's type table (migrations/types_live.c;
 * meta.docket.type wins), not_null -> nullable no (else yes), unique on
 * one column only -> primary_key (meta.docket.primary_key wins),
 * meta.docket.* -> the fields of the same name, meta.owner -> owner when
 * meta.docket has none. meta is read from the properties or else from
 * config: (dbt 1.10); freshness is not read (docket derives it from the
 * cadence and grace it imports). Problems (YAML syntax `yaml: ...`, structure,
 * unknown docket fields, types without a docket kind) go into rep at
 * their line. Returns 0, ERR_INVALID (problems in rep), ERR_NOTFOUND (no
 * such instance) or ERR_DB. */
int domain_dbt_read(registry_import_recs *out, registry_import_report *rep,
                    registry *reg, const char *instance, const char *file,
                    const char *data, size_t len, errmsg *err);

#endif
