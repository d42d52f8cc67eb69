/* placeholder, replaced as the module grows */
typedef int docket_registry_placeholder;
