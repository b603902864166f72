using Causeway.Model.Loading;
using Causeway.Model.Snapshot;
using Causeway.Translation.Ir;
using Causeway.Translation.Status;

namespace Causeway.Translation.Tests;

/// <summary>
/// Route values the data plane cannot serve, on objects that reached the translator without the current CRD schema
/// (older CRD versions had no pattern on header values): the translator rejects the route itself, with the field.
/// </summary>
public sealed class RouteValidationTests
{
    private const string Base = """
        apiVersion: gateway.networking.k8s.io/v1
        kind: GatewayClass
        metadata: {name: eg}
        spec: {controllerName: gateway.envoyproxy.io/gatewayclass-controller}
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: Gateway
        metadata: {name: gw, namespace: test}
        spec:
          gatewayClassName: eg
          listeners:
          - {name: http, protocol: HTTP, port: 80}
        ---
        apiVersion: v1
        kind: Service
        metadata: {name: svc, namespace: test}
        spec:
          ports: [{port: 80}]
        ---
        apiVersion: gateway.networking.k8s.io/v1
        kind: HTTPRoute
        metadata: {name: good, namespace: test}
        spec:
          parentRefs: [{name: gw}]
          rules:
          - matches: [{path: {type: PathPrefix, value: /good}}]
            backendRefs: [{name: svc, port: 80}]
        ---

        """;

    private static (TranslationResult Result, RouteStatus Bad) Translate(string badRules)
    {
        var yaml = Base + "apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: bad, namespace: test}\nspec:\n  parentRefs: [{name: gw}]\n  rules:\n" + badRules;
        var load = new ManifestLoader().LoadText(yaml, "test.yaml"); // no schema: as an older CRD would let it through
        Assert.Empty(load.Errors);
        var result = Translator.Translate(ResourceSnapshot.Create(load.Objects), GoldenTests.Options);
        var bad = (RouteStatus)result.Statuses.Single(s => s.Key.Name == "bad").Status;
        return (result, bad);
    }

    private static IEnumerable<string> Paths(TranslationResult result) =>
        result.Gateways.Single().Ports.SelectMany(p => p.Listeners).SelectMany(l => l.Http!.VirtualHosts).SelectMany(v => v.Matches).Select(m => m.PathValue);

    [Theory]
    [InlineData("set", "\"a\\r\\nX-Injected: 1\"", "U+000D")]
    [InlineData("add", "\"a\\nb\"", "U+000A")]
    [InlineData("set", "\"a\\0b\"", "U+0000")]
    [InlineData("add", "\"bell\\a\"", "U+0007")]
    public void A_header_value_with_a_control_character_rejects_only_its_route(string op, string value, string character)
    {
        var (result, bad) = Translate($"""
              - matches: [{"{"}path: {"{"}type: PathPrefix, value: /bad{"}"}{"}"}]
                backendRefs:
                - name: svc
                  port: 80
                  filters:
                  - type: ResponseHeaderModifier
                    responseHeaderModifier:
                      {op}: [{"{"}name: X-A, value: {value}{"}"}]

            """);
        var accepted = bad.Parents.Single().Conditions.Single(c => c.Type == Reasons.Accepted);
        Assert.Equal("False", accepted.Status);
        Assert.Equal(Reasons.UnsupportedValue, accepted.Reason);
        Assert.StartsWith($"spec.rules[0].backendRefs[0].filters[0].responseHeaderModifier.{op}[0].value: value contains the control character {character}", accepted.Message, StringComparison.Ordinal);
        Assert.Equal(["/good"], Paths(result));
        Assert.Contains(result.Errors, e => e.StartsWith("HTTPRoute test/bad: spec.rules[0].backendRefs[0]", StringComparison.Ordinal));
    }

    [Theory]
    [InlineData("set", "{name: \"X A\", value: v}", "set[0].name")]
    [InlineData("add", "{name: \"X:A\", value: v}", "add[0].name")]
    [InlineData("remove", "\"X\\r\\nA\"", "remove[0]")]
    public void A_header_name_that_is_not_a_token_rejects_only_its_route(string op, string entry, string field)
    {
        var (result, bad) = Translate($"""
              - filters:
                - type: RequestHeaderModifier
                  requestHeaderModifier:
                    {op}: [{entry}]
                backendRefs: [{"{"}name: svc, port: 80{"}"}]

            """);
        var accepted = bad.Parents.Single().Conditions.Single(c => c.Type == Reasons.Accepted);
        Assert.Equal(("False", Reasons.UnsupportedValue), (accepted.Status, accepted.Reason));
        Assert.StartsWith($"spec.rules[0].filters[0].requestHeaderModifier.{field}: ", accepted.Message, StringComparison.Ordinal);
        Assert.Contains("is not a valid header name", accepted.Message, StringComparison.Ordinal);
        Assert.Equal(["/good"], Paths(result));
    }

    [Fact]
    public void Redirect_and_rewrite_hostnames_and_paths_that_would_corrupt_the_message_are_rejected()
    {
        var (result, bad) = Translate("""
              - filters:
                - type: RequestRedirect
                  requestRedirect: {hostname: "evil.example\r\nX: 1", path: {type: ReplaceFullPath, replaceFullPath: "/a\nb"}}
              - filters:
                - type: URLRewrite
                  urlRewrite: {hostname: "Bad_Host", path: {type: ReplacePrefixMatch, replacePrefixMatch: "/x y"}}
                backendRefs: [{name: svc, port: 80}]

            """);
        var message = bad.Parents.Single().Conditions.Single(c => c.Type == Reasons.Accepted).Message;
        Assert.Contains("spec.rules[0].filters[0].requestRedirect.hostname: ", message, StringComparison.Ordinal);
        Assert.Contains("spec.rules[0].filters[0].requestRedirect.path.replaceFullPath: path contains the character U+000A", message, StringComparison.Ordinal);
        Assert.Contains("spec.rules[1].filters[0].urlRewrite.hostname: \"Bad_Host\" is not a valid hostname", message, StringComparison.Ordinal);
        Assert.Contains("spec.rules[1].filters[0].urlRewrite.path.replacePrefixMatch: path contains the character U+0020", message, StringComparison.Ordinal);
        Assert.Equal(["/good"], Paths(result));
    }

    [Theory]
    [InlineData("/r/(a+)+$", null)]
    [InlineData("/r/[a-z]{2,5}/\\d+", null)]
    [InlineData("/r/(", "invalid regular expression")]
    [InlineData("a)|(b", "invalid regular expression")]
    [InlineData("/(x)\\1", "unsupported regular expression")]
    [InlineData("/(?<=a)b", "unsupported regular expression")]
    [InlineData("(?>a)", "unsupported regular expression")]
    public void The_translator_validates_regexes_with_what_the_data_plane_compiles(string pattern, string? problem)
    {
        var found = RouteRegex.Problem(pattern);
        if (problem is null)
        {
            Assert.Null(found);
            Assert.True(RouteRegex.FullMatch(pattern).Options.HasFlag(System.Text.RegularExpressions.RegexOptions.NonBacktracking));
        }
        else
        {
            Assert.StartsWith(problem, found, StringComparison.Ordinal);
            Assert.ThrowsAny<Exception>(() => RouteRegex.FullMatch(pattern));
        }
    }
}
