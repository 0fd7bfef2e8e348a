# Read by cpack for each generator (CPACK_PROJECT_CONFIG_FILE): a .deb is
# made only of a build configured for /usr, whose unit, configuration and
# scripts name /usr/sbin/tallyd and /etc/tally.
if(CPACK_GENERATOR STREQUAL "DEB" AND
    NOT CPACK_PACKAGING_INSTALL_PREFIX STREQUAL "/usr")
  message(FATAL_ERROR "tally: the .deb needs a build folder configured with "
    "-DCMAKE_INSTALL_PREFIX=/usr (this one has "
    "${CPACK_PACKAGING_INSTALL_PREFIX})")
endif()
