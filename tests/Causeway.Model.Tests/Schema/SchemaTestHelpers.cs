using Causeway.Model.Loading;
using System.Text.Json.Nodes;
using Causeway.Model.Schema;

namespace Causeway.Model.Tests.Schema;

internal static class SchemaTestHelpers
{
    public const string Group = "gateway.networking.k8s.io";

    public static JsonObject Yaml(string yaml) => (JsonObject)YamlJson.LoadAll(yaml).Single()!;

    public static JsonObject Json(string json) => JsonNode.Parse(json)!.AsObject();

    public static IReadOnlyList<SchemaError> Validate(JsonObject obj)
    {
        var apiVersion = obj["apiVersion"]!.GetValue<string>();
        var slash = apiVersion.IndexOf('/');
        return SchemaValidator.Default.Validate(obj, apiVersion[..slash], apiVersion[(slash + 1)..], obj["kind"]!.GetValue<string>());
    }

    public static void AssertValid(JsonObject obj)
    {
        var errors = Validate(obj);
        Assert.True(errors.Count == 0, "unexpected errors:\n" + string.Join("\n", errors));
    }

    /// <summary>Asserts exactly one error, at <paramref name="path"/>, whose message contains <paramref name="messagePart"/>.</summary>
    public static SchemaError AssertSingleError(JsonObject obj, string path, string messagePart)
    {
        var errors = Validate(obj);
        Assert.True(errors.Count == 1, $"expected exactly one error, got {errors.Count}:\n" + string.Join("\n", errors));
        Assert.Equal(path, errors[0].Path);
        Assert.Contains(messagePart, errors[0].Message, StringComparison.Ordinal);
        return errors[0];
    }
}
