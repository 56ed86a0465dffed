# ent_gateway_oidc: OpenID Connect sign-in and JWT bearer verification
# (jwt.c, oidc.c), a library of its own so that it builds and is tested
# before the gateway daemon links it.  Included from services/CMakeLists.txt.
set(GW_OIDC_DIR ${CMAKE_CURRENT_LIST_DIR})
add_library(ent_gateway_oidc STATIC ${GW_OIDC_DIR}/jwt.c ${GW_OIDC_DIR}/oidc.c)
target_include_directories(ent_gateway_oidc PUBLIC ${GW_OIDC_DIR})
target_link_libraries(ent_gateway_oidc PUBLIC entretiens_common PkgConfig::CURL
  PkgConfig::CRYPTO PkgConfig::JANSSON)
