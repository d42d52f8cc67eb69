# The tenancy test walks the route tables of web/, so it links web.
target_link_libraries(integration_test_tenancy PRIVATE docket_web)
