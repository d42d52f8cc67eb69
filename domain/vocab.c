/* vocab.c: the fields of docket's data-dictionary vocabulary, one list for
 * the dbt and ODCS writers (vocab_int.h). */
#include "vocab_int.h"
#include "card.h"

void vocab_table_fields(const registry_card *t, unsigned skip, vocab_put put,
                        void *ctx)
{
    const registry_card_rules *r = &t->rules;
    int native = (skip & VOCAB_SKIP_ODCS_NATIVE) != 0;

    put(ctx, "campaign_dependency", VOCAB_TEXT,
        card_dep(r->campaign_dependency)->name, 0);
    put(ctx, "campaign_note", VOCAB_TEXT, r->campaign_note, 0);
    put(ctx, "expected_arrival", VOCAB_TEXT, r->expected_arrival, 0);
    put(ctx, "expected_day", VOCAB_TEXT, r->expected_day, 0);
    put(ctx, "late_after_minutes", VOCAB_INT, "", r->late_after_minutes);
    put(ctx, "source", VOCAB_TEXT, r->source, 0);
    put(ctx, "cadence", VOCAB_TEXT, r->cadence, 0);
    put(ctx, "file_pattern", VOCAB_TEXT, r->file_pattern, 0);
    if (!native) {
        put(ctx, "owner", VOCAB_TEXT, r->owner, 0);
        put(ctx, "escalation", VOCAB_TEXT, r->escalation, 0);
    }
    put(ctx, "runbook", VOCAB_TEXT, r->runbook, 0);
    put(ctx, "table_kind", VOCAB_TEXT, t->kind, 0);
    if (!native)
        put(ctx, "table_status", VOCAB_KEY,
            registry_entry_status_name(t->status), 0);
    put(ctx, "consent_relevant", VOCAB_BOOL, "", r->consent_relevant);
    put(ctx, "anomaly_low_pct", VOCAB_INT, "", r->anomaly_low_pct);
    put(ctx, "anomaly_high_pct", VOCAB_INT, "", r->anomaly_high_pct);
}

void vocab_column_fields(const registry_card_column *k, unsigned skip,
                         vocab_put put, void *ctx)
{
    int native = (skip & VOCAB_SKIP_ODCS_NATIVE) != 0;

    put(ctx, "type", VOCAB_KEY, k->type, 0);
    if (!native) {
        put(ctx, "primary_key", VOCAB_BOOL, "", k->primary_key);
        put(ctx, "example", VOCAB_TEXT, k->example, 0);
    }
    put(ctx, "pii", VOCAB_BOOL, "", k->pii);
    put(ctx, "consent", VOCAB_BOOL, "", k->consent);
    put(ctx, "consent_channel", VOCAB_TEXT, k->consent_channel, 0);
    put(ctx, "rule", VOCAB_TEXT, k->rule, 0);
    put(ctx, "column_status", VOCAB_KEY, registry_entry_status_name(k->status),
        0);
}
