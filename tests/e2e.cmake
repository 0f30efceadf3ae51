# End-to-end tests: the built pftriage on the shipped bundles and knowledge base,
# and the fault lab (real Postfix + nsd on loopback; needs root, as in CI).
find_package(Python3 REQUIRED COMPONENTS Interpreter)
add_test(NAME "kb: lint" COMMAND pftriage kb lint)
add_test(NAME "kb: test" COMMAND pftriage kb test)
add_test(NAME "e2e: bundles" COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/e2e/test_bundles.py $<TARGET_FILE:pftriage>)
set_tests_properties("kb: lint" "kb: test" "e2e: bundles" PROPERTIES LABELS e2e)
add_test(NAME "lab: smoke" COMMAND ${Python3_EXECUTABLE} ${CMAKE_CURRENT_SOURCE_DIR}/lab/test_lab_smoke.py)
set_tests_properties("lab: smoke" PROPERTIES LABELS lab TIMEOUT 300 RUN_SERIAL TRUE)
