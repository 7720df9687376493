#pragma once
// GET /openapi.json: the OpenAPI 3.1 description of `qualsig serve` (issue 9), served as the
// exact bytes of docs/openapi.json, which CMake embeds at build time (a generated header under
// the build directory), so the served description cannot drift from the one in the repository.

#include <string_view>

#include "server/router.h"

namespace qualsig::server {

// The embedded text of docs/openapi.json; a view of static storage, valid for the life of
// the program.
std::string_view openapi_document();

// Adds GET /openapi.json (HTTPS listener only, no authentication) answering
// openapi_document() as application/json. Throws std::logic_error, like Router::add, if the
// route is already registered.
void add_openapi_route(Router& router);

}  // namespace qualsig::server
