# install.cmake - where `cmake --install` puts pftriage (FHS / Debian layout) and how
# CPack turns that into a .deb. It builds nothing but the gzipped man page.
#   bin/pftriage                           share/pftriage/{knowledge/,facts.yaml}
#   share/man/man1/pftriage.1.gz           share/bash-completion/completions/pftriage
#   lib/systemd/system/pftriage-check.*    libexec/pftriage/pftriage-health
#   share/doc/pftriage/{README.md,fleet.md,examples/...}
include(GNUInstallDirs)

install(TARGETS pftriage RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
# The binary finds its data at ../share/pftriage (cli/data_dir.cpp), so this path is fixed.
install(DIRECTORY ${PROJECT_SOURCE_DIR}/knowledge/ DESTINATION share/pftriage/knowledge
        FILE_PERMISSIONS OWNER_READ OWNER_WRITE GROUP_READ WORLD_READ)
install(FILES ${PROJECT_SOURCE_DIR}/probes/facts.yaml DESTINATION share/pftriage)

# Debian wants man pages compressed (gzip -n: no timestamp, so the build is reproducible).
find_program(PFT_GZIP gzip REQUIRED)
set(_man_gz ${CMAKE_CURRENT_BINARY_DIR}/pftriage.1.gz)
add_custom_command(OUTPUT ${_man_gz}
  COMMAND ${PFT_GZIP} -9 -n -c ${PROJECT_SOURCE_DIR}/docs/man/pftriage.1 > ${_man_gz}
  DEPENDS ${PROJECT_SOURCE_DIR}/docs/man/pftriage.1 VERBATIM)
add_custom_target(pftriage_man ALL DEPENDS ${_man_gz})
install(FILES ${_man_gz} DESTINATION ${CMAKE_INSTALL_MANDIR}/man1)

install(FILES ${PROJECT_SOURCE_DIR}/contrib/bash-completion/pftriage DESTINATION share/bash-completion/completions)
# Units are shipped but not enabled: `systemctl enable --now pftriage-check.timer`.
install(FILES ${PROJECT_SOURCE_DIR}/contrib/systemd/pftriage-check.service ${PROJECT_SOURCE_DIR}/contrib/systemd/pftriage-check.timer
        DESTINATION lib/systemd/system)
install(PROGRAMS ${PROJECT_SOURCE_DIR}/contrib/systemd/pftriage-health DESTINATION ${CMAKE_INSTALL_LIBEXECDIR}/pftriage)
install(FILES ${PROJECT_SOURCE_DIR}/README.md ${PROJECT_SOURCE_DIR}/docs/fleet.md DESTINATION ${CMAKE_INSTALL_DOCDIR})
install(FILES ${PROJECT_SOURCE_DIR}/contrib/ansible/pftriage-fleet.yml DESTINATION ${CMAKE_INSTALL_DOCDIR}/examples/ansible)

# ---- .deb (cpack -G DEB) -------------------------------------------------------
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME pftriage)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "pftriage")
set(CPACK_PACKAGE_CONTACT "pftriage maintainers <root@localhost>")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "expert system that troubleshoots Postfix mail servers")
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "expert system that troubleshoots Postfix mail servers
 pftriage takes a symptom in plain words (\"mail stuck\", \"relay access denied\"),
 probes the live Postfix host read-only or a captured evidence bundle, and
 reports the likely causes ranked, the evidence for each, and the exact
 commands to check, fix and verify. It also runs as a Nagios/Icinga check,
 writes Prometheus textfile metrics and renders Markdown or HTML reports.")
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION mail)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://www.postfix.org/")
set(CPACK_STRIP_FILES ON)
# dpkg-shlibdeps derives Depends from the binary's libraries (libyaml-cpp0.7, libre2-9,
# libldns3, libarchive13, libssl3, libfmt9 ...); it is part of dpkg-dev.
find_program(PFT_DPKG_SHLIBDEPS dpkg-shlibdeps)
if(PFT_DPKG_SHLIBDEPS)
  set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
else()
  set(CPACK_DEBIAN_PACKAGE_DEPENDS "libyaml-cpp0.7, libre2-9, libldns3, libarchive13, libssl3, libspdlog1.10, libfmt9, zlib1g, libstdc++6, libc6")
endif()
# Live probes run Postfix's own tools; bundles need nothing.
set(CPACK_DEBIAN_PACKAGE_RECOMMENDS "postfix")
set(CPACK_DEBIAN_PACKAGE_SUGGESTS "bash-completion, monitoring-plugins-basic, prometheus-node-exporter, ansible-core")
include(CPack)
