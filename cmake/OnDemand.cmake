# Code that the `qualsig` command loads on demand from a module next to it, and that every other
# program links directly (src/core/module.h; docs/decisions.md, "qpdf and xmlsec are in modules
# loaded on demand").
#
# qualsig_on_demand(PART BASE PROPERTY PROP SOURCES src... ENTRY entry.cpp LOADER loader.cpp
#                   LIBS lib... EXTERNAL lib... [COMPILE_DEFINITIONS def...])
# makes, from SOURCES (which must not also be in BASE):
#   PART_objects  the objects, position-independent, with ENTRY (the module's extern "C" table);
#   PART          a static library of them, for programs that link the code directly;
#   PART_loader   LOADER: the same functions, calling the module's table;
# and lets every executable that links BASE get PART_loader if it has the target property PROP,
# PART otherwise. LIBS are our libraries the sources (and the loader) need; EXTERNAL the others
# (qpdf, xmlsec), which the loader must not bring in. The module itself is qualsig_module().
function(qualsig_on_demand part base)
  cmake_parse_arguments(P "" "PROPERTY;ENTRY;LOADER" "SOURCES;LIBS;EXTERNAL;COMPILE_DEFINITIONS" ${ARGN})
  add_library(${part}_objects OBJECT ${P_SOURCES} ${P_ENTRY})
  set_target_properties(${part}_objects PROPERTIES POSITION_INDEPENDENT_CODE ON)
  target_link_libraries(${part}_objects PUBLIC ${P_LIBS} ${P_EXTERNAL})
  target_compile_definitions(${part}_objects PRIVATE ${P_COMPILE_DEFINITIONS})
  add_library(${part} STATIC $<TARGET_OBJECTS:${part}_objects>)
  target_link_libraries(${part} PUBLIC ${base} ${P_LIBS} PRIVATE ${P_EXTERNAL})
  add_library(${part}_loader STATIC ${P_LOADER})
  target_link_libraries(${part}_loader PUBLIC ${P_LIBS})
  target_link_libraries(${base} INTERFACE "$<IF:$<BOOL:$<TARGET_PROPERTY:${P_PROPERTY}>>,${part}_loader,${part}>")
endfunction()

# qualsig_module(TARGET FILE_NAME PARTS part... LIBS lib...): the module FILE_NAME (e.g.
# libqualsig-pdf.so, in the build directory next to `qualsig`) from the objects of PARTS, linked
# with LIBS only: everything of ours comes from the executable that loads it, which exports its
# symbols. -Bsymbolic-functions keeps the module's calls to its own functions inside it, away
# from the loader's functions of the same names in the executable.
function(qualsig_module target file_name)
  cmake_parse_arguments(M "" "" "PARTS;LIBS" ${ARGN})
  set(objects)
  foreach(part ${M_PARTS})
    list(APPEND objects $<TARGET_OBJECTS:${part}_objects>)
  endforeach()
  add_library(${target} MODULE ${objects})
  target_link_libraries(${target} PRIVATE ${M_LIBS})
  target_link_options(${target} PRIVATE -Wl,-Bsymbolic-functions)
  string(REGEX REPLACE "^lib(.*)\\.so$" "\\1" output_name "${file_name}")
  set_target_properties(${target} PROPERTIES OUTPUT_NAME ${output_name} LIBRARY_OUTPUT_DIRECTORY ${CMAKE_BINARY_DIR})
endfunction()
