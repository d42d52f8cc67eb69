# The temporary-password test walks the route tables of web/, so it links
# web.
target_link_libraries(integration_test_account_security PRIVATE docket_web)
