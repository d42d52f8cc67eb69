/* placeholder, replaced as the module grows */
typedef int docket_migrations_placeholder;
