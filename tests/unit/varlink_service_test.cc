// Tests of the Varlink parameter helpers, org.varlink.service answers, the
// control protocol table, and a deterministic random-input run of the
// framer and parser. Pure: no sockets, no clock.
#include <catch2/catch.hpp>
#include <random>
#include <string>
#include <vector>

#include "control/control_protocol.h"
#include "control/varlink.h"
#include "status_printers.h"

namespace retention::varlink_service_test {
namespace {

using nlohmann::json;

Request Call(std::string method, json params = json::object()) {
  Request r;
  r.method = method;
  r.interface = method.substr(0, method.rfind('.'));
  r.member = method.substr(method.rfind('.') + 1);
  r.parameters = std::move(params);
  return r;
}

json Unframe(const std::string& framed) {
  REQUIRE(!framed.empty());
  REQUIRE(framed.back() == '\0');
  return json::parse(framed.substr(0, framed.size() - 1));
}

TEST_CASE("parameter helpers read given, absent and null parameters",
          "[varlink]") {
  Request r =
      Call("io.retentiond.Manager.RunPolicy",
           {{"name", "logs.app"}, {"dry_run", true}, {"since", nullptr}});
  CHECK(*StringParam(r, "name", true) == "logs.app");
  CHECK(*BoolParam(r, "dry_run", false) == true);
  CHECK(*StringParam(r, "since", false, "30d") == "30d");
  CHECK(*StringParam(r, "format", false) == "");
  CHECK(*BoolParam(r, "absent", false, true) == true);
  CHECK(RejectUnknownParams(r, {"name", "dry_run", "since"}).ok());
  CHECK_FALSE(FindUnknownParam(r, {"name", "dry_run", "since"}));
}

TEST_CASE("parameter helper errors name the parameter", "[varlink]") {
  Request r = Call("io.retentiond.Manager.RunPolicy",
                   {{"name", 7}, {"dry_run", "yes"}, {"colour", "red"}});
  struct Case {
    Status status;
    std::string message;
  };
  const Case cases[] = {
      {StringParam(r, "name", true).status(),
       "parameter 'name' must be a string, not number"},
      {BoolParam(r, "dry_run", false).status(),
       "parameter 'dry_run' must be a boolean, not string"},
      {StringParam(r, "missing", true).status(),
       "parameter 'missing' is required"},
      {BoolParam(r, "flag", true).status(), "parameter 'flag' is required"},
      {RejectUnknownParams(r, {"name", "dry_run"}),
       "unknown parameter 'colour'"},
  };
  for (const Case& c : cases) {
    CHECK(c.status.code() == Status::Code::kInvalidArgument);
    CHECK(c.status.message() == c.message);
  }
  CHECK(FindUnknownParam(r, {"name", "dry_run"}) ==
        std::optional<std::string>("colour"));
  CHECK(Unframe(EncodeInvalidParameter("name", cases[0].status)) ==
        json{{"error", "io.retentiond.Manager.InvalidParameter"},
             {"parameters",
              {{"parameter", "name"},
               {"reason", "parameter 'name' must be a string, not number"}}}});
}

TEST_CASE("GetInfo names the vendor, version and both interfaces",
          "[varlink]") {
  auto reply =
      DispatchServiceInterface(Call("org.varlink.service.GetInfo"), "1.2.3");
  REQUIRE(reply);
  json params = Unframe(*reply)["parameters"];
  CHECK(params["vendor"] == "retentiond");
  CHECK(params["product"] == "retentiond");
  CHECK(params["version"] == "1.2.3");
  CHECK(params["url"].is_string());
  CHECK(params["interfaces"] ==
        json{"org.varlink.service", "io.retentiond.Manager"});
}

TEST_CASE("GetInterfaceDescription returns the interface text", "[varlink]") {
  const std::string method = "org.varlink.service.GetInterfaceDescription";
  auto reply = DispatchServiceInterface(
      Call(method, {{"interface", "io.retentiond.Manager"}}), "1");
  REQUIRE(reply);
  CHECK(Unframe(*reply) ==
        json{{"parameters", {{"description", kManagerInterface}}}});
  reply = DispatchServiceInterface(
      Call(method, {{"interface", "org.varlink.service"}}), "1");
  REQUIRE(reply);
  CHECK(Unframe(*reply)["parameters"]["description"] == kServiceInterface);
}

TEST_CASE("GetInterfaceDescription refuses unknown and missing interfaces",
          "[varlink]") {
  const std::string method = "org.varlink.service.GetInterfaceDescription";
  auto reply = DispatchServiceInterface(
      Call(method, {{"interface", "com.example.Nope"}}), "1");
  REQUIRE(reply);
  CHECK(Unframe(*reply) ==
        json{{"error", "org.varlink.service.InterfaceNotFound"},
             {"parameters", {{"interface", "com.example.Nope"}}}});
  reply = DispatchServiceInterface(Call(method, {{"interface", 1}}), "1");
  REQUIRE(reply);
  CHECK(Unframe(*reply) ==
        json{{"error", "org.varlink.service.InvalidParameter"},
             {"parameters", {{"parameter", "interface"}}}});
}

TEST_CASE("the service interface leaves other interfaces to the caller",
          "[varlink]") {
  CHECK_FALSE(
      DispatchServiceInterface(Call("io.retentiond.Manager.Status"), "1"));
  auto reply =
      DispatchServiceInterface(Call("org.varlink.service.Frobnicate"), "1");
  REQUIRE(reply);
  CHECK(Unframe(*reply)["error"] == "org.varlink.service.MethodNotFound");
  CHECK(Unframe(EncodeUnknownMethod(Call("io.retentiond.Manager.Nope"))) ==
        json{{"error", "org.varlink.service.MethodNotFound"},
             {"parameters", {{"method", "io.retentiond.Manager.Nope"}}}});
  CHECK(Unframe(EncodeUnknownMethod(Call("com.example.X.Y"))) ==
        json{{"error", "org.varlink.service.InterfaceNotFound"},
             {"parameters", {{"interface", "com.example.X"}}}});
}

TEST_CASE("only run, reload and confirm change state", "[varlink]") {
  CHECK(ChangesState(kMethodRunPolicy));
  CHECK(ChangesState(kMethodReload));
  CHECK(ChangesState(kMethodConfirmClock));
  for (auto method : {kMethodStatus, kMethodListPolicies, kMethodReport,
                      kMethodVerifyLedger, kMethodMetrics}) {
    CHECK_FALSE(ChangesState(method));
  }
  CHECK_FALSE(ChangesState("io.retentiond.Manager.Nope"));
  CHECK(FindManagerMethod(kMethodMetrics) != nullptr);
  CHECK(FindManagerMethod("org.varlink.service.GetInfo") == nullptr);
}

TEST_CASE("the interface text declares every method and error", "[varlink]") {
  const std::string text(kManagerInterface);
  CHECK(text.find("\ninterface io.retentiond.Manager\n") != std::string::npos);
  for (const MethodSpec& spec : kManagerMethods) {
    std::string member(spec.name.substr(spec.name.rfind('.') + 1));
    INFO(member);
    CHECK(IsValidMethodName(spec.name));
    CHECK(text.find("\nmethod " + member + "(") != std::string::npos);
  }
  for (auto error : {kErrorNoSuchPolicy, kErrorPermissionDenied,
                     kErrorInvalidParameter, kErrorInvalidMessage,
                     kErrorConfigInvalid, kErrorBusy, kErrorInternal}) {
    std::string member(error.substr(error.rfind('.') + 1));
    INFO(member);
    CHECK(error.substr(0, error.rfind('.')) == kManagerInterfaceName);
    CHECK(text.find("\nerror " + member + " (") != std::string::npos);
  }
  CHECK(text.find("RunPolicy(name: string, dry_run: ?bool)") !=
        std::string::npos);
  CHECK(text.find("Report(since: ?string, format: ?string)") !=
        std::string::npos);
}

// A valid call with some bytes flipped, cut or duplicated.
std::string Mutate(std::mt19937& rng, std::string text) {
  std::uniform_int_distribution<int> op(0, 3);
  int edits = 1 + static_cast<int>(rng() % 4);
  for (int i = 0; i < edits && !text.empty(); ++i) {
    size_t at = rng() % text.size();
    switch (op(rng)) {
      case 0:
        text[at] = static_cast<char>(rng());
        break;
      case 1:
        text.erase(at, 1 + rng() % 8);
        break;
      case 2:
        text.insert(at, text.substr(at, 1 + rng() % 16));
        break;
      default:
        text.insert(at, 1, "{}[]\",:\\0"[rng() % 9]);
    }
  }
  return text;
}

std::string RandomBytes(std::mt19937& rng) {
  std::string bytes(rng() % 64, '\0');
  for (char& c : bytes) c = static_cast<char>(rng());
  return bytes;
}

TEST_CASE("random inputs never crash the framer or the parser", "[varlink]") {
  const std::vector<std::string> seeds = {
      R"({"method":"io.retentiond.Manager.RunPolicy","parameters":{"name":"a","dry_run":true}})",
      R"({"method":"org.varlink.service.GetInterfaceDescription","parameters":{"interface":"io.retentiond.Manager"}})",
      R"({"method":"io.retentiond.Manager.Report","more":true,"parameters":{"since":"7d","format":"json"}})",
      R"({"method":"a.b.C","oneway":true,"parameters":{"x":[1,2.5,null,{"y":"\u00e9"}]}})",
  };
  std::mt19937 rng(20261123);
  MessageFramer framer(256);
  int parsed = 0;
  for (int i = 0; i < 20000; ++i) {
    std::string input = i % 3 == 0 ? RandomBytes(rng)
                                   : Mutate(rng, seeds[rng() % seeds.size()]);
    if (framer.failed()) framer = MessageFramer(256);
    framer.Append(input);
    if (rng() % 2 == 0) framer.Append(std::string(1, '\0'));
    while (auto message = framer.Next()) {
      auto request = ParseRequest(*message);
      if (request.ok()) {
        ++parsed;
        CHECK(request->parameters.is_object());
        CHECK(IsValidMethodName(request->method));
        (void)DispatchServiceInterface(*request, "0");
      } else {
        CHECK_FALSE(request.status().message().empty());
      }
    }
  }
  CHECK(parsed > 0);  // the mutations leave some calls valid
}

}  // namespace
}  // namespace retention::varlink_service_test
