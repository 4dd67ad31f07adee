// Tests of the Varlink framing, request parsing, encoders and parameter
// helpers. Pure: no sockets, no clock.
#include "control/varlink.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "status_printers.h"

namespace retention::varlink_test {
namespace {

using nlohmann::json;
using namespace std::string_literals;

std::vector<std::string> Drain(MessageFramer& framer) {
  std::vector<std::string> out;
  while (auto message = framer.Next()) out.push_back(*message);
  return out;
}

// The JSON of a framed message, after checking the frame ends in one NUL.
json Unframe(const std::string& framed) {
  REQUIRE(!framed.empty());
  REQUIRE(framed.back() == '\0');
  REQUIRE(framed.find('\0') == framed.size() - 1);
  return json::parse(framed.substr(0, framed.size() - 1));
}

Request MustParse(const std::string& text) {
  auto request = ParseRequest(text);
  INFO(text);
  REQUIRE(request.ok());
  return *request;
}

TEST_CASE("the framer splits one chunk holding several messages", "[varlink]") {
  MessageFramer framer;
  framer.Append("{\"a\":1}\0{\"b\":2}\0{\"c\""s);
  CHECK(Drain(framer) == std::vector<std::string>{"{\"a\":1}", "{\"b\":2}"});
  CHECK(framer.buffered() == 4);
  framer.Append(":3}\0"s);
  CHECK(Drain(framer) == std::vector<std::string>{"{\"c\":3}"});
  CHECK(framer.buffered() == 0);
  CHECK_FALSE(framer.failed());
}

TEST_CASE("the framer joins a message split across many chunks", "[varlink]") {
  const std::string message = R"({"method":"org.varlink.service.GetInfo"})";
  MessageFramer framer;
  for (size_t i = 0; i < message.size(); i += 5) {
    CHECK_FALSE(framer.Next());
    framer.Append(std::string_view(message).substr(i, 5));
  }
  CHECK_FALSE(framer.Next());
  framer.Append("\0"s);
  CHECK(Drain(framer) == std::vector<std::string>{message});
}

TEST_CASE("the framer accepts a stream fed byte by byte", "[varlink]") {
  const std::string stream = "{\"x\":1}\0{}\0[1,2]\0"s;
  MessageFramer framer;
  std::vector<std::string> got;
  for (char c : stream) {
    framer.Append(std::string_view(&c, 1));
    for (auto& m : Drain(framer)) got.push_back(m);
  }
  CHECK(got == std::vector<std::string>{"{\"x\":1}", "{}", "[1,2]"});
}

TEST_CASE("an empty message between two NULs comes out empty", "[varlink]") {
  MessageFramer framer;
  framer.Append("{}\0\0{}\0"s);
  CHECK(Drain(framer) == std::vector<std::string>{"{}", "", "{}"});
  CHECK(ParseRequest("").status().message() == "empty message");
}

TEST_CASE("an oversized pending message fails the framer", "[varlink]") {
  MessageFramer framer(10);
  framer.Append("{\"ok\":1}\0"s);
  framer.Append("0123456789");
  CHECK_FALSE(framer.failed());
  framer.Append("A");
  CHECK(framer.failed());
  // The message completed before the oversized one is still delivered.
  CHECK(Drain(framer) == std::vector<std::string>{"{\"ok\":1}"});
  framer.Append("\0{}\0"s);
  CHECK_FALSE(framer.Next());
  CHECK(framer.failed());
}

TEST_CASE("an oversized message arriving whole fails the framer", "[varlink]") {
  MessageFramer framer(4);
  framer.Append("{}\0{\"a\":1}\0{}\0"s);
  CHECK(framer.Next() == std::optional<std::string>("{}"));
  CHECK_FALSE(framer.Next());
  CHECK(framer.failed());
  CHECK_FALSE(framer.Next());
}

TEST_CASE("a message exactly at the size limit is accepted", "[varlink]") {
  const std::string message(kDefaultMaxMessageSize, 'x');
  MessageFramer framer;
  framer.Append(message);
  CHECK_FALSE(framer.failed());
  framer.Append("\0"s);
  auto got = framer.Next();
  REQUIRE(got);
  CHECK(got->size() == kDefaultMaxMessageSize);
  CHECK_FALSE(framer.failed());
}

TEST_CASE("well-formed calls parse into requests", "[varlink]") {
  Request r = MustParse(R"({"method":"io.retentiond.Manager.RunPolicy",)"
                        R"("parameters":{"name":"logs.app","dry_run":true}})");
  CHECK(r.interface == "io.retentiond.Manager");
  CHECK(r.method == "io.retentiond.Manager.RunPolicy");
  CHECK(r.member == "RunPolicy");
  CHECK(r.parameters == json{{"name", "logs.app"}, {"dry_run", true}});
  CHECK_FALSE(r.oneway);
  CHECK_FALSE(r.more);

  r = MustParse(R"({"method":"org.varlink.service.GetInfo"})");
  CHECK(r.interface == "org.varlink.service");
  CHECK(r.parameters == json::object());

  CHECK(MustParse(R"({"method":"a.b.C","oneway":true})").oneway);
  CHECK(MustParse(R"({"method":"a.b.C","more":true,"upgrade":false})").more);
  CHECK(MustParse(R"({"method":"my-org.x2.M1","parameters":{}})").member ==
        "M1");
}

TEST_CASE("malformed calls are refused with a message saying what is wrong",
          "[varlink]") {
  struct Case {
    std::string input;
    std::string message_contains;
  };
  const Case cases[] = {
      {"\xff\xfe\x01garbage", "invalid JSON"},
      {"{\"method\": ", "invalid JSON"},
      {"{\"method\":\"a.b.C\"} trailing", "invalid JSON"},
      {"{\"method\":\"a.b.\xff\"}", "invalid JSON"},
      {"[{\"method\":\"a.b.C\"}]", "message is an array, not a JSON object"},
      {"\"a.b.C\"", "message is a string, not a JSON object"},
      {"{}", "missing \"method\""},
      {"{\"method\":42}", "\"method\" must be a string, not number"},
      {"{\"method\":null}", "\"method\" must be a string, not null"},
      {"{\"method\":\"Status\"}", "has no interface"},
      {"{\"method\":\"retentiond.Status\"}", "invalid interface name"},
      {"{\"method\":\".a.Status\"}", "invalid interface name"},
      {"{\"method\":\"a..b.Status\"}", "invalid interface name"},
      {"{\"method\":\"a.-b.Status\"}", "invalid interface name"},
      {"{\"method\":\"1a.b.Status\"}", "invalid interface name"},
      {"{\"method\":\"a.b.status\"}", "expected CamelCase"},
      {"{\"method\":\"a.b.\"}", "expected CamelCase"},
      {"{\"method\":\"a.b.Get_Info\"}", "expected CamelCase"},
      {R"({"method":"a.b.C","parameters":[]})",
       "\"parameters\" must be an object, not array"},
      {R"({"method":"a.b.C","parameters":"x"})",
       "\"parameters\" must be an object, not string"},
      {R"({"method":"a.b.C","oneway":1})",
       "\"oneway\" must be a boolean, not number"},
      {R"({"method":"a.b.C","more":"yes"})",
       "\"more\" must be a boolean, not string"},
      {R"({"method":"a.b.C","upgrade":true})", "\"upgrade\" is not supported"},
      {R"({"method":"a.b.C","oneway":true,"more":true})", "exclude each other"},
      {R"({"method":"a.b.C","param":{}})", "unknown field 'param'"},
      {"{\"method\":\"a.b.C\"}\0"s, "NUL byte at offset 18"},
      {"{\"method\":\"a.b\0.C\"}"s, "NUL byte at offset 14"},
      {std::string(100, '[') + std::string(100, ']'), "deeper than 64 levels"},
  };
  for (const Case& c : cases) {
    INFO(c.input);
    auto request = ParseRequest(c.input);
    REQUIRE_FALSE(request.ok());
    CHECK(request.status().code() == Status::Code::kInvalidArgument);
    CHECK_THAT(request.status().message(),
               Catch::Matchers::Contains(c.message_contains));
  }
}

TEST_CASE("brackets inside strings do not count towards nesting", "[varlink]") {
  std::string deep_string = std::string(200, '[') + "\\\"{";
  Request r = MustParse(R"({"method":"a.b.C","parameters":{"s":")" +
                        deep_string + "\"}}");
  CHECK(r.parameters["s"] == std::string(200, '[') + "\"{");
}

TEST_CASE("method names follow the Varlink grammar", "[varlink]") {
  CHECK(IsValidMethodName("io.retentiond.Manager.Status"));
  CHECK(IsValidMethodName("org.varlink.service.GetInfo"));
  CHECK(IsValidMethodName("a-b.c.D"));
  CHECK_FALSE(IsValidMethodName("Status"));
  CHECK_FALSE(IsValidMethodName("manager.Status"));
  CHECK_FALSE(IsValidMethodName("a-.b.Status"));
  CHECK_FALSE(IsValidMethodName("a.b.Status."));
}

TEST_CASE("an encoded reply frames back into the same JSON", "[varlink]") {
  json params = {{"policies", {{{"name", "logs.app"}}}}, {"n", 3}};
  std::string framed = EncodeReply(params) + EncodeReply(params, true);
  MessageFramer framer;
  framer.Append(framed);
  auto messages = Drain(framer);
  REQUIRE(messages.size() == 2);
  CHECK(json::parse(messages[0]) == json{{"parameters", params}});
  CHECK(json::parse(messages[1]) ==
        json{{"parameters", params}, {"continues", true}});
  CHECK(Unframe(EncodeReply(nullptr)) == json{{"parameters", json::object()}});
}

TEST_CASE("an encoded error carries its name and parameters", "[varlink]") {
  CHECK(Unframe(EncodeError("io.retentiond.Manager.NoSuchPolicy",
                            {{"name", "x"}})) ==
        json{{"error", "io.retentiond.Manager.NoSuchPolicy"},
             {"parameters", {{"name", "x"}}}});
  CHECK(Unframe(EncodeError("org.varlink.service.MethodNotImplemented")) ==
        json{{"error", "org.varlink.service.MethodNotImplemented"},
             {"parameters", json::object()}});
  // Invalid UTF-8 never makes an encoder throw.
  CHECK_NOTHROW(Unframe(EncodeError("x.y.Z", {{"m", "\xff"}})));
}

TEST_CASE("a call encoded by a client parses back on the server", "[varlink]") {
  json call = {{"method", "io.retentiond.Manager.Report"},
               {"parameters", {{"since", "7d"}, {"format", "html"}}},
               {"more", true}};
  MessageFramer framer;
  framer.Append(call.dump() + '\0');
  auto message = framer.Next();
  REQUIRE(message);
  Request r = MustParse(*message);
  CHECK(r.member == "Report");
  CHECK(r.more);
  CHECK(r.parameters == call["parameters"]);
}

TEST_CASE("a client call is one framed object with method and parameters",
          "[varlink]") {
  json call = Unframe(
      EncodeCall("io.retentiond.Manager.RunPolicy", {{"name", "backups"}}));
  CHECK(call == json{{"method", "io.retentiond.Manager.RunPolicy"},
                     {"parameters", {{"name", "backups"}}}});
  CHECK(Unframe(EncodeCall("a.b.C", nullptr))["parameters"] == json::object());
  // What the client sends is what the server's parser accepts.
  std::string framed = EncodeCall("a.b.C", {{"x", 1}});
  Request request = MustParse(framed.substr(0, framed.size() - 1));
  CHECK(request.method == "a.b.C");
  CHECK(request.parameters == json{{"x", 1}});
}

TEST_CASE("replies parse into parameters or an error name", "[varlink]") {
  auto ok = ParseReply(R"({"parameters": {"policies": 3}, "x": 1})");
  REQUIRE(ok.ok());
  CHECK(ok->error.empty());
  CHECK(ok->parameters == json{{"policies", 3}});
  auto error = ParseReply(
      R"({"error": "io.retentiond.Manager.NoSuchPolicy", "parameters": {"name": "x"}})");
  REQUIRE(error.ok());
  CHECK(error->error == "io.retentiond.Manager.NoSuchPolicy");
  CHECK(error->parameters["name"] == "x");
  auto bare = ParseReply("{}");
  REQUIRE(bare.ok());
  CHECK(bare->parameters == json::object());
  CHECK(ParseReply(R"({"parameters": {}, "continues": true})")->continues);
}

TEST_CASE("malformed replies are refused, not thrown", "[varlink]") {
  for (const char* text :
       {"", "[1]", "{", R"({"error": 3})", R"({"parameters": []})",
        R"({"parameters": {}, "continues": "yes"})"}) {
    INFO(text);
    auto reply = ParseReply(text);
    REQUIRE_FALSE(reply.ok());
    CHECK(reply.status().code() == Status::Code::kInvalidArgument);
  }
  std::string deep(100, '[');
  CHECK_FALSE(ParseReply(deep).ok());
}

}  // namespace
}  // namespace retention::varlink_test

namespace retention::varlink_test {
namespace {

TEST_CASE("parameters: null is taken as no parameters", "[varlink]") {
  auto request = ParseRequest(R"({"method":"a.b.C","parameters":null})");
  REQUIRE(request.ok());
  CHECK(request->parameters == nlohmann::json::object());
}

}  // namespace
}  // namespace retention::varlink_test
