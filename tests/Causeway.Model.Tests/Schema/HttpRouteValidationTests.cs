using System.Text.Json.Nodes;
using static Causeway.Model.Tests.Schema.SchemaTestHelpers;

namespace Causeway.Model.Tests.Schema;

public class HttpRouteValidationTests
{
    private static JsonObject Route(string rules, string extraSpec = "") => Yaml($$"""
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata:
          name: r
          namespace: default
        spec:
          parentRefs:
          - name: gw
          {{extraSpec}}
          rules:
        {{rules}}
        """);

    [Fact]
    public void ValidRouteGetsDefaults()
    {
        var obj = Route("""
              - backendRefs:
                - name: svc
                  port: 80
            """);
        AssertValid(obj);
        var rule = obj["spec"]!["rules"]![0]!;
        Assert.Equal("""[{"path":{"type":"PathPrefix","value":"/"}}]""", rule["matches"]!.ToJsonString());
        var backend = rule["backendRefs"]![0]!;
        Assert.Equal(1, backend["weight"]!.GetValue<long>());
        Assert.Equal("", backend["group"]!.GetValue<string>());
        Assert.Equal("Service", backend["kind"]!.GetValue<string>());
        var parent = obj["spec"]!["parentRefs"]![0]!;
        Assert.Equal("gateway.networking.k8s.io", parent["group"]!.GetValue<string>());
        Assert.Equal("Gateway", parent["kind"]!.GetValue<string>());
    }

    [Fact]
    public void MatchWithoutPathGetsDefaultPathAndHeaderMatchTypeDefaults()
    {
        var obj = Route("""
              - matches:
                - headers:
                  - name: x-version
                    value: "2"
                backendRefs:
                - name: svc
                  port: 80
            """);
        AssertValid(obj);
        var match = obj["spec"]!["rules"]![0]!["matches"]![0]!;
        Assert.Equal("""{"type":"PathPrefix","value":"/"}""", match["path"]!.ToJsonString());
        Assert.Equal("Exact", match["headers"]![0]!["type"]!.GetValue<string>());
    }

    [Fact]
    public void ValidComplexRoute()
    {
        var obj = Route("""
              - matches:
                - path:
                    type: Exact
                    value: /login
                  method: POST
                  queryParams:
                  - name: q
                    value: v
                filters:
                - type: RequestHeaderModifier
                  requestHeaderModifier:
                    add:
                    - name: x-a
                      value: b
                - type: URLRewrite
                  urlRewrite:
                    hostname: example.org
                backendRefs:
                - name: svc
                  port: 8080
                  weight: 3
                timeouts:
                  request: 10s
                  backendRequest: 5s
              - matches:
                - path:
                    type: PathPrefix
                    value: /old
                filters:
                - type: RequestRedirect
                  requestRedirect:
                    scheme: https
                    statusCode: 301
                    path:
                      type: ReplacePrefixMatch
                      replacePrefixMatch: /new
            """, "hostnames: [\"example.com\", \"*.example.net\"]");
        AssertValid(obj);
    }

    [Fact]
    public void PathValueMustStartWithSlash()
    {
        var obj = Route("""
              - matches:
                - path:
                    type: PathPrefix
                    value: foo
                backendRefs:
                - name: svc
                  port: 80
            """);
        var errors = Validate(obj);
        Assert.Contains(errors, e => e.Path == "spec.rules[0].matches[0].path" && e.Message == "Invalid value: \"object\": value must be an absolute path and start with '/' when type one of ['Exact', 'PathPrefix']");
        Assert.All(errors, e => Assert.Equal("spec.rules[0].matches[0].path", e.Path));
    }

    [Fact]
    public void RedirectAndRewriteInOneRuleIsRejected()
    {
        var obj = Route("""
              - filters:
                - type: RequestRedirect
                  requestRedirect:
                    scheme: https
                - type: URLRewrite
                  urlRewrite:
                    hostname: example.org
            """);
        AssertSingleError(obj, "spec.rules[0].filters", "May specify either httpRouteFilterRequestRedirect or httpRouteFilterRequestRewrite, but not both");
    }

    [Fact]
    public void FilterTypeWithoutItsConfigIsRejected()
    {
        var obj = Route("""
              - filters:
                - type: RequestHeaderModifier
                backendRefs:
                - name: svc
                  port: 80
            """);
        AssertSingleError(obj, "spec.rules[0].filters[0]", "filter.requestHeaderModifier must be specified for RequestHeaderModifier filter.type");
    }

    [Fact]
    public void ServiceBackendWithoutPortIsRejected()
    {
        var obj = Route("""
              - backendRefs:
                - name: svc
            """);
        AssertSingleError(obj, "spec.rules[0].backendRefs[0]", "Must have port for Service reference");
    }

    [Fact]
    public void BadHostnameIsRejectedByPattern()
    {
        var obj = Route("""
              - backendRefs:
                - name: svc
                  port: 80
            """, "hostnames: [\"Bad_Host\"]");
        var error = AssertSingleError(obj, "spec.hostnames[0]", "Invalid value: \"Bad_Host\": should match '^(\\*\\.)?[a-z0-9]");
        Assert.StartsWith("Invalid value", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void UnknownFieldIsRejected()
    {
        var obj = Route("""
              - backendRefs:
                - name: svc
                  port: 80
                  foo: bar
            """);
        AssertSingleError(obj, "spec.rules[0].backendRefs[0].foo", "unknown field \"spec.rules[0].backendRefs[0].foo\"");
    }

    [Fact]
    public void PortOutOfRangeIsRejected()
    {
        var obj = Route("""
              - backendRefs:
                - name: svc
                  port: 70000
            """);
        AssertSingleError(obj, "spec.rules[0].backendRefs[0].port", "Invalid value: 70000: should be less than or equal to 65535");
    }

    [Fact]
    public void TooManyRulesIsRejected()
    {
        var rules = string.Concat(Enumerable.Range(0, 17).Select(i => $"      - backendRefs: [{{name: svc{i}, port: 80}}]\n"));
        var obj = Route(rules);
        AssertSingleError(obj, "spec.rules", "Too many: 17: must have at most 16 items");
    }

    [Fact]
    public void WrongTypeIsRejected()
    {
        var obj = Route("""
              - backendRefs:
                - name: svc
                  port: "80"
            """);
        AssertSingleError(obj, "spec.rules[0].backendRefs[0].port", "Invalid value: \"string\": must be of type integer");
    }

    [Fact]
    public void BadEnumIsRejected()
    {
        var obj = Route("""
              - matches:
                - method: FETCH
                backendRefs:
                - name: svc
                  port: 80
            """);
        AssertSingleError(obj, "spec.rules[0].matches[0].method", "Unsupported value: \"FETCH\": supported values: \"GET\", \"HEAD\", \"POST\"");
    }

    [Fact]
    public void MissingRequiredFieldIsRejected()
    {
        var obj = Route("""
              - backendRefs:
                - port: 80
            """);
        AssertSingleError(obj, "spec.rules[0].backendRefs[0].name", "Required value");
    }

    [Fact]
    public void RedirectWithBackendRefsIsRejected()
    {
        var obj = Route("""
              - filters:
                - type: RequestRedirect
                  requestRedirect:
                    scheme: https
                backendRefs:
                - name: svc
                  port: 80
            """);
        AssertSingleError(obj, "spec.rules[0]", "RequestRedirect filter must not be used together with backendRefs");
    }

    [Fact]
    public void RedirectReplacePrefixMatchRequiresSinglePathPrefixMatch()
    {
        var obj = Route("""
              - matches:
                - path:
                    type: PathPrefix
                    value: /a
                - path:
                    type: PathPrefix
                    value: /b
                filters:
                - type: RequestRedirect
                  requestRedirect:
                    path:
                      type: ReplacePrefixMatch
                      replacePrefixMatch: /c
            """);
        AssertSingleError(obj, "spec.rules[0]", "When using RequestRedirect filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified");
    }

    [Fact]
    public void RepeatedRedirectFilterIsRejected()
    {
        var obj = Route("""
              - filters:
                - type: RequestRedirect
                  requestRedirect:
                    scheme: https
                - type: RequestRedirect
                  requestRedirect:
                    port: 8443
            """);
        AssertSingleError(obj, "spec.rules[0].filters", "RequestRedirect filter cannot be repeated");
    }

    [Fact]
    public void ReplacePrefixMatchRequiresSinglePathPrefixMatch()
    {
        var obj = Route("""
              - matches:
                - path:
                    type: Exact
                    value: /a
                filters:
                - type: URLRewrite
                  urlRewrite:
                    path:
                      type: ReplacePrefixMatch
                      replacePrefixMatch: /b
                backendRefs:
                - name: svc
                  port: 80
            """);
        AssertSingleError(obj, "spec.rules[0]", "When using URLRewrite filter with path.replacePrefixMatch, exactly one PathPrefix match must be specified");
    }

    [Fact]
    public void BackendRequestTimeoutLongerThanRequestIsRejected()
    {
        var obj = Route("""
              - backendRefs:
                - name: svc
                  port: 80
                timeouts:
                  request: 1s
                  backendRequest: 2s
            """);
        AssertSingleError(obj, "spec.rules[0].timeouts", "backendRequest timeout cannot be longer than request timeout");
    }

    [Fact]
    public void DuplicateRuleNamesAreRejected()
    {
        var obj = Route("""
              - name: a
                backendRefs: [{name: svc, port: 80}]
              - name: a
                backendRefs: [{name: svc, port: 80}]
            """);
        AssertSingleError(obj, "spec.rules", "Rule name must be unique within the route");
    }

    [Fact]
    public void V1beta1IsValidatedToo()
    {
        var obj = Route("""
              - backendRefs:
                - name: svc
                  port: 80
            """);
        obj["apiVersion"] = "gateway.networking.k8s.io/v1beta1";
        AssertValid(obj);
    }
}
