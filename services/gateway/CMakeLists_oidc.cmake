# ent_gateway_oidc: OpenID Connect sign-in and JWT bearer verification
# (jwt.c, oidc.c), a library of its own so that it builds and is tested
# before the gateway daemon links it.  Included from services/CMakeLists.txt.
set(GW_OIDC_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(ent_gateway_oidc STATIC ${GW_OIDC_DIR}/jwt.c ${GW_OIDC_DIR}/oidc.c)
target_include_directories(ent_gateway_oidc PUBLIC ${GW_OIDC_DIR})
target_link_libraries(ent_gateway_oidc PUBLIC entretiens_common PkgConfig::CURL
  PkgConfig::CRYPTO PkgConfig::JANSSON)

# When the gateway daemon's gateway_core (every services/gateway/*.c) exists,
# these two files belong to this library only: compiled once, linked through it.
if(TARGET gateway_core)
  get_target_property(gw_core_srcs gateway_core SOURCES)
  list(REMOVE_ITEM gw_core_srcs ${GW_OIDC_DIR}/jwt.c ${GW_OIDC_DIR}/oidc.c)
  set_property(TARGET gateway_core PROPERTY SOURCES ${gw_core_srcs})
  target_link_libraries(gateway_core PUBLIC ent_gateway_oidc)
endif()
