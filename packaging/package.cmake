# The Debian package (issue 20): `cmake --build build --target package` writes build/campusdesk_VERSION_ARCH.deb.
# Layout: /usr/bin/campusdesk; templates, static files and holiday calendars in /usr/share/campusdesk (the binary
# finds them from its own path, server/install_paths.cpp); /etc/campusdesk/campusdesk.toml as a conffile
# pointing at /var/lib/campusdesk and at the city's lists, which the admin puts into /etc/campusdesk (the demo
# lists are only examples in /usr/share/doc/campusdesk/examples); the systemd units of config/systemd with the
# installed paths. docs/install.md explains it, including lintian's remaining tags.
include(GNUInstallDirs)
set(PKG_STAGE ${CMAKE_BINARY_DIR}/package-files)
set(PKG_SHARE ${CMAKE_INSTALL_DATADIR}/campusdesk)
set(PKG_DOC ${CMAKE_INSTALL_DATADIR}/doc/campusdesk)

# Replaces each FROM by TO in TEXT (no semicolons in either: they would split the list), and fails the configure
# step if a FROM is no longer there (the source file changed): a silently unreplaced path would ship a config or
# unit pointing into a checkout.
function(campusdesk_replace var)
  set(text "${${var}}")
  set(pairs ${ARGN})
  while(pairs)
    list(POP_FRONT pairs from to)
    string(FIND "${text}" "${from}" at)
    if(at EQUAL -1)
      message(FATAL_ERROR "packaging/package.cmake: '${from}' not found, update the replacement")
    endif()
    string(REPLACE "${from}" "${to}" text "${text}")
  endwhile()
  set(${var} "${text}" PARENT_SCOPE)
endfunction()

# Configure again when a source of the generated files changes.
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/config/campusdesk.toml
  ${PROJECT_SOURCE_DIR}/packaging/debian/changelog)

# The installed config: the data in /var/lib/campusdesk, the holidays from the package, the lists from the admin.
file(READ ${PROJECT_SOURCE_DIR}/config/campusdesk.toml toml)
campusdesk_replace(toml
  "data_dir = \"data\"" "data_dir = \"/var/lib/campusdesk\""
  "# Demo data: the city replaces these with its own lists (see config/README.md)."
  "# The city's own lists, to be put into /etc/campusdesk (not part of the package: examples and their format in\n# /usr/share/doc/campusdesk/examples). check-config names each one that is missing."
  "holidays = \"calendar/nw.toml\"" "holidays = \"/usr/share/campusdesk/calendar/nw.toml\""
  "trusted_proxies = []"
  "# The package's setup: nginx on this machine (/usr/share/doc/campusdesk/examples/nginx-campusdesk.conf).\ntrusted_proxies = [\"127.0.0.1\"]")
file(WRITE ${PKG_STAGE}/campusdesk.toml "${toml}")

# The units: the checkout's paths become the package's.
foreach(unit campusdesk.service campusdesk-export-sla.service campusdesk-export-sla.timer campusdesk-backup.service
             campusdesk-backup.timer)
  file(READ ${PROJECT_SOURCE_DIR}/config/systemd/${unit} text)
  set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS ${PROJECT_SOURCE_DIR}/config/systemd/${unit})
  string(FIND "${text}" "ExecStart" has_exec)
  if(NOT has_exec EQUAL -1)
    campusdesk_replace(text "/opt/campusdesk/build/campusdesk" "/usr/bin/campusdesk"
                            "/opt/campusdesk/config/campusdesk.toml" "/etc/campusdesk/campusdesk.toml")
  endif()
  file(WRITE ${PKG_STAGE}/${unit} "${text}")
  install(FILES ${PKG_STAGE}/${unit} DESTINATION /lib/systemd/system)
endforeach()

configure_file(${PROJECT_SOURCE_DIR}/packaging/debian/changelog ${PKG_STAGE}/changelog @ONLY)
execute_process(COMMAND gzip -9nc ${PKG_STAGE}/changelog OUTPUT_FILE ${PKG_STAGE}/changelog.gz COMMAND_ERROR_IS_FATAL ANY)

# Debian's hardening asks for immediate binding (a read-only GOT from the start); only a link flag.
target_link_options(campusdesk PRIVATE -Wl,-z,relro,-z,now)
install(TARGETS campusdesk RUNTIME DESTINATION ${CMAKE_INSTALL_BINDIR})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/templates DESTINATION ${PKG_SHARE})
install(DIRECTORY ${PROJECT_SOURCE_DIR}/config/calendar DESTINATION ${PKG_SHARE} FILES_MATCHING PATTERN "*.toml")
install(FILES ${PKG_STAGE}/campusdesk.toml DESTINATION /etc/campusdesk)
install(FILES ${PROJECT_SOURCE_DIR}/config/schools.csv ${PROJECT_SOURCE_DIR}/config/managers.csv
  DESTINATION ${PKG_DOC}/examples)
install(FILES ${PROJECT_SOURCE_DIR}/config/README.md DESTINATION ${PKG_DOC}/examples RENAME lists.md)
install(FILES ${PROJECT_SOURCE_DIR}/config/nginx/campusdesk.conf DESTINATION ${PKG_DOC}/examples
  RENAME nginx-campusdesk.conf)
install(FILES ${PROJECT_SOURCE_DIR}/docs/install.md ${PROJECT_SOURCE_DIR}/packaging/debian/copyright
  ${PKG_STAGE}/changelog.gz DESTINATION ${PKG_DOC})

set(CPACK_GENERATOR DEB)
set(CPACK_PACKAGE_NAME campusdesk)
set(CPACK_PACKAGE_VERSION ${PROJECT_VERSION})
set(CPACK_PACKAGING_INSTALL_PREFIX /usr)
set(CPACK_DEBIAN_FILE_NAME DEB-DEFAULT)
set(CPACK_PACKAGE_CONTACT "campusdesk maintainers <maintainers@campusdesk.invalid>")
set(CPACK_DEBIAN_PACKAGE_SECTION web)
set(CPACK_DEBIAN_PACKAGE_PRIORITY optional)
set(CPACK_DEBIAN_PACKAGE_HOMEPAGE "https://campusdesk.invalid/")
set(CPACK_PACKAGE_DESCRIPTION_SUMMARY "helpdesk for a city's school IT")
# The synopsis is the line above; this is the extended description below it.
set(CPACK_DEBIAN_PACKAGE_DESCRIPTION "Teachers report IT problems of their schools; campus managers and the
dispatchers of the city's help desk work them under service-level targets
counted in business time. A web server with a SQLite database, run as a
systemd service behind a reverse proxy.")
# The libraries' packages come from dpkg-shlibdeps; the rest is read at run time.
set(CPACK_DEBIAN_PACKAGE_SHLIBDEPS ON)
# adduser: postinst; cracklib-runtime: the dictionary of the password check; tzdata: the business calendar.
set(CPACK_DEBIAN_PACKAGE_DEPENDS "adduser, cracklib-runtime, tzdata")
set(CPACK_DEBIAN_PACKAGE_CONTROL_EXTRA ${PROJECT_SOURCE_DIR}/packaging/debian/conffiles
  ${PROJECT_SOURCE_DIR}/packaging/debian/postinst ${PROJECT_SOURCE_DIR}/packaging/debian/prerm
  ${PROJECT_SOURCE_DIR}/packaging/debian/postrm)
set(CPACK_DEBIAN_PACKAGE_CONTROL_STRICT_PERMISSION ON)
set(CPACK_STRIP_FILES ON)
set(CPACK_THREADS 2)
include(CPack)
