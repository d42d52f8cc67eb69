# The service-role test walks the route tables of web/ (every route that
# does not name the role must refuse its token), so it links web.
target_link_libraries(integration_test_service_role PRIVATE docket_web)
