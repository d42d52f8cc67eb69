/* placeholder, replaced as the module grows */
typedef int docket_notify_placeholder;
