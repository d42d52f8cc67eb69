# The role matrix test walks the route tables of web/, so it links web.
target_link_libraries(integration_test_accounts PRIVATE docket_web)
