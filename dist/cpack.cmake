# The Debian package: `cpack -G DEB` in a build folder (configured with the
# default prefix /usr) writes tally_VERSION_ARCH.deb. Its dependencies come
# from dpkg-shlibdeps; the maintainer scripts (dist/debian/) create the
# _tally user and tallyd's folders and never start tallyd; the configuration
# under /etc is a conffile.
set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME tally)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGE_VENDOR "tally")
set(TALLY_DEB_MAINTAINER "tally maintainers <tally@localhost>" CACHE STRING
  "Maintainer field of the .deb")
set(CPACK_PACKAGE_CONTACT "${TALLY_DEB_MAINTAINER}")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY
  "secret-ballot vote tallying for a district people's congress")
set(CPACK_PACKAGE_DESCRIPTION
  "tally runs the secret-ballot votes of a congress session on polling
terminals: ballots encrypted to a key that k of n scrutineers share, an
append-only signed log, decryption of totals only, and a record that
anyone can verify offline. Contains tallyd (the ballot daemon, with its
systemd unit), tallyctl (the client and verifier) and tally-keys (the
offline key tool).")
set(CPACK_PACKAGING_INSTALL_PREFIX ${CMAKE_INSTALL_PREFIX})
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_DEBIAN_PACKAGE_SECTION admin)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# useradd (passwd) in the postinst when systemd-sysusers is absent.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "passwd")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA
  ${CMAKE_SOURCE_DIR}/dist/debian/postinst
  ${CMAKE_SOURCE_DIR}/dist/debian/prerm
  ${CMAKE_SOURCE_DIR}/dist/debian/postrm
  ${CMAKE_SOURCE_DIR}/dist/debian/conffiles)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION TRUE)
set(CPACK_STRIP_FILES TRUE)
set(CPACK_SOURCE_IGNORE_FILES "/\\\\.git/;/build[^/]*/")
set(CPACK_PROJECT_CONFIG_FILE ${CMAKE_SOURCE_DIR}/dist/cpack_check.cmake)
include(CPack)
