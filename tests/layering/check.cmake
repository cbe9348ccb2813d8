# The layering rule of the README: core/ is the pure domain, storage/ sits on core/, server/ on both. So
#   core/    may include only core/,
#   storage/ may include only core/ and storage/,
#   server/  may include all three.
# The project root is on every target's include path, so the compiler alone would accept a core/ file that
# includes "storage/..."; this script refuses it. It runs before campusdesk_core is built (CMakeLists.txt, target
# layering_check: a wrong-way include fails the build) and as the ctest `layering`; tests/layering/selftest.cmake
# shows that it catches each kind of wrong include.
#
# Usage: cmake -DROOT=<source tree> -P tests/layering/check.cmake
# Every #include "..." and #include <...> of every file under core/ and storage/ (subfolders too) is resolved:
# a path that begins with core/, storage/ or server/ names that layer; any other path is taken relative to the
# including file ("../storage/x.hpp", "x.hpp"), and if it lands in one of the three folders, that is its layer.
# System and library headers land nowhere and are allowed.
cmake_minimum_required(VERSION 3.25)
if(NOT ROOT)
  message(FATAL_ERROR "usage: cmake -DROOT=<source tree> -P check.cmake")
endif()
get_filename_component(ROOT "${ROOT}" ABSOLUTE)
set(allowed_core core)
set(allowed_storage core storage)
set(violations "")
set(checked 0)
foreach(layer core storage)
  file(GLOB_RECURSE files LIST_DIRECTORIES false "${ROOT}/${layer}/*")
  list(SORT files)
  foreach(file IN LISTS files)
    if(NOT file MATCHES "\\.(h|hh|hpp|hxx|c|cc|cpp|cxx|ipp|inl|tpp)$")
      continue()
    endif()
    math(EXPR checked "${checked} + 1")
    file(STRINGS "${file}" lines REGEX "^[ \t]*#[ \t]*include[ \t]*[\"<]")
    get_filename_component(dir "${file}" DIRECTORY)
    file(RELATIVE_PATH shown "${ROOT}" "${file}")
    foreach(line IN LISTS lines)
      if(NOT line MATCHES "#[ \t]*include[ \t]*[\"<]([^\">]+)[\">]")
        continue()
      endif()
      set(included "${CMAKE_MATCH_1}")
      set(target "")
      if(included MATCHES "^(core|storage|server)/")
        set(target "${CMAKE_MATCH_1}")
      else()
        get_filename_component(resolved "${dir}/${included}" ABSOLUTE)
        file(RELATIVE_PATH relative "${ROOT}" "${resolved}")
        if(relative MATCHES "^(core|storage|server)/")
          set(target "${CMAKE_MATCH_1}")
        endif()
      endif()
      if(target AND NOT target IN_LIST allowed_${layer})
        string(JOIN "/, " may ${allowed_${layer}})
        list(APPEND violations "  ${shown}: #include \"${included}\" points to ${target}/ (${layer}/ may include only ${may}/)")
      endif()
    endforeach()
  endforeach()
endforeach()
if(checked EQUAL 0)
  message(FATAL_ERROR "layering: no source files under ${ROOT}/core or ${ROOT}/storage")
endif()
if(violations)
  list(LENGTH violations count)
  string(JOIN "\n" text ${violations})
  message(FATAL_ERROR "layering: ${count} include(s) point the wrong way (core <- storage <- server):\n${text}\n")
endif()
message(STATUS "layering: ${checked} files of core/ and storage/ include nothing of a layer above them")
