/* placeholder, replaced as the module grows */
typedef int docket_web_placeholder;
