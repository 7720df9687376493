// docs/openapi.json against the server (issue 9): every route `qualsig serve` registers is
// described and every described operation is routed; the document passes an independent
// OpenAPI validator (tests/server/check_openapi.py: openapi_spec_validator plus standard-library
// structural checks); GET /openapi.json over HTTPS serves exactly the repository file.

#include <gtest/gtest.h>

#include <csignal>
#include <fstream>
#include <iterator>
#include <set>
#include <sstream>

#include <boost/beast/http/field.hpp>
#include <nlohmann/json.hpp>

#include "server/openapi_route.h"
#include "server/service_routes.h"
#include "service/init.h"
#include "support/run_command.h"
#include "support/temp_dir.h"
#include "test_client.h"

namespace qualsig::server {
namespace {

namespace http = boost::beast::http;
using qualsig::testing::TempDir;

const char* const kDocumentPath = QUALSIG_SOURCE_DIR "/docs/openapi.json";
const char* const kChecker = QUALSIG_SOURCE_DIR "/tests/server/check_openapi.py";

// The routes Server::create adds itself (server.cpp): /healthz and /readyz always, /metrics
// when ServerOptions::metrics is set, which make_server always does. No accessor lists them;
// BuiltInsAreServed below checks each against a running server.
const std::set<std::string> kBuiltIns = {"GET /healthz", "GET /readyz", "GET /metrics"};

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
}

// "METHOD /path" for each operation of the document; a path whose last segment is one
// template parameter ("/ocsp/{request}") stands for the router's prefix route "/ocsp/*".
std::set<std::string> documented_operations(const nlohmann::json& doc) {
  static const std::set<std::string> kMethods = {"get", "put", "post", "delete", "options", "head", "patch", "trace"};
  std::set<std::string> out;
  for (const auto& [path, item] : doc.at("paths").items()) {
    std::string route = path;
    auto slash = route.rfind('/');
    if (route.size() > slash + 2 && route[slash + 1] == '{' && route.back() == '}' &&
        route.find('{') == slash + 1)
      route = route.substr(0, slash + 1) + "*";
    for (const auto& [method, op] : item.items()) {
      if (!kMethods.contains(method)) continue;
      std::string upper = method;
      for (auto& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      out.insert(upper + " " + route);
    }
  }
  return out;
}

std::set<std::string> served_operations(const Router& router) {
  std::set<std::string> out = kBuiltIns;
  for (const auto& [method, path] : router.routes()) out.insert(method + " " + path);
  return out;
}

// Human-readable difference; empty when the two sets agree.
std::string difference(const std::set<std::string>& served, const std::set<std::string>& documented) {
  std::ostringstream out;
  for (const auto& r : served)
    if (!documented.contains(r)) out << "routed but not in docs/openapi.json: " << r << "\n";
  for (const auto& r : documented)
    if (!served.contains(r)) out << "in docs/openapi.json but not routed: " << r << "\n";
  return out.str();
}

class OpenApiTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    std::signal(SIGPIPE, SIG_IGN);
    s_dir = new TempDir();
    service::InitOptions o;
    o.data_dir = s_dir->path() / "data";
    o.now = *parse_rfc3339("2026-11-25T12:00:00Z");
    auto init = service::initialize(o);
    ASSERT_TRUE(init) << init.error().message;
    auto svc = service::TrustService::open(o.data_dir);
    ASSERT_TRUE(svc) << svc.error().message;
    s_service = svc->release();
  }
  static void TearDownTestSuite() {
    delete s_service;
    delete s_dir;
    s_service = nullptr;
    s_dir = nullptr;
  }

  // The router exactly as make_server assembles it (make_server itself also needs the TLS
  // key from the token and binds the listeners; the routes come from add_service_routes only).
  static Router service_router() {
    Router router;
    add_service_routes(router, *s_service);
    return router;
  }

  static nlohmann::json document() {
    auto doc = nlohmann::json::parse(read_file(kDocumentPath), nullptr, false);
    EXPECT_TRUE(doc.is_object()) << kDocumentPath << " is not a JSON object";
    return doc;
  }

  static inline TempDir* s_dir = nullptr;
  static inline service::TrustService* s_service = nullptr;
};

TEST_F(OpenApiTest, EveryRouteIsDocumentedAndEveryOperationRouted) {
  ASSERT_NE(s_service, nullptr);
  auto router = service_router();
  auto served = served_operations(router);
  auto documented = documented_operations(document());
  EXPECT_EQ(difference(served, documented), "");
  // Sanity: the comparison saw the whole API, not two empty sets.
  EXPECT_GE(served.size(), 40u);
  EXPECT_TRUE(served.contains("GET /ocsp/*"));
  EXPECT_TRUE(served.contains("GET /openapi.json"));
  EXPECT_TRUE(served.contains("POST /csc/v2/signatures/signHash"));
}

TEST_F(OpenApiTest, DriftInEitherDirectionIsReported) {
  ASSERT_NE(s_service, nullptr);
  auto router = service_router();
  router.add("POST", "/api/v1/undocumented", [](const Request&) -> Result<Response> { return json(200, {}); });
  auto doc = document();
  doc["paths"].erase("/csc/v2/credentials/info");
  auto report = difference(served_operations(router), documented_operations(doc));
  EXPECT_NE(report.find("routed but not in docs/openapi.json: POST /api/v1/undocumented"), std::string::npos) << report;
  EXPECT_NE(report.find("routed but not in docs/openapi.json: POST /csc/v2/credentials/info"), std::string::npos) << report;

  // An operation without a route: a method the router does not serve on a routed path.
  doc = document();
  doc["paths"]["/tsa"]["get"] = doc["paths"]["/tsa"]["post"];
  report = difference(served_operations(service_router()), documented_operations(doc));
  EXPECT_EQ(report, "in docs/openapi.json but not routed: GET /tsa\n");
}

TEST(OpenApiRouter, RoutesListsExactAndPrefixRoutes) {
  Router router;
  auto h = [](const Request&) -> Result<Response> { return json(200, {}); };
  router.add("POST", "/b", h);
  router.add("GET", "/b", h, Listener::both);
  router.add("GET", "/a/*", h);
  const std::vector<std::pair<std::string, std::string>> expected = {{"GET", "/a/*"}, {"GET", "/b"}, {"POST", "/b"}};
  EXPECT_EQ(router.routes(), expected);
  EXPECT_TRUE(Router{}.routes().empty());
}

TEST(OpenApiDocument, PassesTheIndependentValidator) {
  // The official OpenAPI 3.1 JSON schema, applied by @seriousme/openapi-schema-validator (npm,
  // pinned in tests/interop/package.json, installed by scripts/install-deps).
  auto node = qualsig::testing::run(std::string("node " QUALSIG_SOURCE_DIR "/tests/interop/openapi_validate.mjs ") + kDocumentPath);
  EXPECT_EQ(node.status, 0) << node.output;
  EXPECT_NE(node.output.find("valid OpenAPI 3.1"), std::string::npos) << node.output;
  TempDir dir;
  const auto broken = dir.path() / "broken.json";
  std::ofstream(broken, std::ios::binary) << R"({"openapi":"3.1.0","info":{"title":"x"},"paths":{"/a":{"get":{"responses":"no"}}}})";
  auto refused = qualsig::testing::run(std::string("node " QUALSIG_SOURCE_DIR "/tests/interop/openapi_validate.mjs ") + broken.string());
  EXPECT_NE(refused.status, 0) << refused.output;
  // The structural checks of check_openapi.py (and openapi_spec_validator where Python has it).
  auto r = qualsig::testing::run(std::string("python3 ") + kChecker + " " + kDocumentPath);
  EXPECT_EQ(r.status, 0) << r.output;
  EXPECT_EQ(r.output, "ok\n");
}

TEST(OpenApiDocument, ValidatorRejectsBrokenDocuments) {
  const auto doc = nlohmann::json::parse(read_file(kDocumentPath));
  TempDir dir;
  auto check = [&](const std::string& name, const std::string& text) {
    const auto path = dir.path() / name;
    std::ofstream(path, std::ios::binary) << text;
    return qualsig::testing::run(std::string("python3 ") + kChecker + " " + path.string());
  };
  auto dangling = doc;
  dangling["paths"]["/tsa"]["post"]["responses"]["415"] = {{"$ref", "#/components/responses/NoSuchResponse"}};
  auto r = check("dangling.json", dangling.dump());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("NoSuchResponse does not resolve"), std::string::npos) << r.output;

  auto no_responses = doc;
  no_responses["paths"]["/healthz"]["get"].erase("responses");
  r = check("no-responses.json", no_responses.dump());
  EXPECT_NE(r.status, 0);
  EXPECT_NE(r.output.find("GET /healthz: no responses"), std::string::npos) << r.output;

  auto undeclared_param = doc;
  undeclared_param["paths"]["/ocsp/{request}"]["get"].erase("parameters");
  r = check("param.json", undeclared_param.dump());
  EXPECT_NE(r.status, 0) << r.output;

  auto old_version = doc;
  old_version["openapi"] = "2.0";
  r = check("version.json", old_version.dump());
  EXPECT_NE(r.status, 0) << r.output;

  for (const auto& [name, text] : std::vector<std::pair<std::string, std::string>>{
           {"truncated.json", read_file(kDocumentPath).substr(0, 1000)}, {"empty.json", ""}, {"array.json", "[]"}}) {
    r = check(name, text);
    EXPECT_NE(r.status, 0) << name << ": " << r.output;
  }
}

TEST(OpenApiDocument, EmbeddedTextIsTheRepositoryFile) {
  const auto file = read_file(kDocumentPath);
  ASSERT_FALSE(file.empty());
  EXPECT_TRUE(openapi_document() == file);
}

TEST(OpenApiServer, GetOpenApiJsonServesTheFileOverHttpsOnly) {
  std::signal(SIGPIPE, SIG_IGN);
  Router router;
  add_openapi_route(router);
  auto options = test::test_options();
  options.metrics = std::make_shared<Metrics>();
  auto server = test::start_server(std::move(router), options);
  ASSERT_NE(server, nullptr);
  const auto file = read_file(kDocumentPath);

  auto tls = test::open_client(server->https_port(), true);
  ASSERT_NE(tls, nullptr);
  auto r = tls->request("GET", "/openapi.json");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->result_int(), 200u);
  EXPECT_EQ((*r)[http::field::content_type], "application/json");
  EXPECT_EQ(r->body().size(), file.size());
  EXPECT_TRUE(r->body() == file);
  EXPECT_TRUE(nlohmann::json::parse(r->body(), nullptr, false).is_object());

  // The built-ins the coverage test assumes are really served by Server itself.
  for (const auto& op : kBuiltIns) {
    const auto path = op.substr(op.find(' ') + 1);
    auto b = tls->request("GET", path);
    ASSERT_TRUE(b) << path;
    EXPECT_EQ(b->result_int(), 200u) << path;
  }

  auto plain = test::open_client(server->http_port(), false);
  ASSERT_NE(plain, nullptr);
  auto p = plain->request("GET", "/openapi.json");
  ASSERT_TRUE(p);
  EXPECT_EQ(p->result_int(), 404u);
}

}  // namespace
}  // namespace qualsig::server
