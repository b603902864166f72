using System.Text.Json.Nodes;
using Causeway.Model.Schema;
using static Causeway.Model.Tests.Schema.SchemaTestHelpers;

namespace Causeway.Model.Tests.Schema;

/// <summary>Generic OpenAPI/structural behaviour, exercised through real Gateway API schemas.</summary>
public class StructuralValidationTests
{
    private static JsonObject RouteWithFilter(string filterJson) => Json($$$"""
        {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r","namespace":"d"},
         "spec":{"rules":[{"filters":[{{{filterJson}}}],"backendRefs":[{"name":"s","port":80}]}]}}
        """);

    [Fact]
    public void SetListDuplicatesAreRejected()
    {
        var obj = RouteWithFilter("""{"type":"RequestHeaderModifier","requestHeaderModifier":{"remove":["x-a","x-b","x-a"]}}""");
        AssertSingleError(obj, "spec.rules[0].filters[0].requestHeaderModifier.remove[2]", "Duplicate value: \"x-a\"");
    }

    [Fact]
    public void MapListDuplicatesAreRejected()
    {
        var obj = RouteWithFilter("""{"type":"RequestHeaderModifier","requestHeaderModifier":{"set":[{"name":"x-a","value":"1"},{"name":"x-a","value":"2"}]}}""");
        AssertSingleError(obj, "spec.rules[0].filters[0].requestHeaderModifier.set[1]", "Duplicate value: {\"name\":\"x-a\"}");
    }

    [Fact]
    public void CorsWildcardHeaderMustBeAlone()
    {
        var obj = RouteWithFilter("""{"type":"CORS","cors":{"allowHeaders":["*","x-a"]}}""");
        AssertSingleError(obj, "spec.rules[0].filters[0].cors.allowHeaders", "Invalid value: \"array\":");
    }

    [Fact]
    public void TooLongStringIsRejected()
    {
        var obj = Json($$$"""
            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r"},
             "spec":{"parentRefs":[{"name":"{{{new string('a', 254)}}}"}]}}
            """);
        AssertSingleError(obj, "spec.parentRefs[0].name", "must be no more than 253 characters");
    }

    [Fact]
    public void EmptyStringBelowMinLengthIsRejected()
    {
        var obj = Json("""
            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r"},
             "spec":{"parentRefs":[{"name":""}]}}
            """);
        AssertSingleError(obj, "spec.parentRefs[0].name", "Invalid value: \"\": must be at least 1 characters");
    }

    [Fact]
    public void NullOfNonNullableFieldIsPrunedOrDefaulted()
    {
        var obj = Json("""
            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r"},
             "spec":{"parentRefs":[{"name":"gw","sectionName":null,"kind":null}]}}
            """);
        AssertValid(obj);
        var parent = obj["spec"]!["parentRefs"]![0]!.AsObject();
        Assert.False(parent.ContainsKey("sectionName"));
        Assert.Equal("Gateway", parent["kind"]!.GetValue<string>());
    }

    [Fact]
    public void NullArrayItemIsATypeError()
    {
        var obj = Json("""
            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r"},
             "spec":{"hostnames":[null]}}
            """);
        AssertSingleError(obj, "spec.hostnames[0]", "Invalid value: \"null\": must be of type string");
    }

    [Fact]
    public void FractionalNumberForIntegerIsATypeError()
    {
        var obj = RouteWithFilter("""{"type":"RequestMirror","requestMirror":{"backendRef":{"name":"m","port":80},"percent":1.5}}""");
        AssertSingleError(obj, "spec.rules[0].filters[0].requestMirror.percent", "Invalid value: \"number\": must be of type integer: 1.5");
    }

    [Fact]
    public void Int32OverflowIsRejected()
    {
        var obj = RouteWithFilter("""{"type":"RequestMirror","requestMirror":{"backendRef":{"name":"m","port":80},"fraction":{"numerator":1,"denominator":4294967296}}}""");
        var errors = Validate(obj);
        Assert.Contains(errors, e => e.Path == "spec.rules[0].filters[0].requestMirror.fraction.denominator" && e.Message.Contains("must be of type int32", StringComparison.Ordinal));
    }

    [Fact]
    public void CelNumeratorRule()
    {
        var obj = RouteWithFilter("""{"type":"RequestMirror","requestMirror":{"backendRef":{"name":"m","port":80},"fraction":{"numerator":5,"denominator":4}}}""");
        AssertSingleError(obj, "spec.rules[0].filters[0].requestMirror.fraction", "numerator must be less than or equal to denominator");
    }

    [Fact]
    public void ErrorsRenderLikeKubectl()
    {
        var e = new SchemaError("spec.listeners[0].port", "Required value");
        Assert.Equal("spec.listeners[0].port: Required value", e.ToString());
    }

    [Fact]
    public void StandardChannelRejectsExperimentalFields()
    {
        var json = """
            {"apiVersion":"gateway.networking.k8s.io/v1","kind":"HTTPRoute","metadata":{"name":"r"},
             "spec":{"rules":[{"retry":{"attempts":2},"backendRefs":[{"name":"s","port":80}]}]}}
            """;
        Assert.Empty(SchemaValidator.Default.Validate(Json(json), Group, "v1", "HTTPRoute"));
        var errors = new SchemaValidator(CrdSchemaSet.Standard).Validate(Json(json), Group, "v1", "HTTPRoute");
        Assert.Equal([new SchemaError("spec.rules[0].retry", "unknown field \"spec.rules[0].retry\"")], errors);
    }
}
