#include "http/router.h"

#include <gtest/gtest.h>

#include "http/response.h"

namespace tianbao::http {
namespace {

TEST(ParseTargetTest, DecodesPathAndQuery) {
  Request r;
  ASSERT_TRUE(parse_target("/api/orgunits?q=%E8%B5%A4%E5%9D%8E&level=3&x=a+b&flag", r).ok());
  EXPECT_EQ(r.path, "/api/orgunits");
  EXPECT_EQ(r.query_value("q"), "赤坎");
  EXPECT_EQ(r.query_value("level"), "3");
  EXPECT_EQ(r.query_value("x"), "a b");
  EXPECT_EQ(r.query_value("flag"), "");
  EXPECT_FALSE(r.query_value("missing").has_value());
}

TEST(ParseTargetTest, RepeatedParametersKeepEveryValue) {
  Request r;
  ASSERT_TRUE(parse_target("/api/analytics?dimension=dx:A&dimension=ou:44", r).ok());
  EXPECT_EQ(r.query.count("dimension"), 2u);
}

TEST(ParseTargetTest, RefusesBadInput) {
  struct Case {
    const char* target;
    const char* reason;
  };
  const Case cases[] = {
      {"/api/orgunits?q=%ff", "invalid_utf8"},
      {"/api/orgunits?q=%E8%B5", "invalid_utf8"},
      {"/api/orgunits/%zz", "bad_escape"},
      {"/api/orgunits/%4", "bad_escape"},
      {"/api/orgunits/%", "bad_escape"},
      {"/api/orgunits/a%00b", "bad_escape"},
      {"/api/%C0%AF", "invalid_utf8"},
      {"api/orgunits", "bad_path"},
      {"*", "bad_path"},
  };
  for (const Case& c : cases) {
    Request r;
    Status s = parse_target(c.target, r);
    EXPECT_EQ(s.reason(), c.reason) << c.target;
    EXPECT_EQ(http_status(s), 400u) << c.target;
  }
}

TEST(RouterTest, MatchesPatternsAndCapturesParameters) {
  Router router;
  int hit = 0;
  router.add(Method::kGet, "/api/orgunits/{code}", [&](const Request&) -> StatusOr<Response> {
    hit = 1;
    return Response{};
  });
  router.add(Method::kGet, "/api/orgunits/{code}/children",
             [&](const Request&) -> StatusOr<Response> {
               hit = 2;
               return Response{};
             });
  Request r;
  ASSERT_TRUE(parse_target("/api/orgunits/4408/children", r).ok());
  auto handler = router.find(r);
  ASSERT_TRUE(handler.ok());
  ASSERT_TRUE((**handler)(r).ok());
  EXPECT_EQ(hit, 2);
  EXPECT_EQ(r.params.at("code"), "4408");

  Request head;
  head.method = Method::kHead;
  ASSERT_TRUE(parse_target("/api/orgunits/44", head).ok());
  EXPECT_TRUE(router.find(head).ok());  // HEAD is served by GET routes

  Request post;
  post.method = Method::kPost;
  ASSERT_TRUE(parse_target("/api/orgunits/44", post).ok());
  Status not_allowed = router.find(post).status();
  EXPECT_EQ(not_allowed.code(), StatusCode::kMethodNotAllowed);
  EXPECT_EQ(http_status(not_allowed), 405u);
  EXPECT_EQ(nlohmann::json::parse(error_response(not_allowed).body)["error"]["code"],
            "method_not_allowed");

  Request unknown;
  ASSERT_TRUE(parse_target("/api/nothing/here", unknown).ok());
  EXPECT_EQ(http_status(router.find(unknown).status()), 404u);
}

TEST(ResponseTest, ErrorBodyHasCodeMessageField) {
  Response r = error_response(NotFound("单位 9 不存在", "code", "unknown_org_unit"));
  EXPECT_EQ(r.status, 404u);
  auto body = nlohmann::json::parse(r.body);
  EXPECT_EQ(body["error"]["code"], "unknown_org_unit");
  EXPECT_EQ(body["error"]["message"], "单位 9 不存在");
  EXPECT_EQ(body["error"]["field"], "code");
  Response no_field = error_response(Internal("坏了"));
  EXPECT_EQ(no_field.status, 500u);
  EXPECT_TRUE(nlohmann::json::parse(no_field.body)["error"]["field"].is_null());
}

TEST(ResponseTest, AValidationFailureListsItsViolationsBesideTheError) {
  Status failed =
      InvalidArgument("有 1 项填写有误：不是数字", "A", "validation_failed")
          .with_violations({{"A", model::Severity::kError, "not_a_number", "不是数字", ""},
                            {"B", model::Severity::kWarning, "unit_slip", "应填 5", "5"}});
  Response r = error_response(failed);
  EXPECT_EQ(r.status, 400u);
  EXPECT_EQ(
      r.body,
      R"({"error":{"code":"validation_failed","field":"A","message":"有 1 项填写有误：不是数字"},)"
      R"("violations":[{"code":"not_a_number","field":"A","message":"不是数字","severity":"error"},)"
      R"({"code":"unit_slip","field":"B","message":"应填 5","severity":"warning","suggestion":"5"}]})");
  // Without violations the body has no list at all.
  EXPECT_FALSE(nlohmann::json::parse(error_response(NotFound("x")).body).contains("violations"));
}

TEST(ResponseTest, EveryCodeMapsToAnErrorStatus) {
  for (int c = static_cast<int>(StatusCode::kInvalidArgument);
       c <= static_cast<int>(StatusCode::kInternal); ++c) {
    Status s(static_cast<StatusCode>(c), "x");
    EXPECT_GE(http_status(s), 400u) << status_code_name(s.code());
  }
}

}  // namespace
}  // namespace tianbao::http
