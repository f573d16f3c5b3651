# Install rules: headers, the shared library, a CMake package and a pkg-config file.
include(CMakePackageConfigHelpers)

set(LMC_INSTALL_CMAKEDIR "${CMAKE_INSTALL_LIBDIR}/cmake/lmc" CACHE STRING
    "Where lmcConfig.cmake is installed")

install(TARGETS lmc EXPORT lmcTargets
  LIBRARY DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  ARCHIVE DESTINATION "${CMAKE_INSTALL_LIBDIR}"
  RUNTIME DESTINATION "${CMAKE_INSTALL_BINDIR}"
  INCLUDES DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(DIRECTORY "${PROJECT_SOURCE_DIR}/include/lmc" DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")
install(DIRECTORY "${PROJECT_BINARY_DIR}/generated/include/lmc"
        DESTINATION "${CMAKE_INSTALL_INCLUDEDIR}")

install(EXPORT lmcTargets NAMESPACE lmc:: DESTINATION "${LMC_INSTALL_CMAKEDIR}")
configure_package_config_file("${PROJECT_SOURCE_DIR}/cmake/lmcConfig.cmake.in"
  "${PROJECT_BINARY_DIR}/lmcConfig.cmake" INSTALL_DESTINATION "${LMC_INSTALL_CMAKEDIR}")
write_basic_package_version_file("${PROJECT_BINARY_DIR}/lmcConfigVersion.cmake"
  COMPATIBILITY SameMinorVersion)
install(FILES "${PROJECT_BINARY_DIR}/lmcConfig.cmake" "${PROJECT_BINARY_DIR}/lmcConfigVersion.cmake"
        DESTINATION "${LMC_INSTALL_CMAKEDIR}")

# pkg-config: paths are relative to the prefix the .pc file finds itself under.
file(RELATIVE_PATH lmc_pc_prefix_rel "/prefix/${CMAKE_INSTALL_LIBDIR}/pkgconfig" "/prefix")
file(RELATIVE_PATH lmc_pc_libdir_rel "/prefix" "/prefix/${CMAKE_INSTALL_LIBDIR}")
file(RELATIVE_PATH lmc_pc_includedir_rel "/prefix" "/prefix/${CMAKE_INSTALL_INCLUDEDIR}")
# A static liblmc.a needs its dependencies on the consumer's link line (pkg-config --static).
if(LMC_LIBRARY_TYPE STREQUAL "STATIC")
  set(lmc_pc_private "Requires.private: fmt zlib libzstd liblzma libpcre2-8\nLibs.private: -pthread\n")
else()
  set(lmc_pc_private "")
endif()
configure_file("${PROJECT_SOURCE_DIR}/cmake/lmc.pc.in" "${PROJECT_BINARY_DIR}/lmc.pc" @ONLY)
install(FILES "${PROJECT_BINARY_DIR}/lmc.pc" DESTINATION "${CMAKE_INSTALL_LIBDIR}/pkgconfig")
